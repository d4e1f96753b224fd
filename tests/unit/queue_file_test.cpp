// tests/unit/queue_file_test.cpp - queue file writer, reader, in-place updates
#include "lib/mail/queue_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "lib/base/fd.h"
#include "lib/mail/queue_file_writer.h"
#include "lib/mail/queue_record.h"
#include "tests/unit/test_support.h"

using tern::RecordType;
using tern_test::at;
using tern_test::temp_fd;

namespace {

std::string file_bytes(int fd) {
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
    REQUIRE(::pread(fd, bytes.data(), bytes.size(), 0) == st.st_size);
    return bytes;
}

// A writer with the least a finished file needs, except what `fill` adds.
template <class Fill>
tern::Fd write_file(Fill&& fill) {
    tern::QueueFileWriter writer(temp_fd(), "incoming/test");
    fill(writer);
    REQUIRE(writer.finish());
    CHECK(writer.size() == file_bytes(writer.fd()).size());
    return writer.release_fd();
}

std::string small_file() {
    tern::Fd fd = write_file([](tern::QueueFileWriter& w) {
        REQUIRE(w.add_arrival(at(1700000000, 42)));
        REQUIRE(w.add_sender("a@example.com"));
        REQUIRE(w.add_recipient({.address = "b@example.net", .orcpt = "rfc822;b@example.net", .notify = 6}));
        REQUIRE(w.add_content("Subject: x\r\n\r\nhi\r\n"));
    });
    return file_bytes(fd.get());
}

// A raw file from records, with a correct end record unless told otherwise.
std::string raw_file(const std::vector<std::pair<RecordType, std::string>>& records, bool end = true) {
    std::string out;
    for (const auto& [type, payload] : records) tern::append_record(out, type, payload);
    if (end) tern::append_record(out, RecordType::End, tern::encode_end(out.size() + 25));
    return out;
}

std::vector<std::pair<RecordType, std::string>> minimal_records() {
    return {{RecordType::Magic, std::string(tern::kMagicPayload)},
            {RecordType::Arrival, "1700000000.000001"},
            {RecordType::Sender, ""},
            {RecordType::Status, "T"},
            {RecordType::Recipient, "b@example.net"},
            {RecordType::Schedule, tern::encode_schedule({})}};
}

bool refused(const std::string& bytes, const tern::QueueFileLimits& limits = {}) {
    auto parsed = tern::parse_queue_file(bytes, limits);
    return !parsed && parsed.error().retry == tern::Retry::Permanent;
}

}  // namespace

TEST_CASE("queue file round trip of every envelope field", "[queue_file]") {
    tern::Fd fd = write_file([](tern::QueueFileWriter& w) {
        REQUIRE(w.add_arrival(at(1700000000, 123456)));
        REQUIRE(w.add_sender("a@example.com"));
        REQUIRE(w.add_envid("env+2Bid"));
        REQUIRE(w.add_ret(tern::DsnRet::Headers));
        REQUIRE(w.add_attribute("client_name", "mail.example.com"));
        REQUIRE(w.add_attribute("client_address", "192.0.2.1"));
        REQUIRE(w.add_attribute("helo_name", "h\xc3\xa9lo"));
        REQUIRE(w.add_attribute("sasl_username", ""));
        REQUIRE(w.add_recipient({.address = "b@example.net", .orcpt = "rfc822;B@example.net",
                                 .notify = tern::kDsnNotifySuccess | tern::kDsnNotifyFailure}));
        REQUIRE(w.add_recipient({.address = "c@example.net", .notify = tern::kDsnNotifyNever}));
        REQUIRE(w.add_content("Subject: hi\r\n\r\nbody\r\n"));
        REQUIRE(w.add_schedule({1700000300, 2}));
    });
    auto file = tern::read_queue_file(fd.get(), "incoming/test");
    REQUIRE(file);
    CHECK(file->arrival.tv_sec == 1700000000);
    CHECK(file->arrival.tv_usec == 123456);
    CHECK(file->sender == "a@example.com");
    CHECK(file->envid == "env+2Bid");
    CHECK(file->ret == tern::DsnRet::Headers);
    REQUIRE(file->attributes.size() == 4);
    CHECK(*file->attribute("client_name") == "mail.example.com");
    CHECK(*file->attribute("helo_name") == "h\xc3\xa9lo");
    CHECK(file->attribute("sasl_username")->empty());
    CHECK(file->attribute("nope") == nullptr);
    REQUIRE(file->recipients.size() == 2);
    CHECK(file->recipients[0].address == "b@example.net");
    CHECK(file->recipients[0].orcpt == "rfc822;B@example.net");
    CHECK(file->recipients[0].notify == 6);
    CHECK(file->recipients[1].orcpt.empty());
    CHECK(file->recipients[1].notify == tern::kDsnNotifyNever);
    CHECK(file->todo_count() == 2);
    CHECK(file->schedule == tern::Schedule{1700000300, 2});
    CHECK(file->content_size == 21);
    tern::ContentReader reader(fd.get(), *file);
    auto content = reader.read_all(1000);
    REQUIRE(content);
    CHECK(*content == "Subject: hi\r\n\r\nbody\r\n");
    // The same bytes parse the same way from memory.
    const std::string bytes = file_bytes(fd.get());
    auto parsed = tern::parse_queue_file(bytes);
    REQUIRE(parsed);
    CHECK(parsed->recipients[1].status_offset == file->recipients[1].status_offset);
    CHECK(tern::content_from_bytes(bytes, *parsed) == *content);
    CHECK(bytes.substr(0, 5 + tern::kMagicPayload.size()) == std::string("V\0\0\0\x11", 5) + "tern-queue-file 1");
}

TEST_CASE("null sender, no content, default schedule", "[queue_file]") {
    tern::Fd fd = write_file([](tern::QueueFileWriter& w) {
        REQUIRE(w.add_arrival(at(1, 0)));
        REQUIRE(w.add_sender(""));
        REQUIRE(w.add_recipient({.address = "postmaster"}));
    });
    auto file = tern::read_queue_file(fd.get(), "t");
    REQUIRE(file);
    CHECK(file->sender.empty());
    CHECK(file->content.empty());
    CHECK(file->content_size == 0);
    CHECK(file->schedule == tern::Schedule{});
    CHECK(file->ret == tern::DsnRet::None);
    CHECK(file->envid.empty());
}

TEST_CASE("content is byte-exact: CRLF, dots, NUL, 8-bit, bare CR and LF, many chunks", "[queue_file]") {
    std::string content = "From: a\r\n\r\n.\r\n..\r\n.x\r\nbare\nlf\rcr\r\n";
    static constexpr char kBinary[] = "nul\0byte\xff\x80\xc3\xa9\r\n";
    content += std::string(kBinary, sizeof kBinary - 1);
    for (int i = 0; i < 300'000; ++i) content.push_back(static_cast<char>(i * 7 + 3));
    content += "\r\n.\r\n";
    tern::Fd fd = write_file([&](tern::QueueFileWriter& w) {
        REQUIRE(w.add_arrival(at(1, 0)));
        REQUIRE(w.add_sender("a@b"));
        // Pieces of odd sizes, as a network delivers them, with a recipient in between.
        std::size_t fed = 0;
        for (std::size_t piece = 1; fed < content.size(); piece = piece * 3 + 1) {
            const std::size_t take = std::min(piece, content.size() - fed);
            REQUIRE(w.add_content(std::string_view(content).substr(fed, take)));
            fed += take;
            if (fed > 100'000 && w.recipient_count() == 0) REQUIRE(w.add_recipient({.address = "mid@x"}));
        }
        CHECK(w.content_size() == content.size());
    });
    auto file = tern::read_queue_file(fd.get(), "t");
    REQUIRE(file);
    CHECK(file->content_size == content.size());
    CHECK(file->content.size() > 4);
    // Read back in small odd pieces.
    tern::ContentReader reader(fd.get(), *file);
    std::string back;
    char piece[7];
    while (true) {
        auto got = reader.read(piece);
        REQUIRE(got);
        if (*got == 0) break;
        back.append(piece, *got);
    }
    CHECK(back == content);
    tern::ContentReader small(fd.get(), *file);
    CHECK_FALSE(small.read_all(content.size() - 1));
}

TEST_CASE("1000 recipients round trip, some added after the content", "[queue_file]") {
    tern::Fd fd = write_file([](tern::QueueFileWriter& w) {
        REQUIRE(w.add_arrival(at(1, 0)));
        REQUIRE(w.add_sender("a@b"));
        for (int i = 0; i < 600; ++i) REQUIRE(w.add_recipient({.address = "r" + std::to_string(i) + "@x"}));
        REQUIRE(w.add_content("Subject: x\r\n\r\n"));
        for (int i = 600; i < 1000; ++i)
            REQUIRE(w.add_recipient({.address = "r" + std::to_string(i) + "@x", .orcpt = "rfc822;o" + std::to_string(i)}));
    });
    auto file = tern::read_queue_file(fd.get(), "t");
    REQUIRE(file);
    REQUIRE(file->recipients.size() == 1000);
    for (int i = 0; i < 1000; ++i) CHECK(file->recipients[static_cast<std::size_t>(i)].address == "r" + std::to_string(i) + "@x");
    CHECK(file->recipients[999].orcpt == "rfc822;o999");
    CHECK(file->recipients[600].status_offset > file->content.front().offset);
}

TEST_CASE("mark_recipient_done and update_schedule rewrite in place", "[queue_file]") {
    tern::Fd fd = write_file([](tern::QueueFileWriter& w) {
        REQUIRE(w.add_arrival(at(1, 0)));
        REQUIRE(w.add_sender("a@b"));
        for (const char* rcpt : {"x@a", "y@a", "z@a"}) REQUIRE(w.add_recipient({.address = rcpt}));
        REQUIRE(w.add_content("body\r\n"));
    });
    auto file = tern::read_queue_file(fd.get(), "t");
    REQUIRE(file);
    const std::string before = file_bytes(fd.get());
    REQUIRE(tern::mark_recipient_done(fd.get(), file->recipients[1].status_offset));
    REQUIRE(tern::mark_recipient_done(fd.get(), file->recipients[1].status_offset));  // again: harmless
    REQUIRE(tern::update_schedule(fd.get(), file->schedule_offset, {1700001000, 3}));
    const std::string after = file_bytes(fd.get());
    CHECK(after.size() == before.size());
    auto again = tern::read_queue_file(fd.get(), "t");
    REQUIRE(again);
    CHECK(again->recipients[0].status == tern::RecipientStatus::Todo);
    CHECK(again->recipients[1].status == tern::RecipientStatus::Done);
    CHECK(again->recipients[2].status == tern::RecipientStatus::Todo);
    CHECK(again->todo_count() == 2);
    CHECK(again->schedule == tern::Schedule{1700001000, 3});
    // A wrong offset is refused and changes nothing.
    CHECK_FALSE(tern::mark_recipient_done(fd.get(), file->recipients[1].status_offset + 1));
    CHECK_FALSE(tern::mark_recipient_done(fd.get(), file->schedule_offset));
    CHECK_FALSE(tern::update_schedule(fd.get(), file->recipients[0].status_offset, {}));
    CHECK_FALSE(tern::mark_recipient_done(fd.get(), after.size() - 2));
    CHECK_FALSE(tern::mark_recipient_done(fd.get(), after.size() + 100));
    auto wrong = tern::mark_recipient_done(fd.get(), file->schedule_offset, "active/ID");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().retry == tern::Retry::Permanent);
    CHECK(wrong.error().text.find("active/ID") != std::string::npos);
    // A descriptor that cannot be written: Temporary, errno kept.
    tern::Fd read_only{::open(("/proc/self/fd/" + std::to_string(fd.get())).c_str(), O_RDONLY | O_CLOEXEC)};
    REQUIRE(read_only.valid());
    auto denied = tern::mark_recipient_done(read_only.get(), file->recipients[0].status_offset, "active/ID");
    REQUIRE_FALSE(denied);
    CHECK(denied.error().temporary());
    CHECK(denied.error().errno_value == EBADF);
    CHECK(file_bytes(fd.get()) == after);
}

TEST_CASE("delay warning record: written by default, rewritten in place, optional", "[queue_file]") {
    tern::Fd fd = write_file([](tern::QueueFileWriter& w) {
        REQUIRE(w.add_arrival(at(1, 0)));
        REQUIRE(w.add_sender("a@b"));
        REQUIRE(w.add_recipient({.address = "x@a"}));
        REQUIRE(w.add_content("body\r\n"));
    });
    auto file = tern::read_queue_file(fd.get(), "t");
    REQUIRE(file);
    CHECK(file->warning_offset != 0);
    CHECK(file->warning_sent_s == 0);
    const std::string before = file_bytes(fd.get());
    REQUIRE(tern::update_warning(fd.get(), file->warning_offset, 1700000123, "active/ID"));
    CHECK(file_bytes(fd.get()).size() == before.size());
    auto again = tern::read_queue_file(fd.get(), "t");
    REQUIRE(again);
    CHECK(again->warning_sent_s == 1700000123);
    CHECK(again->warning_offset == file->warning_offset);
    CHECK(again->schedule == file->schedule);
    // Only a warning record at that offset is rewritten.
    const std::string marked = file_bytes(fd.get());
    CHECK_FALSE(tern::update_warning(fd.get(), file->schedule_offset, 5));
    CHECK_FALSE(tern::update_warning(fd.get(), file->warning_offset + 1, 5));
    CHECK_FALSE(tern::update_warning(fd.get(), file->recipients[0].status_offset, 5));
    CHECK_FALSE(tern::update_schedule(fd.get(), file->warning_offset, {}));
    CHECK(file_bytes(fd.get()) == marked);
}

TEST_CASE("delay warning record: explicit value, old files without it, duplicates and bad sizes", "[queue_file]") {
    tern::QueueFileWriter w(temp_fd(), "incoming/test");
    REQUIRE(w.add_arrival(at(1, 0)));
    REQUIRE(w.add_sender("a@b"));
    REQUIRE(w.add_recipient({.address = "x@a"}));
    REQUIRE(w.add_warning(42));
    auto twice = w.add_warning(43);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().retry == tern::Retry::Permanent);
    REQUIRE(w.finish());
    auto file = tern::parse_queue_file(file_bytes(w.fd()));
    REQUIRE(file);
    CHECK(file->warning_sent_s == 42);
    // A file from before the record existed still parses: offset 0 says "none".
    auto old = tern::parse_queue_file(raw_file(minimal_records()));
    REQUIRE(old);
    CHECK(old->warning_offset == 0);
    CHECK(old->warning_sent_s == 0);
    auto records = minimal_records();
    records.push_back({RecordType::Warning, tern::encode_warning(0)});
    auto with_one = tern::parse_queue_file(raw_file(records));
    REQUIRE(with_one);
    CHECK(with_one->warning_offset > 0);
    records.push_back({RecordType::Warning, tern::encode_warning(0)});
    CHECK(refused(raw_file(records)));  // duplicate
    for (const char* bad : {"", "0", "00000000000", "0000000000000", "00000000000x", "-00000000001"}) {
        records = minimal_records();
        records.push_back({RecordType::Warning, bad});
        INFO("payload " << bad);
        CHECK(refused(raw_file(records)));
    }
}

TEST_CASE("a file truncated at any byte is corrupt, never a crash", "[queue_file]") {
    const std::string bytes = small_file();
    REQUIRE(tern::parse_queue_file(bytes));
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        INFO("truncated to " << size);
        CHECK(refused(bytes.substr(0, size)));
    }
    CHECK(refused(bytes + "X"));
    CHECK(refused(bytes + bytes));
    // Through a descriptor too.
    tern::Fd fd = temp_fd();
    REQUIRE(::write(fd.get(), bytes.data(), bytes.size() - 1) == static_cast<ssize_t>(bytes.size() - 1));
    auto file = tern::read_queue_file(fd.get(), "incoming/ABC");
    REQUIRE_FALSE(file);
    CHECK(file.error().retry == tern::Retry::Permanent);
    CHECK(file.error().text.find("incoming/ABC") != std::string::npos);
}

TEST_CASE("every single-byte change is either refused or parses", "[queue_file]") {
    const std::string bytes = small_file();
    for (std::size_t i = 0; i < bytes.size(); ++i)
        for (const unsigned char value : {0x00, 0x01, 0x7f, 0xff}) {
            std::string changed = bytes;
            changed[i] = static_cast<char>(value);
            (void)tern::parse_queue_file(changed);  // must not crash; ASan/UBSan watch
        }
}

TEST_CASE("oversized and impossible lengths are refused", "[queue_file]") {
    std::string huge = raw_file(minimal_records(), false);
    tern::append_record_header(huge, RecordType::Content, 0xffffffffu);
    huge += "abc";
    CHECK(refused(huge));

    tern::QueueFileLimits small;
    small.max_envelope_record_bytes = 16;
    small.max_content_chunk_bytes = 8;
    auto records = minimal_records();
    CHECK_FALSE(refused(raw_file(records), small));
    records.push_back({RecordType::Sender, std::string(17, 'a')});
    CHECK(refused(raw_file(records), small));  // too long before it is a duplicate
    records = minimal_records();
    records.push_back({RecordType::Content, "12345678"});
    CHECK_FALSE(refused(raw_file(records), small));
    records.push_back({RecordType::Content, "123456789"});
    CHECK(refused(raw_file(records), small));
    small.max_file_bytes = 10;
    CHECK(refused(raw_file(minimal_records()), small));
    // Fixed-size records must have their exact size.
    records = minimal_records();
    records[3].second = "TT";
    CHECK(refused(raw_file(records)));
}

TEST_CASE("unknown, duplicate and misplaced records are refused", "[queue_file]") {
    CHECK_FALSE(refused(raw_file(minimal_records())));
    auto with = [](RecordType type, std::string payload) {
        auto records = minimal_records();
        records.push_back({type, std::move(payload)});
        return raw_file(records);
    };
    std::string unknown = raw_file(minimal_records(), false);
    tern::append_record(unknown, static_cast<RecordType>('Z'), "x");
    tern::append_record(unknown, RecordType::End, tern::encode_end(unknown.size() + 25));
    CHECK(refused(unknown));
    CHECK(refused(with(RecordType::Sender, "x@y")));
    CHECK(refused(with(RecordType::Arrival, "1.000000")));
    CHECK(refused(with(RecordType::Schedule, tern::encode_schedule({}))));
    CHECK(refused(with(RecordType::Magic, std::string(tern::kMagicPayload))));
    CHECK(refused(with(RecordType::Recipient, "lonely@x")));      // no status first
    CHECK(refused(with(RecordType::OriginalRecipient, "rfc822;x")));
    CHECK(refused(with(RecordType::Status, "T")));                // group never closed
    CHECK(refused(with(RecordType::Status, "X")));
    CHECK(refused(with(RecordType::Ret, "ALL")));
    CHECK(refused(with(RecordType::Attribute, "noequals")));
    CHECK(refused(with(RecordType::Attribute, "Bad=x")));
    CHECK(refused(with(RecordType::Attribute, "=x")));
    CHECK(refused(with(RecordType::Attribute, "a=x\ny")));
    CHECK(refused(with(RecordType::EnvId, "")));
    CHECK_FALSE(refused(with(RecordType::Attribute, "a=")));
    auto records = minimal_records();
    records.push_back({RecordType::Attribute, "a=1"});
    records.push_back({RecordType::Attribute, "a=2"});
    CHECK(refused(raw_file(records)));
    // Status, then something that is not part of a recipient.
    records = minimal_records();
    records.insert(records.begin() + 4, {RecordType::Content, "x"});
    CHECK(refused(raw_file(records)));
    // Duplicate ORCPT / NOTIFY within one recipient.
    records = minimal_records();
    records.insert(records.begin() + 4, {RecordType::Notify, "4"});
    CHECK_FALSE(refused(raw_file(records)));
    records.insert(records.begin() + 4, {RecordType::Notify, "2"});
    CHECK(refused(raw_file(records)));
    for (const char* bad : {"0", "16", "3", "04", "", "x", "-4"}) {
        records = minimal_records();
        records.insert(records.begin() + 4, {RecordType::Notify, bad});
        CHECK(refused(raw_file(records)));
    }
    for (const char* bad_address : {"", "a\rb", "a\nb"}) {
        records = minimal_records();
        records[4].second = bad_address;
        CHECK(refused(raw_file(records)));
    }
    records = minimal_records();
    records[4].second = std::string("a\0b", 3);
    CHECK(refused(raw_file(records)));
}

TEST_CASE("magic, end record and required records", "[queue_file]") {
    CHECK(refused(""));
    CHECK(refused(raw_file(minimal_records(), false)));  // missing end record
    auto records = minimal_records();
    records[0].second = "tern-queue-file 2";
    auto version = tern::parse_queue_file(raw_file(records));
    REQUIRE_FALSE(version);
    CHECK(version.error().text.find("version") != std::string::npos);
    records[0].second = "something else";
    CHECK(refused(raw_file(records)));
    records = minimal_records();
    std::rotate(records.begin(), records.begin() + 1, records.begin() + 2);  // magic second
    CHECK(refused(raw_file(records)));
    for (std::size_t skip = 1; skip < minimal_records().size(); ++skip) {
        if (skip == 3 || skip == 4) continue;  // the recipient group, below
        records = minimal_records();
        records.erase(records.begin() + static_cast<long>(skip));
        INFO("without record " << skip);
        CHECK(refused(raw_file(records)));
    }
    records = minimal_records();
    records.erase(records.begin() + 3, records.begin() + 5);
    CHECK(refused(raw_file(records)));  // no recipients
    std::string wrong_size = raw_file(minimal_records(), false);
    tern::append_record(wrong_size, RecordType::End, tern::encode_end(wrong_size.size() + 26));
    CHECK(refused(wrong_size));
    std::string end_twice = raw_file(minimal_records());
    tern::append_record(end_twice, RecordType::End, tern::encode_end(end_twice.size() + 25));
    CHECK(refused(end_twice));
}

TEST_CASE("recipient and attribute limits: exactly at the limit and one past", "[queue_file]") {
    tern::QueueFileLimits limits;
    limits.max_recipients = 3;
    limits.max_attributes = 2;
    auto records = minimal_records();
    for (int i = 0; i < 2; ++i) {
        records.push_back({RecordType::Status, "D"});
        records.push_back({RecordType::Recipient, "x" + std::to_string(i)});
        records.push_back({RecordType::Attribute, "a" + std::to_string(i) + "=v"});
    }
    CHECK_FALSE(refused(raw_file(records), limits));
    records.push_back({RecordType::Status, "T"});
    records.push_back({RecordType::Recipient, "one-too-many"});
    CHECK(refused(raw_file(records), limits));
    records.pop_back();
    records.pop_back();
    records.push_back({RecordType::Attribute, "a9=v"});
    CHECK(refused(raw_file(records), limits));
}
