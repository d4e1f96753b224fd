// tests/unit/qmgr_backoff_test.cpp - qmgr back-off and expiry arithmetic
#include "qmgr/backoff.h"

#include <catch2/catch.hpp>

using qmgr::BackoffPolicy;

TEST_CASE("backoff is the time in queue clamped to minimal and maximal", "[qmgr][backoff]") {
    const BackoffPolicy policy{.minimal_s = 300, .maximal_s = 4000};
    CHECK(qmgr::backoff_delay_s(1000, 1000, policy) == 300);       // just arrived
    CHECK(qmgr::backoff_delay_s(1000 + 299, 1000, policy) == 300);
    CHECK(qmgr::backoff_delay_s(1000 + 300, 1000, policy) == 300);  // exactly at the minimum
    CHECK(qmgr::backoff_delay_s(1000 + 301, 1000, policy) == 301);
    CHECK(qmgr::backoff_delay_s(1000 + 4000, 1000, policy) == 4000);
    CHECK(qmgr::backoff_delay_s(1000 + 4001, 1000, policy) == 4000);  // one past the maximum
    CHECK(qmgr::backoff_delay_s(500, 1000, policy) == 300);          // arrival in the future
    CHECK(qmgr::backoff_delay_s(1000, 0, policy) == 300);            // unknown arrival
}

TEST_CASE("backoff with maximal below minimal uses minimal", "[qmgr][backoff]") {
    CHECK(qmgr::backoff_delay_s(10'000, 0, {.minimal_s = 60, .maximal_s = 10}) == 60);
    CHECK(qmgr::backoff_delay_s(10'000, 9'000, {.minimal_s = 1, .maximal_s = 2}) == 2);
}

TEST_CASE("next schedule adds the delay and counts the attempt", "[qmgr][backoff]") {
    const BackoffPolicy policy{.minimal_s = 1, .maximal_s = 4};
    tern::Schedule s = qmgr::next_schedule(100, 100, {}, policy);
    CHECK(s == tern::Schedule{101, 1});
    s = qmgr::next_schedule(103, 100, s, policy);
    CHECK(s == tern::Schedule{106, 2});
    s = qmgr::next_schedule(200, 100, s, policy);
    CHECK(s == tern::Schedule{204, 3});
    const tern::Schedule top = qmgr::next_schedule(tern::kMaxScheduleSeconds, 1, {0, tern::kMaxScheduleAttempts}, policy);
    CHECK(top.next_attempt_s == tern::kMaxScheduleSeconds);
    CHECK(top.attempts == tern::kMaxScheduleAttempts);
}

TEST_CASE("bounce senders get bounce_queue_lifetime", "[qmgr][backoff]") {
    const qmgr::Lifetimes life{.maximal_s = 500, .bounce_s = 50, .double_bounce_sender = "double-bounce"};
    CHECK(qmgr::queue_lifetime_s("", life) == 50);
    CHECK(qmgr::queue_lifetime_s("double-bounce", life) == 50);
    CHECK(qmgr::queue_lifetime_s("double-bounce@mx.example", life) == 50);
    CHECK(qmgr::queue_lifetime_s("double-bouncer@mx.example", life) == 500);
    CHECK(qmgr::queue_lifetime_s("a@example.com", life) == 500);
    CHECK_FALSE(qmgr::is_bounce_sender("x", ""));
}

TEST_CASE("expiry is now >= arrival + lifetime", "[qmgr][backoff]") {
    CHECK_FALSE(qmgr::is_expired(1099, 1000, 100));
    CHECK(qmgr::is_expired(1100, 1000, 100));
    CHECK(qmgr::is_expired(1101, 1000, 100));
    CHECK(qmgr::is_expired(1000, 1000, 0));  // lifetime 0: after the first attempt
    CHECK_FALSE(qmgr::is_expired(1000, INT64_MAX - 5, 100));
}

TEST_CASE("delay warning is due once, after arrival + delay_warning_time", "[qmgr][backoff]") {
    const qmgr::Lifetimes lifetimes;
    tern::QueueFile file;
    file.arrival.tv_sec = 1000;
    file.sender = "a@example.com";
    file.warning_offset = 200;
    CHECK_FALSE(qmgr::delay_warning_due(1099, file, 100, lifetimes));
    CHECK(qmgr::delay_warning_due(1100, file, 100, lifetimes));
    CHECK(qmgr::delay_warning_due(5000, file, 100, lifetimes));
    CHECK_FALSE(qmgr::delay_warning_due(5000, file, 0, lifetimes));  // delay_warning_time = 0: off
    CHECK_FALSE(qmgr::delay_warning_due(INT64_MAX, file, INT64_MAX, lifetimes));
    file.warning_sent_s = 1100;  // sent already
    CHECK_FALSE(qmgr::delay_warning_due(5000, file, 100, lifetimes));
    file.warning_sent_s = 0;
    file.warning_offset = 0;  // a file from before the record existed
    CHECK_FALSE(qmgr::delay_warning_due(5000, file, 100, lifetimes));
    file.warning_offset = 200;
    for (const char* sender : {"", "double-bounce", "double-bounce@example.com"}) {
        file.sender = sender;
        INFO("sender " << sender);
        CHECK_FALSE(qmgr::delay_warning_due(5000, file, 100, lifetimes));
    }
}
