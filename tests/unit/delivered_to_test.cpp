// tests/unit/delivered_to_test.cpp - lib/mail/delivered_to: Delivered-To: collection and the delivery prefix
#include "lib/mail/delivered_to.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using namespace std::string_view_literals;

#include "tests/unit/mailbox_test_support.h"

TEST_CASE("collect_delivered_to finds every Delivered-To in the header block", "[delivered_to]") {
    const auto seen = tern::collect_delivered_to(
        "Received: x\r\nDelivered-To: Joe@Example.com\r\ndelivered-to:\r\n  bob@x\r\nSubject: s\r\n\r\n"
        "Delivered-To: body@x\r\n");
    CHECK(seen.size() == 2);
    CHECK(seen.contains("joe@example.com"));
    CHECK(seen.contains("bob@x"));
    CHECK(!seen.contains("body@x"));
}

TEST_CASE("collect_delivered_to: header block only, folded, trimmed, lower-cased", "[delivered_to]") {
    const tern::DeliveredSet seen = tern::collect_delivered_to(
        "Received: x\r\nDelivered-To: Joe@Example.com \r\ndelivered-to:\r\n\tann@example.com\r\n"
        "Subject: s\r\n\r\nDelivered-To: body@example.com\r\n");
    CHECK(seen.contains("joe@example.com"));
    CHECK(seen.contains("ann@example.com"));
    CHECK_FALSE(seen.contains("body@example.com"));
}

TEST_CASE("collect_delivered_to edges", "[delivered_to]") {
    CHECK(tern::collect_delivered_to("").empty());
    CHECK(tern::collect_delivered_to("\r\nDelivered-To: a@b\r\n").empty());
    CHECK(tern::collect_delivered_to("\nDelivered-To: a@b\n").empty());
    CHECK(tern::collect_delivered_to("Delivered-To: a@b").contains("a@b"));  // truncated, no line end
    CHECK(tern::collect_delivered_to("Delivered-To: a@b\nX: y\n\n").contains("a@b"));  // bare LF
    CHECK(tern::collect_delivered_to("X: y\nDelivered-To: a@b\n\r\nDelivered-To: c@d\n") ==
          tern::DeliveredSet{"a@b"});  // LF line, then a CRLF empty line
    CHECK(tern::collect_delivered_to("Delivered-Tox: a@b\r\n").empty());
    CHECK(tern::collect_delivered_to("Delivered-To a@b\r\n").empty());
    CHECK(tern::collect_delivered_to("Delivered-To : a@b\r\n").contains("a@b"));  // Postfix is_header
    CHECK(tern::collect_delivered_to("Delivered-To: \xe9t\xe9@b\r\n").contains("\xe9t\xe9@b"));  // 8-bit kept
    CHECK(tern::collect_delivered_to("Delivered-To: a\0b@c\r\n"sv).size() == 1);
}

TEST_CASE("collect_delivered_to keeps at most kMaxDeliveredHeaders values", "[delivered_to]") {
    std::string many;
    for (std::size_t i = 0; i < tern::kMaxDeliveredHeaders + 5; ++i) many += "Delivered-To: u" + std::to_string(i) + "\r\n";
    CHECK(tern::collect_delivered_to(many).size() == tern::kMaxDeliveredHeaders);
    std::string exactly;
    for (std::size_t i = 0; i < tern::kMaxDeliveredHeaders; ++i) exactly += "Delivered-To: u" + std::to_string(i) + "\n";
    const tern::DeliveredSet all = tern::collect_delivered_to(exactly);
    CHECK(all.size() == tern::kMaxDeliveredHeaders);
    CHECK(all.contains("u" + std::to_string(tern::kMaxDeliveredHeaders - 1)));
}

TEST_CASE("read_delivered_to reads the stored header block across chunks", "[delivered_to]") {
    std::string content = "Received: from x\r\n";
    while (content.size() < 100'000) content += "X-Filler: 0123456789012345678901234567890123456789\r\n";
    content += "Delivered-To: late@example.com\r\n\r\nbody\r\n";
    mailbox_test::StoredMessage stored(content, "a@example.com", 1000);
    tern::ContentReader reader = stored.reader();
    tern::Result<tern::DeliveredSet> seen = tern::read_delivered_to(reader);
    REQUIRE(seen);
    CHECK(seen->contains("late@example.com"));

    mailbox_test::StoredMessage empty("");
    tern::ContentReader empty_reader = empty.reader();
    tern::Result<tern::DeliveredSet> none = tern::read_delivered_to(empty_reader);
    REQUIRE(none);
    CHECK(none->empty());
}

TEST_CASE("read_delivered_to: empty first line, body, scan limit, damaged file", "[delivered_to]") {
    mailbox_test::StoredMessage body_only("\r\nDelivered-To: a@b\r\n");
    tern::ContentReader body_reader = body_only.reader();
    tern::Result<tern::DeliveredSet> none = tern::read_delivered_to(body_reader);
    REQUIRE(none);
    CHECK(none->empty());

    std::string content = "Delivered-To: first@example.com\n";
    while (content.size() < tern::kMaxHeaderScanBytes) content += "X-Filler: 0123456789012345678901234567890123456789\n";
    content += "Delivered-To: past@example.com\n\nbody\n";
    mailbox_test::StoredMessage big(content);
    tern::ContentReader big_reader = big.reader();
    tern::Result<tern::DeliveredSet> seen = tern::read_delivered_to(big_reader);
    REQUIRE(seen);
    CHECK(seen->contains("first@example.com"));
    CHECK_FALSE(seen->contains("past@example.com"));

    mailbox_test::StoredMessage damaged(content);
    damaged.shrink_to(4096);
    tern::ContentReader damaged_reader = damaged.reader();
    CHECK_FALSE(tern::read_delivered_to(damaged_reader));
}

TEST_CASE("delivery_prefix in Postfix's order (mail_copy: addresses as given)", "[delivered_to]") {
    CHECK(tern::delivery_prefix("a@x", "Root@X", "Joe@X") ==
          "Return-Path: <a@x>\nX-Original-To: Root@X\nDelivered-To: Joe@X\n");
    CHECK(tern::delivery_prefix("", "", "joe@x") == "Return-Path: <>\nDelivered-To: joe@x\n");
    CHECK(tern::delivery_prefix("a@x", "B@y", "b@y") ==
          "Return-Path: <a@x>\nX-Original-To: B@y\nDelivered-To: b@y\n");
    CHECK(tern::delivery_prefix("", "", "b@y") == "Return-Path: <>\nDelivered-To: b@y\n");
}
