// tests/unit/showq_listing_test.cpp - queue walk and showq records (lib/mail/queue_listing.h)
#include "lib/mail/queue_listing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "lib/mail/queue_file_writer.h"
#include "lib/mail/queue_id.h"
#include "tests/unit/test_support.h"

using tern::ListedMessage;

namespace {

// Writes a queue file queue/id with the given sender and recipients.
void write_queue_file(const tern_test::TempDir& dir, const std::string& queue, const std::string& id,
                      const std::string& sender, const std::vector<std::pair<std::string, bool>>& recipients,
                      const std::string& content = "Subject: x\r\n\r\nbody\r\n") {
    const std::string path = dir.file(queue + "/" + id);
    tern::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    REQUIRE(fd.get() >= 0);
    tern::QueueFileWriter writer(std::move(fd), path);
    REQUIRE(writer.add_arrival(tern_test::at(1795503126, 5)));
    REQUIRE(writer.add_sender(sender));
    for (const auto& [address, done] : recipients)
        REQUIRE(writer.add_recipient({.address = address,
                                      .status = done ? tern::RecipientStatus::Done : tern::RecipientStatus::Todo}));
    REQUIRE(writer.add_content(content));
    REQUIRE(writer.finish());
}

void make_queues(const tern_test::TempDir& dir) {
    for (const char* name : {"maildrop", "incoming", "active", "deferred", "hold"})
        REQUIRE(::mkdir(dir.file(name).c_str(), 0700) == 0);
}

std::vector<ListedMessage> scan_all(const std::string& queue_directory, const tern::ListingLimits& limits = {}) {
    tern::QueueScanner scanner(queue_directory, limits);
    std::vector<ListedMessage> out;
    while (std::optional<ListedMessage> m = scanner.next()) out.push_back(std::move(*m));
    return out;
}

std::vector<ListedMessage> round_trip(const std::vector<ListedMessage>& messages) {
    std::string wire;
    for (const ListedMessage& m : messages) tern::encode_listed_message(m, wire);
    tern::encode(tern::listing_end_record(), wire);
    tern::AttrDecoder decoder;
    tern::ListingAssembler assembler;
    std::vector<ListedMessage> out;
    std::string_view input = wire;
    while (!input.empty()) {
        tern::Result<std::size_t> used = decoder.feed(input);
        REQUIRE(used);
        input.remove_prefix(*used);
        if (std::optional<tern::AttrList> record = decoder.take_message()) {
            auto message = assembler.feed(*record);
            REQUIRE(message);
            if (*message) out.push_back(std::move(**message));
        }
    }
    CHECK(assembler.done());
    return out;
}

}  // namespace

TEST_CASE("queue scanner lists the five queues in Postfix's order, undelivered recipients only", "[showq]") {
    tern_test::TempDir dir;
    make_queues(dir);
    write_queue_file(dir, "hold", "4Xb2kQ1Zz3z9v", "a@example.com", {{"b@example.net", false}});
    write_queue_file(dir, "incoming", "4Xb2kQ1Zz3z9w", "", {{"c@example.net", true}, {"d@example.net", false}});
    write_queue_file(dir, "maildrop", "4Xb2kQ1Zz3z9x", "e@example.com", {{"f@example.net", false}});
    const std::vector<ListedMessage> listed = scan_all(dir.path().string());
    REQUIRE(listed.size() == 3);
    CHECK(listed[0].queue_name == "maildrop");
    CHECK(listed[1].queue_name == "incoming");
    CHECK(listed[2].queue_name == "hold");
    CHECK(listed[1].sender.empty());
    REQUIRE(listed[1].recipients.size() == 1);
    CHECK(listed[1].recipients[0].address == "d@example.net");
    CHECK(listed[2].queue_id == "4Xb2kQ1Zz3z9v");
    CHECK(listed[2].arrival_time == 1795503126);
    CHECK(listed[2].message_size == 20);
}

TEST_CASE("queue scanner skips temporary names, broken files, links and missing queues", "[showq]") {
    tern_test::TempDir dir;
    make_queues(dir);
    write_queue_file(dir, "incoming", "4Xb2kQ1Zz3z9w", "a@example.com", {{"b@example.net", false}});
    tern_test::write_file(dir.file("incoming/4Xb2kQ1Zz3z9y"), "not a queue file");
    tern_test::write_file(dir.file("maildrop/tmp.123.1"), "half written");
    REQUIRE(::symlink(dir.file("incoming/4Xb2kQ1Zz3z9w").c_str(), dir.file("active/4Xb2kQ1Zz3z9z").c_str()) == 0);
    REQUIRE(::rmdir(dir.file("deferred").c_str()) == 0);
    const std::vector<ListedMessage> listed = scan_all(dir.path().string());
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].queue_id == "4Xb2kQ1Zz3z9w");
}

TEST_CASE("queue scanner: empty queue, and the message cap", "[showq]") {
    tern_test::TempDir dir;
    make_queues(dir);
    CHECK(scan_all(dir.path().string()).empty());
    write_queue_file(dir, "incoming", "4Xb2kQ1Zz3z9a", "a@example.com", {{"b@example.net", false}});
    write_queue_file(dir, "incoming", "4Xb2kQ1Zz3z9b", "a@example.com", {{"b@example.net", false}});
    CHECK(scan_all(dir.path().string(), {.max_messages = 1}).size() == 1);
    CHECK(scan_all(dir.path().string(), {.max_messages = 2}).size() == 2);
}

TEST_CASE("showq records round-trip, 8-bit and empty values included", "[showq]") {
    ListedMessage a{.queue_name = "deferred", .queue_id = "4Xb2kQ1Zz3z9v", .arrival_time = 1795503126,
                    .message_size = 1234, .forced_expire = true, .sender = "s\xc3\xa9@example.com",
                    .recipients = {{"r1@example.net", "connect to x: refused"}, {"r2@example.net", ""}}};
    ListedMessage b{.queue_name = "hold", .queue_id = "4Xb2kQ1Zz3z9w", .sender = "", .recipients = {}};
    const std::vector<ListedMessage> back = round_trip({a, b});
    REQUIRE(back.size() == 2);
    CHECK(back[0] == a);
    CHECK(back[1] == b);
    CHECK(round_trip({}).empty());
}

TEST_CASE("listing assembler refuses records that break the protocol", "[showq]") {
    const auto head = [](long long count) {
        tern::AttrList r;
        r.add("record", "message").add("queue_name", "active").add("queue_id", "4Xb2kQ1Zz3z9v")
            .add_int("arrival_time", 1).add_int("message_size", 2).add_int("forced_expire", 0)
            .add("sender", "").add_int("recipient_count", count);
        return r;
    };
    SECTION("too many recipients announced") {
        tern::ListingAssembler assembler({.max_recipients = 2});
        CHECK(assembler.feed(head(2)));
        tern::ListingAssembler strict({.max_recipients = 2});
        CHECK_FALSE(strict.feed(head(3)));
    }
    SECTION("an end record while recipients are missing") {
        tern::ListingAssembler assembler;
        REQUIRE(assembler.feed(head(1)));
        CHECK_FALSE(assembler.feed(tern::listing_end_record()));
    }
    SECTION("anything after the end") {
        tern::ListingAssembler assembler;
        REQUIRE(assembler.feed(tern::listing_end_record()));
        CHECK(assembler.done());
        CHECK_FALSE(assembler.feed(head(0)));
    }
    SECTION("unknown attribute, bad queue name, negative size, bad ID") {
        tern::ListingAssembler assembler;
        tern::AttrList extra = head(0);
        extra.add("shell", "rm -rf");
        CHECK_FALSE(assembler.feed(extra));
        tern::AttrList bad_queue;
        bad_queue.add("record", "message").add("queue_name", "../etc").add("queue_id", "4Xb2kQ1Zz3z9v")
            .add_int("arrival_time", 1).add_int("message_size", -2).add_int("forced_expire", 0)
            .add("sender", "").add_int("recipient_count", 0);
        CHECK_FALSE(tern::ListingAssembler().feed(bad_queue));
        tern::AttrList unknown;
        unknown.add("record", "surprise");
        CHECK_FALSE(tern::ListingAssembler().feed(unknown));
    }
}
