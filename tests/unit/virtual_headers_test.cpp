// tests/unit/virtual_headers_test.cpp - Delivered-To: collection and the delivery prefix
#include "virtual/headers.h"

#include <catch2/catch.hpp>

#include <string>

#include "tests/unit/mailbox_test_support.h"

TEST_CASE("collect_delivered_to: header block only, folded, trimmed, lower-cased", "[virtual]") {
    const virt::DeliveredSet seen = virt::collect_delivered_to(
        "Received: x\r\nDelivered-To: Joe@Example.com \r\ndelivered-to:\r\n\tann@example.com\r\n"
        "Subject: s\r\n\r\nDelivered-To: body@example.com\r\n");
    CHECK(seen.contains("joe@example.com"));
    CHECK(seen.contains("ann@example.com"));
    CHECK_FALSE(seen.contains("body@example.com"));
    CHECK(virt::collect_delivered_to("").empty());
    CHECK(virt::collect_delivered_to("\r\nDelivered-To: a@b\r\n").empty());
    CHECK(virt::collect_delivered_to("Delivered-To: a@b").contains("a@b"));  // no final line end
    CHECK(virt::collect_delivered_to("Delivered-To: a@b\nX: y\n\n").contains("a@b"));  // LF lines
    CHECK(virt::collect_delivered_to("Delivered-Tox: a@b\r\n").empty());
}

TEST_CASE("read_delivered_to reads the stored header block across chunks", "[virtual]") {
    std::string content = "Received: from x\r\n";
    while (content.size() < 100'000) content += "X-Filler: 0123456789012345678901234567890123456789\r\n";
    content += "Delivered-To: late@example.com\r\n\r\nbody\r\n";
    mailbox_test::StoredMessage stored(content, "a@example.com", 1000);
    tern::ContentReader reader = stored.reader();
    tern::Result<virt::DeliveredSet> seen = virt::read_delivered_to(reader);
    REQUIRE(seen);
    CHECK(seen->contains("late@example.com"));

    mailbox_test::StoredMessage empty("");
    tern::ContentReader empty_reader = empty.reader();
    tern::Result<virt::DeliveredSet> none = virt::read_delivered_to(empty_reader);
    REQUIRE(none);
    CHECK(none->empty());
}

TEST_CASE("delivery_prefix: Return-Path, X-Original-To, Delivered-To", "[virtual]") {
    CHECK(virt::delivery_prefix("a@x", "B@y", "b@y") ==
          "Return-Path: <a@x>\nX-Original-To: B@y\nDelivered-To: b@y\n");
    CHECK(virt::delivery_prefix("", "", "b@y") == "Return-Path: <>\nDelivered-To: b@y\n");
}
