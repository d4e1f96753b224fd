// tests/unit/delivery_log_test.cpp - lib/mail/delivery_log: append, read back, torn and damaged records
#include "lib/mail/delivery_log.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "lib/mail/attr.h"
#include "tests/unit/test_support.h"

namespace {

constexpr std::string_view kId = "4Xb2kQ1Zz3z9v";

struct LogDirs {
    tern_test::TempDir dir;
    std::string queue = dir.path().string();
    LogDirs() {
        std::filesystem::create_directory(dir.path() / "bounce");
        std::filesystem::create_directory(dir.path() / "defer");
    }
};

tern::DeliveryRecord record(std::string recipient, std::uint64_t offset, std::string reason = "unknown user") {
    return {.recipient = std::move(recipient), .orcpt = "rfc822;B@example.com", .notify = 6, .offset = offset,
            .action = "failed", .status = "5.1.1", .reason = std::move(reason), .remote_mta = "mx.example.com",
            .diagnostic = "smtp; 550 5.1.1 unknown user", .time_s = 1700000000};
}

void append_raw(const std::string& path, std::string_view bytes) {
    std::string old = std::filesystem::exists(path) ? tern_test::read_file(path) : std::string{};
    tern_test::write_file(path, old + std::string(bytes));
}

}  // namespace

TEST_CASE("delivery log paths", "[delivery_log]") {
    CHECK(tern::delivery_log_path("", tern::DeliveryLog::Bounce, kId) == "bounce/4Xb2kQ1Zz3z9v");
    CHECK(tern::delivery_log_path("/var/spool/tern", tern::DeliveryLog::Defer, kId) ==
          "/var/spool/tern/defer/4Xb2kQ1Zz3z9v");
}

TEST_CASE("records appended are read back in order", "[delivery_log]") {
    LogDirs d;
    const tern::DeliveryRecord a = record("a@example.com", 10);
    tern::DeliveryRecord b = record("b@example.com", 20, "r\xc3\xa9" "ason");
    b.orcpt.clear();
    b.notify = 0;
    b.remote_mta.clear();
    b.diagnostic.clear();
    REQUIRE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Bounce, kId, {&a, 1}, true));
    REQUIRE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Bounce, kId, {&b, 1}, false));
    const auto all = tern::read_delivery_log(d.queue, tern::DeliveryLog::Bounce, kId);
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    CHECK((*all)[0] == a);
    CHECK((*all)[1] == b);
    struct stat st {};
    REQUIRE(::stat(tern::delivery_log_path(d.queue, tern::DeliveryLog::Bounce, kId).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto defer = tern::read_delivery_log(d.queue, tern::DeliveryLog::Defer, kId);
    REQUIRE(defer);
    CHECK(defer->empty());
}

TEST_CASE("removing a log, present or not", "[delivery_log]") {
    LogDirs d;
    const tern::DeliveryRecord a = record("a@example.com", 10);
    REQUIRE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Defer, kId, {&a, 1}, false));
    CHECK(tern::remove_delivery_log(d.queue, tern::DeliveryLog::Defer, kId));
    CHECK_FALSE(std::filesystem::exists(tern::delivery_log_path(d.queue, tern::DeliveryLog::Defer, kId)));
    CHECK(tern::remove_delivery_log(d.queue, tern::DeliveryLog::Defer, kId));
}

TEST_CASE("bad queue IDs and missing folders are errors", "[delivery_log]") {
    LogDirs d;
    const tern::DeliveryRecord a = record("a@example.com", 10);
    const auto bad = tern::append_delivery_records(d.queue, tern::DeliveryLog::Bounce, "../x", {&a, 1}, true);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().retry == tern::Retry::Permanent);
    CHECK_FALSE(tern::read_delivery_log(d.queue, tern::DeliveryLog::Bounce, ""));
    CHECK_FALSE(tern::remove_delivery_log(d.queue, tern::DeliveryLog::Bounce, "a/b"));
    const auto missing = tern::append_delivery_records(d.queue + "/nope", tern::DeliveryLog::Bounce, kId, {&a, 1}, true);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().temporary());
    CHECK(missing.error().text.find("nope/bounce/4Xb2kQ1Zz3z9v") != std::string::npos);
}

TEST_CASE("a torn last record is ignored", "[delivery_log]") {
    LogDirs d;
    const tern::DeliveryRecord a = record("a@example.com", 10);
    REQUIRE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Bounce, kId, {&a, 1}, false));
    const std::string path = tern::delivery_log_path(d.queue, tern::DeliveryLog::Bounce, kId);
    tern::AttrList torn;
    torn.add("recipient", "b@example.com").add("offset", "20");
    const std::string wire = tern::encode(torn);
    for (std::size_t cut : {std::size_t{1}, std::size_t{5}, wire.size() - 1}) {
        tern_test::write_file(path, "");
        REQUIRE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Bounce, kId, {&a, 1}, false));
        append_raw(path, wire.substr(0, cut));
        const auto all = tern::read_delivery_log(d.queue, tern::DeliveryLog::Bounce, kId);
        REQUIRE(all);
        REQUIRE(all->size() == 1);
        CHECK((*all)[0] == a);
    }
}

TEST_CASE("records after a damaged one are still read", "[delivery_log]") {
    LogDirs d;
    const std::string path = tern::delivery_log_path(d.queue, tern::DeliveryLog::Defer, kId);
    const tern::DeliveryRecord a = record("a@example.com", 10);
    const tern::DeliveryRecord b = record("b@example.com", 20);
    std::string a_wire;
    {
        REQUIRE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Defer, kId, {&a, 1}, false));
        a_wire = tern_test::read_file(path);
    }
    tern_test::write_file(path, a_wire.substr(0, a_wire.size() / 2));  // torn by a crash
    REQUIRE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Defer, kId, {&b, 1}, false));
    append_raw(path, "garbage\n");
    tern::AttrList unknown;
    unknown.add("recipient", "c@example.com").add("colour", "blue");
    append_raw(path, tern::encode(unknown));
    REQUIRE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Defer, kId, {&a, 1}, false));
    const auto all = tern::read_delivery_log(d.queue, tern::DeliveryLog::Defer, kId);
    REQUIRE(all);
    REQUIRE(all->size() == 2);
    CHECK((*all)[0] == b);
    CHECK((*all)[1] == a);
}

TEST_CASE("an empty or garbage log reads as no records", "[delivery_log]") {
    LogDirs d;
    const std::string path = tern::delivery_log_path(d.queue, tern::DeliveryLog::Defer, kId);
    tern_test::write_file(path, "");
    auto all = tern::read_delivery_log(d.queue, tern::DeliveryLog::Defer, kId);
    REQUIRE(all);
    CHECK(all->empty());
    tern_test::write_file(path, std::string("\0\0\n\xff TRNA", 9));
    all = tern::read_delivery_log(d.queue, tern::DeliveryLog::Defer, kId);
    REQUIRE(all);
    CHECK(all->empty());
}

TEST_CASE("a log that is not a regular file is refused", "[delivery_log]") {
    LogDirs d;
    std::filesystem::create_directory(tern::delivery_log_path(d.queue, tern::DeliveryLog::Defer, kId));
    CHECK_FALSE(tern::read_delivery_log(d.queue, tern::DeliveryLog::Defer, kId));
    const std::string link = tern::delivery_log_path(d.queue, tern::DeliveryLog::Bounce, kId);
    std::filesystem::create_symlink("/etc/passwd", link);
    const tern::DeliveryRecord a = record("a@example.com", 10);
    CHECK_FALSE(tern::append_delivery_records(d.queue, tern::DeliveryLog::Bounce, kId, {&a, 1}, false));
    CHECK_FALSE(tern::read_delivery_log(d.queue, tern::DeliveryLog::Bounce, kId));
}

TEST_CASE("the newest record per recipient wins, in first-seen order", "[delivery_log]") {
    const std::vector<tern::DeliveryRecord> records{
        record("a@example.com", 10, "first"), record("b@example.com", 20, "b"),
        record("a@example.com", 10, "second"), record("a@example.com", 30, "other a")};
    const auto newest = tern::newest_per_recipient(records);
    REQUIRE(newest.size() == 3);
    CHECK(newest[0].reason == "second");
    CHECK(newest[1].reason == "b");
    CHECK(newest[2].reason == "other a");
    CHECK(tern::newest_per_recipient({}).empty());
}
