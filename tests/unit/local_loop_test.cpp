// tests/unit/local_loop_test.cpp - local/loop: Delivered-To: collection and delivery header lines
#include <catch2/catch.hpp>

#include "local/loop.h"

TEST_CASE("collect_delivered_to finds every Delivered-To in the header block", "[local]") {
    const auto seen = local::collect_delivered_to(
        "Received: x\r\nDelivered-To: Joe@Example.com\r\ndelivered-to:\r\n  bob@x\r\nSubject: s\r\n\r\n"
        "Delivered-To: body@x\r\n");
    CHECK(seen.size() == 2);
    CHECK(seen.contains("joe@example.com"));
    CHECK(seen.contains("bob@x"));
    CHECK(!seen.contains("body@x"));
}

TEST_CASE("collect_delivered_to edges", "[local]") {
    CHECK(local::collect_delivered_to("").empty());
    CHECK(local::collect_delivered_to("\r\nDelivered-To: a@b\r\n").empty());
    CHECK(local::collect_delivered_to("Delivered-To: a@b").contains("a@b"));  // truncated, no line end
    CHECK(local::collect_delivered_to("Delivered-To: a@b\nX: y\n\n").contains("a@b"));  // bare LF
    CHECK(local::collect_delivered_to("Delivered-Tox: a@b\r\n").empty());
    CHECK(local::collect_delivered_to("Delivered-To a@b\r\n").empty());
    std::string many;
    for (std::size_t i = 0; i < local::kMaxDeliveredHeaders + 5; ++i) many += "Delivered-To: u" + std::to_string(i) + "\r\n";
    CHECK(local::collect_delivered_to(many).size() == local::kMaxDeliveredHeaders);
}

TEST_CASE("delivery_prefix in Postfix's order", "[local]") {
    CHECK(local::delivery_prefix("a@x", "Root@X", "Joe@X") ==
          "Return-Path: <a@x>\nX-Original-To: Root@X\nDelivered-To: joe@x\n");
    CHECK(local::delivery_prefix("", "", "joe@x") == "Return-Path: <>\nDelivered-To: joe@x\n");
}
