// tests/unit/showq_listing_test.cpp - queue walk and showq records (lib/mail/queue_listing.h)
#include "lib/mail/queue_listing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "lib/mail/delivery_log.h"
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

namespace {

std::vector<tern::QueueRecipient> recipients_of(const tern_test::TempDir& dir, const std::string& path) {
    tern::Fd fd(::open(dir.file(path).c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(fd.get() >= 0);
    tern::Result<tern::QueueFile> file = tern::read_queue_file(fd.get(), path);
    REQUIRE(file);
    return file->recipients;
}

tern::DeliveryRecord delayed(const std::string& recipient, std::uint64_t offset, const std::string& reason) {
    tern::DeliveryRecord record;
    record.recipient = recipient;
    record.offset = offset;
    record.action = "delayed";
    record.status = "4.4.1";
    record.reason = reason;
    return record;
}

}  // namespace

TEST_CASE("queue scanner: delay reasons from defer/ID, newest per recipient, deferred mail only", "[showq]") {
    tern_test::TempDir dir;
    make_queues(dir);
    REQUIRE(::mkdir(dir.file("defer").c_str(), 0700) == 0);
    const std::string queue = dir.path().string();
    const std::string id = "4Xb2kQ1Zz3z9d";
    write_queue_file(dir, "deferred", id, "s@example.com",
                     {{"a@example.net", false}, {"b@example.net", false}, {"a@example.net", false},
                      {"c@example.net", false}, {"done@example.net", true}});
    const std::vector<tern::QueueRecipient> rcpts = recipients_of(dir, "deferred/" + id);
    REQUIRE(rcpts.size() == 5);
    const std::vector<tern::DeliveryRecord> records{
        delayed("a@example.net", rcpts[0].status_offset, "old reason"),
        delayed("b@example.net", 0, "b: connection refused"),  // no offset: matched by address
        delayed("a@example.net", rcpts[0].status_offset, "first a: host down"),
        delayed("a@example.net", rcpts[2].status_offset, "second a: greylisted"),
        delayed("done@example.net", rcpts[4].status_offset, "never shown"),
    };
    REQUIRE(tern::append_delivery_records(queue, tern::DeliveryLog::Defer, id, records, false));
    std::vector<ListedMessage> listed = scan_all(queue);
    REQUIRE(listed.size() == 1);
    REQUIRE(listed[0].recipients.size() == 4);
    CHECK(listed[0].recipients[0] == tern::ListedRecipient{"a@example.net", "first a: host down"});
    CHECK(listed[0].recipients[1] == tern::ListedRecipient{"b@example.net", "b: connection refused"});
    CHECK(listed[0].recipients[2] == tern::ListedRecipient{"a@example.net", "second a: greylisted"});
    CHECK(listed[0].recipients[3] == tern::ListedRecipient{"c@example.net", ""});
    CHECK(round_trip(listed) == listed);

    SECTION("a long reason is cut to the listing limit; an unreadable log gives none") {
        const std::vector<tern::DeliveryRecord> longer{delayed("c@example.net", 0, std::string(3000, 'x'))};
        REQUIRE(tern::append_delivery_records(queue, tern::DeliveryLog::Defer, id, longer, false));
        listed = scan_all(queue);
        CHECK(listed[0].recipients[3].delay_reason == std::string(2000, 'x'));
        CHECK(round_trip(listed) == listed);
        REQUIRE(::unlink(dir.file("defer/" + id).c_str()) == 0);
        REQUIRE(::mkdir(dir.file("defer/" + id).c_str(), 0700) == 0);  // a folder: read fails
        listed = scan_all(queue);
        CHECK(listed[0].recipients[0].delay_reason.empty());
    }
    SECTION("recipients with a reason are listed first, as Postfix's showq") {
        const std::string other = "4Xb2kQ1Zz3z9e";
        write_queue_file(dir, "deferred", other, "s@example.com", {{"x@example.net", false}, {"y@example.net", false}});
        const std::vector<tern::DeliveryRecord> y{delayed("y@example.net", 0, "y: timeout")};
        REQUIRE(tern::append_delivery_records(queue, tern::DeliveryLog::Defer, other, y, false));
        listed = scan_all(queue);
        REQUIRE(listed.size() == 2);
        const ListedMessage& m = listed[0].queue_id == other ? listed[0] : listed[1];
        REQUIRE(m.recipients.size() == 2);
        CHECK(m.recipients[0] == tern::ListedRecipient{"y@example.net", "y: timeout"});
        CHECK(m.recipients[1] == tern::ListedRecipient{"x@example.net", ""});
    }
    SECTION("mail outside deferred/ shows no reason, as Postfix") {
        REQUIRE(::rename(dir.file("deferred/" + id).c_str(), dir.file("active/" + id).c_str()) == 0);
        listed = scan_all(queue);
        REQUIRE(listed.size() == 1);
        CHECK(listed[0].recipients[0].delay_reason.empty());
    }
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
