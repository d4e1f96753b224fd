// tests/unit/cleanup_missing_headers_test.cpp - cleanup/missing_headers.h and cleanup/received.h
#include "cleanup/missing_headers.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "cleanup/received.h"

namespace {

constexpr std::time_t kWhen = 1795000000;  // Wed, 18 Nov 2026 11:06:40 UTC

struct UtcZone {
    UtcZone() {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
};

}  // namespace

TEST_CASE("missing headers: Message-Id, Date and From in Postfix's shape", "[cleanup]") {
    const UtcZone utc;
    cleanup::SeenHeaders seen;
    seen.note("Subject: x\r\n");
    const std::string added = cleanup::missing_headers(
        seen, {.queue_id = "QID", .myhostname = "mx.example", .sender = "u@example.org", .full_name = "", .when = kWhen});
    CHECK(added == "Message-Id: <20261118110640.QID@mx.example>\r\n"
                   "Date: Wed, 18 Nov 2026 11:06:40 +0000 (UTC)\r\n"
                   "From: u@example.org\r\n");
}

TEST_CASE("missing headers: present ones are not added; Resent- variants", "[cleanup]") {
    cleanup::SeenHeaders seen;
    for (const char* h : {"from: a\r\n", "DATE: b\r\n", "Message-ID: <id@x>\r\n"}) seen.note(h);
    CHECK(seen.message_id_value == "<id@x>");
    CHECK(cleanup::missing_headers(seen, {.queue_id = "Q", .myhostname = "h", .when = kWhen}).empty());
    seen.note("Resent-To: x\r\n");
    const std::string added = cleanup::missing_headers(seen, {.queue_id = "Q", .myhostname = "h", .when = kWhen});
    CHECK(added.rfind("Resent-Message-Id: <", 0) == 0);
    CHECK(added.find("\r\nResent-Date: ") != std::string::npos);
    CHECK(added.find("\r\nResent-From: MAILER-DAEMON\r\n") != std::string::npos);
}

TEST_CASE("missing headers: From with a full name, quoted when needed", "[cleanup]") {
    cleanup::SeenHeaders seen;
    seen.date = seen.message_id = true;
    CHECK(cleanup::missing_headers(seen, {.sender = "r@x", .full_name = "Charlie Root"}) ==
          "From: Charlie Root <r@x>\r\n");
    CHECK(cleanup::missing_headers(seen, {.sender = "r@x", .full_name = "Root, \"C\""}) ==
          "From: \"Root, \\\"C\\\"\" <r@x>\r\n");
    CHECK(cleanup::missing_headers(seen, {.sender = "a b@x"}) == "From: \"a b\"@x\r\n");
}

TEST_CASE("missing headers: header names and values", "[cleanup]") {
    CHECK(cleanup::header_name("Subject : x\r\n") == "Subject");
    CHECK(cleanup::header_name("no colon").empty());
    CHECK(cleanup::header_value("Message-ID:\r\n <a@b>\r\n") == "<a@b>");
    cleanup::SeenHeaders seen;
    seen.note("Received: a\r\n");
    seen.note("received: b\r\n");
    CHECK(seen.received == 2);
}

TEST_CASE("received: remote, with one recipient, IPv6, and local", "[cleanup]") {
    const UtcZone utc;
    cleanup::ReceivedInfo info{.helo = "helo.example", .client_name = "c.example", .client_address = "192.0.2.1",
                               .protocol = "ESMTP", .myhostname = "mx.example", .queue_id = "QID",
                               .recipient = "b@example.net", .when = kWhen};
    CHECK(cleanup::received_header(info) ==
          "Received: from helo.example (c.example [192.0.2.1])\r\n\tby mx.example (tern) with ESMTP id QID\r\n"
          "\tfor <b@example.net>; Wed, 18 Nov 2026 11:06:40 +0000 (UTC)\r\n");
    info.recipient = {};
    info.helo = {};
    info.client_address = "2001:db8::1";
    CHECK(cleanup::received_header(info) ==
          "Received: from c.example (c.example [IPv6:2001:db8::1])\r\n\tby mx.example (tern) with ESMTP id QID; "
          "Wed, 18 Nov 2026 11:06:40 +0000 (UTC)\r\n");
    const cleanup::ReceivedInfo local{.myhostname = "mx.example", .queue_id = "QID", .recipient = "x@y",
                                      .submit_uid = "1000", .when = kWhen};
    CHECK(cleanup::received_header(local) ==
          "Received: by mx.example (tern, from userid 1000)\r\n\tid QID; Wed, 18 Nov 2026 11:06:40 +0000 (UTC)\r\n");
    const cleanup::ReceivedInfo internal{.myhostname = "mx.example", .queue_id = "QID", .when = kWhen};
    CHECK(cleanup::received_header(internal) ==
          "Received: by mx.example (tern)\r\n\tid QID; Wed, 18 Nov 2026 11:06:40 +0000 (UTC)\r\n");
}

TEST_CASE("received: peer text is made printable", "[cleanup]") {
    const cleanup::ReceivedInfo info{.helo = "evil\r\nX-Injected: 1", .client_name = "c", .client_address = "192.0.2.1",
                                     .myhostname = "mx", .queue_id = "Q", .when = kWhen};
    const std::string h = cleanup::received_header(info);
    CHECK(h.find("\r\nX-Injected") == std::string::npos);
}
