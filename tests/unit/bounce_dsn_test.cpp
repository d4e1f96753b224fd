// tests/unit/bounce_dsn_test.cpp - the DSN composer, parsed back with a minimal MIME reader
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "bounce/bounce_dsn.h"

namespace {

constexpr std::string_view kOriginal =
    "Message-ID: <abc@client.example>\r\n"
    "Subject: hello\r\n"
    "From: a@example.com\r\n"
    "\r\n"
    "body line\r\n";

tern::DeliveryRecord failed(std::string rcpt) {
    tern::DeliveryRecord r;
    r.recipient = std::move(rcpt);
    r.offset = 100;
    r.action = "failed";
    r.status = "5.1.1";
    r.reason = "unknown user: \"b\"";
    r.time_s = 1'700'000'000;
    return r;
}

bounce::DsnInput input() {
    return {.kind = bounce::DsnKind::Failure, .myhostname = "mx.example", .queue_id = "4Xb2kQ1Zz3z9v",
            .new_queue_id = "4Xb2kQ1Zz4abc", .to = "a@example.com", .sender = "a@example.com",
            .arrival_s = 1'700'000'000, .now = 1'700'000'100, .records = {failed("b@example.com")},
            .original = kOriginal, .original_size = kOriginal.size()};
}

struct Part {
    std::string headers;
    std::string body;
};

struct Mime {
    std::string headers;
    std::vector<Part> parts;
    bool closed = false;
};

// Splits a multipart message on its boundary (taken from the Content-Type continuation line).
Mime parse(const std::string& message) {
    Mime m;
    const std::size_t end = message.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    m.headers = message.substr(0, end + 2);
    const std::size_t b = m.headers.find("boundary=\"");
    REQUIRE(b != std::string::npos);
    const std::string boundary = m.headers.substr(b + 10, m.headers.find('"', b + 10) - b - 10);
    const std::string delimiter = "\r\n--" + boundary;
    std::size_t pos = message.find(delimiter);
    while (pos != std::string::npos) {
        pos += delimiter.size();
        if (message.compare(pos, 2, "--") == 0) {
            m.closed = message.compare(pos + 2, 2, "\r\n") == 0;
            break;
        }
        REQUIRE(message.compare(pos, 2, "\r\n") == 0);
        pos += 2;
        const std::size_t next = message.find(delimiter, pos);
        REQUIRE(next != std::string::npos);
        const std::string part = message.substr(pos, next - pos);
        const std::size_t blank = part.find("\r\n\r\n");
        REQUIRE(blank != std::string::npos);
        m.parts.push_back({part.substr(0, blank + 2), part.substr(blank + 4)});
        pos = next;
    }
    return m;
}

bool has_line(const std::string& text, const std::string& line) {
    return ("\r\n" + text).find("\r\n" + line + "\r\n") != std::string::npos;
}

void check_lines(const std::string& message) {
    for (std::size_t i = 0; i < message.size(); ++i)
        if (message[i] == '\n') REQUIRE((i > 0 && message[i - 1] == '\r'));
    CHECK(message.size() >= 2);
    CHECK(message.substr(message.size() - 2) == "\r\n");
}

}  // namespace

TEST_CASE("bounce dsn: failure report structure", "[bounce]") {
    const std::string message = bounce::compose_dsn(input());
    check_lines(message);
    const Mime m = parse(message);
    CHECK(m.closed);
    REQUIRE(m.parts.size() == 3);
    CHECK(has_line(m.headers, "From: MAILER-DAEMON@mx.example (Mail Delivery System)"));
    CHECK(has_line(m.headers, "Subject: Undelivered Mail Returned to Sender"));
    CHECK(has_line(m.headers, "To: a@example.com"));
    CHECK(has_line(m.headers, "Auto-Submitted: auto-replied"));
    CHECK(has_line(m.headers, "MIME-Version: 1.0"));
    CHECK(has_line(m.headers, "Content-Type: multipart/report; report-type=delivery-status;"));
    CHECK(has_line(m.headers, "\tboundary=\"4Xb2kQ1Zz3z9v.1700000100/mx.example\""));
    CHECK(has_line(m.headers, "References: <abc@client.example>"));
    CHECK(has_line(m.headers, "In-Reply-To: <abc@client.example>"));
    CHECK(has_line(m.headers, "Message-Id: <20231114221500.4Xb2kQ1Zz4abc@mx.example>"));
    CHECK(m.headers.find("Content-Transfer-Encoding") == std::string::npos);
    CHECK(m.headers.rfind("Date: ", 0) == 0);

    CHECK(has_line(m.parts[0].headers, "Content-Description: Notification"));
    CHECK(has_line(m.parts[0].headers, "Content-Type: text/plain; charset=us-ascii"));
    CHECK(m.parts[0].body.rfind("This is the mail system at host mx.example.\r\n", 0) == 0);
    CHECK(has_line(m.parts[0].body, "<b@example.com>: unknown user: \"b\""));

    CHECK(has_line(m.parts[1].headers, "Content-Type: message/delivery-status"));
    const std::string& report = m.parts[1].body;
    CHECK(report.rfind("Reporting-MTA: dns; mx.example\r\nX-Tern-Queue-ID: 4Xb2kQ1Zz3z9v\r\n"
                       "X-Tern-Sender: rfc822; a@example.com\r\nArrival-Date: ", 0) == 0);
    CHECK(has_line(report, "Final-Recipient: rfc822; b@example.com"));
    CHECK(has_line(report, "Action: failed"));
    CHECK(has_line(report, "Status: 5.1.1"));
    CHECK(has_line(report, "Diagnostic-Code: X-Tern; unknown user: \"b\""));
    CHECK(report.find("Original-Recipient") == std::string::npos);
    CHECK(report.find("Remote-MTA") == std::string::npos);
    CHECK(report.find("Original-Envelope-Id") == std::string::npos);

    CHECK(has_line(m.parts[2].headers, "Content-Description: Undelivered Message"));
    CHECK(has_line(m.parts[2].headers, "Content-Type: message/rfc822"));
    CHECK(m.parts[2].body == "Return-Path: <a@example.com>\r\n" + std::string(kOriginal));
}

TEST_CASE("bounce dsn: per-recipient fields from the record", "[bounce]") {
    bounce::DsnInput in = input();
    in.envid = "ENV1";
    in.records[0].orcpt = "rfc822;B@example.com";
    in.records[0].remote_mta = "mx.remote.example";
    in.records[0].diagnostic = "smtp; 550 5.1.1 <b@example.com>: Recipient address rejected: User unknown in "
                               "virtual mailbox table";
    in.records.push_back(failed("c@example.com"));
    in.records[1].orcpt = "c@example.com";
    const Mime m = parse(bounce::compose_dsn(in));
    REQUIRE(m.parts.size() == 3);
    const std::string& report = m.parts[1].body;
    CHECK(has_line(report, "Original-Envelope-Id: ENV1"));
    CHECK(has_line(report, "Original-Recipient: rfc822;B@example.com"));
    CHECK(has_line(report, "Original-Recipient: rfc822; c@example.com"));
    CHECK(has_line(report, "Remote-MTA: dns; mx.remote.example"));
    // Folded at 79 columns with a 4-space continuation, as Postfix's line_wrap.
    CHECK(has_line(report, "Diagnostic-Code: smtp; 550 5.1.1 <b@example.com>: Recipient address rejected:"));
    CHECK(has_line(report, "    User unknown in virtual mailbox table"));
    CHECK(has_line(report, "Final-Recipient: rfc822; c@example.com"));
    for (std::size_t pos = 0, next; (next = report.find("\r\n", pos)) != std::string::npos; pos = next + 2)
        CHECK(next - pos <= bounce::kWrapColumns);
}

TEST_CASE("bounce dsn: RET, size limit and 8-bit originals", "[bounce]") {
    bounce::DsnInput in = input();
    CHECK(bounce::returned_part(in) == bounce::Returned::Message);
    in.ret = tern::DsnRet::Headers;
    CHECK(bounce::returned_part(in) == bounce::Returned::Headers);
    Mime m = parse(bounce::compose_dsn(in));
    REQUIRE(m.parts.size() == 3);
    CHECK(has_line(m.parts[2].headers, "Content-Description: Undelivered Message Headers"));
    CHECK(has_line(m.parts[2].headers, "Content-Type: text/rfc822-headers"));
    CHECK(m.parts[2].body == "Return-Path: <a@example.com>\r\n" + std::string(bounce::header_section(kOriginal)));
    CHECK(m.parts[2].body.find("body line") == std::string::npos);

    in.ret = tern::DsnRet::Full;
    in.bounce_size_limit = kOriginal.size();  // exactly at the limit: whole
    CHECK(bounce::returned_part(in) == bounce::Returned::Message);
    in.bounce_size_limit = kOriginal.size() - 1;  // one past: headers only, even with RET=FULL
    CHECK(bounce::returned_part(in) == bounce::Returned::Headers);
    in.bounce_size_limit = 0;  // no limit
    CHECK(bounce::returned_part(in) == bounce::Returned::Message);
    in.headers_only = true;  // postmaster copies
    CHECK(bounce::returned_part(in) == bounce::Returned::Headers);
    in.headers_only = false;

    in.eight_bit = true;
    const std::string eight = "Subject: caf\xc3\xa9\r\n\r\nna\xc3\xafve\r\n";
    in.original = eight;
    in.original_size = eight.size();
    m = parse(bounce::compose_dsn(in));
    CHECK(has_line(m.headers, "Content-Transfer-Encoding: 8bit"));
    CHECK(has_line(m.parts[2].headers, "Content-Transfer-Encoding: 8bit"));
    CHECK(m.parts[2].body.find(eight) != std::string::npos);
}

TEST_CASE("bounce dsn: delay, success and postmaster copies", "[bounce]") {
    bounce::DsnInput in = input();
    in.kind = bounce::DsnKind::Delay;
    in.records[0].action = "delayed";
    in.records[0].status = "4.4.1";
    in.delay_warning_hours = 4;
    in.max_queue_lifetime_s = 5 * 86400;
    Mime m = parse(bounce::compose_dsn(in));
    CHECK(has_line(m.headers, "Subject: Delayed Mail (still being retried)"));
    CHECK(has_line(m.parts[0].body, "Your message could not be delivered for more than 4 hour(s)."));
    CHECK(has_line(m.parts[0].body, "It will be retried until it is 5 day(s) old."));
    CHECK(has_line(m.parts[1].body, "Action: delayed"));
    CHECK(m.parts[1].body.find("Will-Retry-Until: ") != std::string::npos);
    CHECK(has_line(m.parts[2].headers, "Content-Type: text/rfc822-headers"));  // warnings carry headers only

    in.kind = bounce::DsnKind::Success;
    in.records[0].action = "delivered";
    in.records[0].status = "2.0.0";
    m = parse(bounce::compose_dsn(in));
    CHECK(has_line(m.headers, "Subject: Successful Mail Delivery Report"));
    CHECK(has_line(m.parts[1].body, "Action: delivered"));
    CHECK(has_line(m.parts[2].headers, "Content-Description: Message Headers"));

    in = input();
    in.postmaster_copy = true;
    in.sender = "";
    in.to = "postmaster@mx.example";
    m = parse(bounce::compose_dsn(in));
    CHECK(has_line(m.headers, "Subject: Postmaster Copy: Undelivered Mail"));
    CHECK(has_line(m.headers, "Auto-Submitted: auto-generated"));
    CHECK(m.parts[0].body.find("This is the mail system") == std::string::npos);
    CHECK(m.parts[1].body.find("X-Tern-Sender") == std::string::npos);
    CHECK(m.parts[2].body.rfind("Return-Path: <>\r\n", 0) == 0);
}

TEST_CASE("bounce dsn: hostile text stays inside its line", "[bounce]") {
    bounce::DsnInput in = input();
    static constexpr char kHostile[] = "evil\r\nX-Injected: 1\0\x80";  // NUL and 8-bit included
    in.records[0].reason = std::string(kHostile, sizeof kHostile - 1);
    in.records[0].recipient = "b\r\n@example.com";
    in.original = "no header section at all, and no final newline";
    in.original_size = in.original.size();
    const std::string message = bounce::compose_dsn(in);
    check_lines(message);
    CHECK(message.find("\r\nX-Injected") == std::string::npos);
    const Mime m = parse(message);
    CHECK(m.closed);
    REQUIRE(m.parts.size() == 3);
    CHECK(m.headers.find("References") == std::string::npos);
}

TEST_CASE("bounce dsn: header_section edges", "[bounce]") {
    CHECK(bounce::header_section("").empty());
    CHECK(bounce::header_section("\r\nbody\r\n").empty());
    CHECK(bounce::header_section("A: 1\r\n\tcont\r\n\r\nbody") == "A: 1\r\n\tcont\r\n");
    CHECK(bounce::header_section("A: 1\nB: 2\n\nbody") == "A: 1\nB: 2\n");  // bare LF
    CHECK(bounce::header_section("A: 1\r\nnot a header\r\nB: 2\r\n") == "A: 1\r\n");
    CHECK(bounce::header_section("A: 1\r\n: x\r\n") == "A: 1\r\n");
    CHECK(bounce::header_section("A: 1\r\nB\x80: 2\r\n") == "A: 1\r\n");
    CHECK(bounce::header_section("A: 1") == "A: 1");  // truncated, no newline
    CHECK(bounce::header_section("A: 1\r\nB: 2\r\n", 6) == "A: 1\r\n");  // exactly at the cap
    CHECK(bounce::header_section("A: 1\r\nB: 2\r\n", 5).empty());
}

TEST_CASE("bounce dsn: original Message-ID", "[bounce]") {
    CHECK(bounce::original_message_id("Message-ID: <a@b>\r\n") == "<a@b>");
    CHECK(bounce::original_message_id("message-id:\r\n <a@b>\r\n") == "<a@b>");
    CHECK(bounce::original_message_id("Message-ID: a@b\r\n").empty());
    CHECK(bounce::original_message_id("Message-ID: <a b@c>\r\n").empty());
    CHECK(bounce::original_message_id("Subject: x\r\n").empty());
    CHECK(bounce::original_message_id("").empty());
    CHECK(bounce::original_message_id("Message-ID: <a\x80@b>\r\n").empty());
}

TEST_CASE("bounce dsn: wrap_line as Postfix's line_wrap", "[bounce]") {
    using V = std::vector<std::string>;
    CHECK(bounce::wrap_line("", 79, 4) == V{""});
    CHECK(bounce::wrap_line("short text", 79, 4) == V{"short text"});
    CHECK(bounce::wrap_line("aaaa bbbb cccc", 9, 2) == V{"aaaa bbbb", "  cccc"});
    CHECK(bounce::wrap_line("aaaa bbbb cccc", 8, 2) == V{"aaaa", "  bbbb", "  cccc"});
    CHECK(bounce::wrap_line("aaaaaaaaaaaa bb", 5, 1) == V{"aaaaaaaaaaaa", " bb"});  // long word stays whole
    CHECK(bounce::wrap_line("aa   bb", 3, 0) == V{"aa", "bb"});
    const std::string exact(79, 'x');
    CHECK(bounce::wrap_line(exact, 79, 4) == V{exact});
    CHECK(bounce::wrap_line(exact + " y", 79, 4) == V{exact, "    y"});
}
