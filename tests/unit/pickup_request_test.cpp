// tests/unit/pickup_request_test.cpp - pickup's cleanup requests from a maildrop file
#include "pickup/request.h"

#include <catch2/catch.hpp>

#include <string>

#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/queue_file_writer.h"
#include "tests/unit/test_support.h"

namespace {

struct Parsed {
    tern::Fd fd;
    tern::QueueFile file;
};

// A maildrop file as sendmail and postdrop write it, plus `extra` attributes.
Parsed maildrop_file(const std::vector<std::pair<std::string, std::string>>& extra, std::string_view sender = "s@x") {
    tern::QueueFileWriter w(tern_test::temp_fd(), "maildrop/ID");
    REQUIRE(w.add_arrival(tern_test::at(1700000000, 5)));
    REQUIRE(w.add_sender(sender));
    for (const auto& [name, value] : extra) REQUIRE(w.add_attribute(name, value));
    REQUIRE(w.add_recipient({.address = "a@x", .orcpt = "rfc822;A@x", .notify = tern::kDsnNotifySuccess}));
    REQUIRE(w.add_recipient({.address = "done@x", .status = tern::RecipientStatus::Done}));
    REQUIRE(w.add_content("Subject: s\r\n\r\nbody\r\n"));
    REQUIRE(w.add_recipient({.address = "late@x"}));
    REQUIRE(w.finish());
    tern::Fd fd = w.release_fd();
    tern::Result<tern::QueueFile> file = tern::read_queue_file(fd.get(), "maildrop/ID");
    REQUIRE(file);
    return {std::move(fd), std::move(*file)};
}

}  // namespace

TEST_CASE("arrival_text has six digits of microseconds", "[pickup]") {
    CHECK(pickup::arrival_text({1700000000, 0}) == "1700000000.000000");
    CHECK(pickup::arrival_text({1700000000, 999'999'999}) == "1700000000.999999");
    CHECK(pickup::arrival_text({0, 1000}) == "0.000001");
}

TEST_CASE("submit_uid takes postdrop's attribute, else the file owner", "[pickup]") {
    CHECK(pickup::submit_uid(maildrop_file({{"submit_uid", "1000"}}).file, 5) == 1000);
    CHECK(pickup::submit_uid(maildrop_file({{"submit_uid", "0"}}).file, 5) == 0);
    CHECK(pickup::submit_uid(maildrop_file({}).file, 5) == 5);
    CHECK(pickup::submit_uid(maildrop_file({{"submit_uid", "-1"}}).file, 5) == 5);
    CHECK(pickup::submit_uid(maildrop_file({{"submit_uid", "12x"}}).file, 5) == 5);
    CHECK(pickup::submit_uid(maildrop_file({{"submit_uid", "4294967295"}}).file, 5) == 5);
    CHECK(pickup::submit_uid(maildrop_file({{"submit_uid", "99999999999999999999"}}).file, 5) == 5);
}

TEST_CASE("envelope request trusts only envelope, full_name, body type and the submitter", "[pickup]") {
    Parsed p = maildrop_file({{"rewrite_context", "remote"},
                              {"client_address", "192.0.2.1"},
                              {"submit_user", "forged"},
                              {"full_name", "Ann \xc3\xa9"},
                              {"body_type", "8bitmime"},
                              {"submit_uid", "7"}});
    const tern::AttrList env = pickup::envelope_request(p.file, {.uid = 7, .user = "ann"}, {1700000001, 250'000'000});
    tern::AttrList want;
    want.add("request", "envelope")
        .add("sender", "s@x")
        .add_int("flags", tern::kCleanupFlagsDefault)
        .add("body", "8BITMIME")
        .add("protocol", "local")
        .add("submit_uid", "7")
        .add("submit_user", "ann")
        .add("full_name", "Ann \xc3\xa9")
        .add("arrival", "1700000001.250000");
    CHECK(env == want);
}

TEST_CASE("envelope request: null sender, DSN envid and ret, odd body type dropped", "[pickup]") {
    tern::QueueFileWriter w(tern_test::temp_fd(), "maildrop/ID");
    REQUIRE(w.add_arrival(tern_test::at(1, 0)));
    REQUIRE(w.add_sender(""));
    REQUIRE(w.add_envid("env+2Bid"));
    REQUIRE(w.add_ret(tern::DsnRet::Headers));
    REQUIRE(w.add_attribute("body_type", "BINARYMIME"));
    REQUIRE(w.add_recipient({.address = "r@x"}));
    REQUIRE(w.finish());
    tern::Fd fd = w.release_fd();
    auto file = tern::read_queue_file(fd.get(), "maildrop/ID");
    REQUIRE(file);
    const tern::AttrList env = pickup::envelope_request(*file, {.uid = 0, .user = "unknown"}, {2, 0});
    CHECK(env.get("sender") == std::optional<std::string_view>(""));
    CHECK(env.get("envid") == std::optional<std::string_view>("env+2Bid"));
    CHECK(env.get("ret") == std::optional<std::string_view>("HDRS"));
    CHECK_FALSE(env.contains("body"));
    CHECK_FALSE(env.contains("full_name"));
    CHECK(env.get("submit_user") == std::optional<std::string_view>("unknown"));
}

TEST_CASE("full_name is cut to kMaxFullNameBytes", "[pickup]") {
    const std::string name(pickup::kMaxFullNameBytes + 1, 'n');
    Parsed p = maildrop_file({{"full_name", name}});
    const tern::AttrList env = pickup::envelope_request(p.file, {.uid = 1, .user = "u"}, {0, 0});
    CHECK(env.get("full_name")->size() == pickup::kMaxFullNameBytes);
}

TEST_CASE("recipient requests keep order, ORCPT and NOTIFY, skip done ones", "[pickup]") {
    Parsed p = maildrop_file({});
    const std::vector<tern::AttrList> r = pickup::recipient_requests(p.file);
    REQUIRE(r.size() == 2);
    tern::AttrList first;
    first.add("request", "recipient").add("address", "a@x").add("orcpt", "rfc822;A@x").add("notify", "2");
    CHECK(r[0] == first);
    tern::AttrList second;
    second.add("request", "recipient").add("address", "late@x");
    CHECK(r[1] == second);
}
