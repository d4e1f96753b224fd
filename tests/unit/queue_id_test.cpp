// tests/unit/queue_id_test.cpp - queue IDs
#include "lib/mail/queue_id.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/unit/test_support.h"

using tern_test::at;

TEST_CASE("queue ID round trip: time and inode come back", "[queue_id]") {
    const tern::QueueId id = tern::QueueId::make(at(1700000000, 123456), 987654321);
    CHECK(id.str().size() >= tern::kMinQueueIdLength);
    CHECK(id.str().size() <= tern::kMaxQueueIdLength);
    CHECK(std::all_of(id.str().begin(), id.str().end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }));
    CHECK(tern::is_valid_queue_id(id.str()));
    const auto parsed = tern::QueueId::parse(id.str());
    REQUIRE(parsed.has_value());
    CHECK(*parsed == id);
    CHECK(parsed->arrival().tv_sec == 1700000000);
    CHECK(parsed->arrival().tv_usec == 123456);
    CHECK(parsed->inode() == 987654321);
    CHECK(std::string(id.c_str()) == id.str());
}

TEST_CASE("queue ID edges: inode 0, the largest inode, clamped times", "[queue_id]") {
    const tern::QueueId zero = tern::QueueId::make(at(0, 0), 0);
    CHECK(zero.str() == "00000000000");
    CHECK(zero.str().size() == tern::kMinQueueIdLength);
    const tern::QueueId big = tern::QueueId::make(at(1700000000, 999999), UINT64_MAX);
    CHECK(big.str().size() == tern::kMaxQueueIdLength);
    REQUIRE(tern::QueueId::parse(big.str()).has_value());
    CHECK(tern::QueueId::parse(big.str())->inode() == UINT64_MAX);
    CHECK(tern::QueueId::make(at(-5, -1), 7).arrival().tv_sec == 0);
    CHECK(tern::QueueId::make(at(5, 5000000), 7).arrival().tv_usec == 999999);
}

TEST_CASE("queue IDs sort by arrival time as plain strings", "[queue_id]") {
    std::vector<tern::QueueId> ids;
    // Later arrivals get smaller inodes, so the inode cannot decide the order.
    std::uint64_t inode = UINT64_MAX;
    for (long seconds : {1L, 61L, 3843L, 1700000000L, 1700000001L})
        for (long micros : {0L, 1L, 61L, 62L, 999999L}) {
            ids.push_back(tern::QueueId::make(at(seconds, micros), inode));
            inode /= 7;
        }
    std::vector<std::string> names;
    for (const auto& id : ids) names.push_back(id.str());
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(std::is_sorted(ids.begin(), ids.end()));
}

TEST_CASE("queue IDs differ for different inodes and different times", "[queue_id]") {
    const timeval when = at(1700000000, 5);
    CHECK(tern::QueueId::make(when, 1) != tern::QueueId::make(when, 2));
    CHECK(tern::QueueId::make(when, 62) != tern::QueueId::make(when, 1));
    CHECK(tern::QueueId::make(when, 3) != tern::QueueId::make(at(1700000000, 6), 3));
    CHECK(tern::QueueId::make(when, 3) == tern::QueueId::make(when, 3));
}

TEST_CASE("is_valid_queue_id refuses anything but a canonical ID", "[queue_id]") {
    const std::string good = tern::QueueId::make(at(1700000000, 1), 12345).str();
    CHECK(tern::is_valid_queue_id(good));
    CHECK_FALSE(tern::is_valid_queue_id(""));
    CHECK_FALSE(tern::is_valid_queue_id("0000000000"));                 // one short
    CHECK_FALSE(tern::is_valid_queue_id(std::string(22, '1')));         // one long
    CHECK_FALSE(tern::is_valid_queue_id("000000000001z"));              // fine...
    CHECK(tern::is_valid_queue_id("00000000001z"));                     // ...this is
    CHECK_FALSE(tern::is_valid_queue_id("000000000001"));               // leading zero inode
    CHECK_FALSE(tern::is_valid_queue_id("000000" "4C92" "1"));          // micros 1,000,000
    CHECK(tern::is_valid_queue_id("000000" "4C91" "1"));                // micros 999,999
    CHECK_FALSE(tern::is_valid_queue_id("0000000000" "zzzzzzzzzzz"));   // inode overflows 64 bits
    CHECK_FALSE(tern::is_valid_queue_id("00000000001-"));
    CHECK_FALSE(tern::is_valid_queue_id("00000000001/"));
    CHECK_FALSE(tern::is_valid_queue_id("../../etc/x"));
    CHECK_FALSE(tern::is_valid_queue_id(std::string("0000000000\0" "1", 12)));
    CHECK_FALSE(tern::is_valid_queue_id("0000000000\xc3\xa9"));
    CHECK_FALSE(tern::QueueId::parse("000000000001").has_value());
}
