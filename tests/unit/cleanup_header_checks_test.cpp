// tests/unit/cleanup_header_checks_test.cpp - cleanup/header_checks.h: actions, replies, log lines
#include "cleanup/header_checks.h"

#include <catch2/catch.hpp>

#include <utility>

using cleanup::HeaderAction;

TEST_CASE("header_checks: actions and their text", "[cleanup]") {
    CHECK(cleanup::parse_header_action("REJECT go away").action == HeaderAction::Reject);
    CHECK(cleanup::parse_header_action("reject  go away ").text == "go away");
    CHECK(cleanup::parse_header_action("DISCARD").action == HeaderAction::Discard);
    CHECK(cleanup::parse_header_action("HOLD").action == HeaderAction::Hold);
    CHECK(cleanup::parse_header_action("IGNORE").action == HeaderAction::Ignore);
    CHECK(cleanup::parse_header_action("WARN look").action == HeaderAction::Warn);
    const auto r = cleanup::parse_header_action("REDIRECT a@example.com");
    CHECK(r.action == HeaderAction::Redirect);
    CHECK(r.text == "a@example.com");
    CHECK(cleanup::parse_header_action("PREPEND X-A: 1").text == "X-A: 1");
    CHECK(cleanup::parse_header_action("DUNNO").action == HeaderAction::None);
    CHECK(cleanup::parse_header_action("OK").action == HeaderAction::None);
    const auto f = cleanup::parse_header_action("FILTER smtp:x");
    CHECK(f.action == HeaderAction::Unsupported);
    CHECK(f.text == "FILTER");
    CHECK(cleanup::parse_header_action("").action == HeaderAction::Unsupported);
}

TEST_CASE("header_checks: reject replies", "[cleanup]") {
    CHECK(cleanup::reject_reply("") == "550 5.7.1 Message content rejected");
    CHECK(cleanup::reject_reply("no spam") == "550 5.7.1 no spam");
    CHECK(cleanup::reject_reply("5.7.0 policy") == "550 5.7.0 policy");
    CHECK(cleanup::reject_reply("4.7.1 later") == "450 4.7.1 later");
    CHECK(cleanup::reject_reply("5.7 not a code") == "550 5.7.1 5.7 not a code");
}

TEST_CASE("header_checks: the lookup key joins folded lines with LF", "[cleanup]") {
    CHECK(cleanup::header_lookup_key("Subject: a\r\n b\r\n") == "Subject: a\n b");
    tern::Result<tern::TablePtr> t =
        tern::parse_regexp_table("/^Subject: a$/ WARN folded\n/^Subject: x/ REJECT\n", "test");
    REQUIRE(t);
    std::vector<tern::TablePtr> tables;
    tables.push_back(std::move(*t));
    auto v = cleanup::check_header(tables, "Subject: xyz\r\n");
    REQUIRE(v);
    CHECK(v->action == HeaderAction::Reject);
    v = cleanup::check_header(tables, "From: x\r\n");
    REQUIRE(v);
    CHECK(v->action == HeaderAction::None);
    CHECK(cleanup::check_header({}, "Subject: x\r\n")->action == HeaderAction::None);
}

TEST_CASE("header_checks: log lines in Postfix's shape", "[cleanup]") {
    cleanup::LogContext who{"c.example", "192.0.2.1", "s@x", "r@y", "ESMTP", "helo.example"};
    CHECK(cleanup::header_log_line("ID1", "reject", "Subject: bad\r\n", who, "5.7.1 no") ==
          "ID1: reject: header Subject: bad from c.example[192.0.2.1]; from=<s@x> to=<r@y> proto=ESMTP "
          "helo=<helo.example>: 5.7.1 no");
    cleanup::LogContext local{"", "", "", "r@y", "", ""};
    CHECK(cleanup::header_log_line("ID2", "hold", "X: 1\r\n", local, "") ==
          "ID2: hold: header X: 1 from local; from=<> to=<r@y>");
}
