// tests/unit/qmgr_scheduler_test.cpp - qmgr destination queues, concurrency, dead destinations
#include "qmgr/scheduler.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

namespace {

qmgr::Scheduler make_scheduler(std::map<std::string, qmgr::TransportLimits> limits) {
    return qmgr::Scheduler([limits](std::string_view name) {
        auto found = limits.find(std::string(name));
        return found == limits.end() ? qmgr::TransportLimits{} : found->second;
    });
}

qmgr::Route route(std::string_view transport, std::string_view nexthop, std::string_view rcpt = "r@x") {
    return {.transport = transport, .nexthop = nexthop, .recipient = rcpt};
}

}  // namespace

TEST_CASE("recipients of one message to one destination form one batch up to the limit", "[qmgr][scheduler]") {
    auto s = make_scheduler({{"smtp", {.destination_concurrency = 2, .recipient_limit = 3, .process_limit = 10}}});
    for (std::size_t i = 0; i < 7; ++i) REQUIRE(s.add(route("smtp", "example.com"), {1, i}, 0).status == qmgr::AdmissionStatus::Queued);
    CHECK(s.waiting() == 7);
    auto first = s.next_batch(0);
    REQUIRE(first);
    CHECK(first->recipients == std::vector<std::size_t>{0, 1, 2});
    CHECK(first->nexthop == "example.com");
    auto second = s.next_batch(0);
    REQUIRE(second);
    CHECK(second->recipients == std::vector<std::size_t>{3, 4, 5});
    CHECK_FALSE(s.next_batch(0));  // concurrency 2 reached
    CHECK(s.in_flight() == 2);
    s.finish(*first);
    auto third = s.next_batch(0);
    REQUIRE(third);
    CHECK(third->recipients == std::vector<std::size_t>{6});
    s.finish(*second);
    s.finish(*third);
    CHECK(s.in_flight() == 0);
    CHECK(s.waiting() == 0);
    CHECK_FALSE(s.next_batch(0));
}

TEST_CASE("a batch never mixes messages", "[qmgr][scheduler]") {
    auto s = make_scheduler({});
    REQUIRE(s.add(route("smtp", "d"), {1, 0}, 0).status == qmgr::AdmissionStatus::Queued);
    REQUIRE(s.add(route("smtp", "d"), {2, 0}, 0).status == qmgr::AdmissionStatus::Queued);
    REQUIRE(s.add(route("smtp", "d"), {2, 1}, 0).status == qmgr::AdmissionStatus::Queued);
    auto a = s.next_batch(0);
    auto b = s.next_batch(0);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->message == 1);
    CHECK(a->recipients.size() == 1);
    CHECK(b->message == 2);
    CHECK(b->recipients.size() == 2);
}

TEST_CASE("recipient limit 1 makes every recipient its own destination", "[qmgr][scheduler]") {
    auto s = make_scheduler({{"local", {.destination_concurrency = 1, .recipient_limit = 1, .process_limit = 0}}});
    REQUIRE(s.add(route("local", "mx", "a@mx"), {1, 0}, 0).status == qmgr::AdmissionStatus::Queued);
    REQUIRE(s.add(route("local", "mx", "b@mx"), {1, 1}, 0).status == qmgr::AdmissionStatus::Queued);
    REQUIRE(s.add(route("local", "mx", "a@mx"), {2, 0}, 0).status == qmgr::AdmissionStatus::Queued);
    auto a = s.next_batch(0);
    auto b = s.next_batch(0);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->destination != b->destination);  // two recipients in parallel
    CHECK(a->nexthop == "mx");
    CHECK_FALSE(s.next_batch(0));             // a@mx again waits for concurrency 1
    s.finish(*a);
    auto c = s.next_batch(0);
    REQUIRE(c);
    CHECK(c->message == 2);
}

TEST_CASE("the process limit caps a transport, other transports go on", "[qmgr][scheduler]") {
    auto s = make_scheduler({{"slow", {.destination_concurrency = 0, .recipient_limit = 1, .process_limit = 1}},
                             {"fast", {.destination_concurrency = 0, .recipient_limit = 50, .process_limit = 0}}});
    REQUIRE(s.add(route("slow", "a", "1@a"), {1, 0}, 0).status == qmgr::AdmissionStatus::Queued);
    REQUIRE(s.add(route("slow", "a", "2@a"), {1, 1}, 0).status == qmgr::AdmissionStatus::Queued);
    REQUIRE(s.add(route("fast", "b"), {2, 0}, 0).status == qmgr::AdmissionStatus::Queued);
    auto x = s.next_batch(0);
    auto y = s.next_batch(0);
    REQUIRE(x);
    REQUIRE(y);
    CHECK(x->transport != y->transport);
    CHECK_FALSE(s.next_batch(0));
    s.finish(x->transport == "slow" ? *x : *y);
    auto z = s.next_batch(0);
    REQUIRE(z);
    CHECK(z->transport == "slow");
}

TEST_CASE("a dead destination returns its waiting recipients and refuses new ones", "[qmgr][scheduler]") {
    auto s = make_scheduler({{"smtp", {.destination_concurrency = 1, .recipient_limit = 1, .process_limit = 0}}});
    REQUIRE(s.add(route("smtp", "d"), {1, 0}, 0).status == qmgr::AdmissionStatus::Queued);
    REQUIRE(s.add(route("smtp", "d"), {1, 1}, 0).status == qmgr::AdmissionStatus::Queued);
    auto b = s.next_batch(0);
    REQUIRE(b);
    std::vector<qmgr::Entry> waiting = s.kill_destination(*b, "connect refused", 100);
    CHECK(waiting == std::vector<qmgr::Entry>{{1, 1}});
    s.finish(*b);
    CHECK(s.waiting() == 0);
    qmgr::Admission refused = s.add(route("smtp", "d"), {2, 0}, 50);
    CHECK(refused.status == qmgr::AdmissionStatus::DeadDestination);
    CHECK(refused.reason == "connect refused");
    CHECK(s.add(route("smtp", "other"), {2, 1}, 50).status == qmgr::AdmissionStatus::Queued);
    CHECK(s.add(route("smtp", "d"), {2, 2}, 100).status == qmgr::AdmissionStatus::Queued);  // time is up
}

TEST_CASE("forget_dead revives destinations and transports", "[qmgr][scheduler]") {
    auto s = make_scheduler({});
    REQUIRE(s.add(route("smtp", "d"), {1, 0}, 0).status == qmgr::AdmissionStatus::Queued);
    REQUIRE(s.add(route("smtp", "e"), {1, 1}, 0).status == qmgr::AdmissionStatus::Queued);
    std::vector<qmgr::Entry> all = s.kill_transport("smtp", "mail transport unavailable", 1000);
    CHECK(all.size() == 2);
    CHECK(s.waiting() == 0);
    CHECK_FALSE(s.next_batch(0));
    qmgr::Admission a = s.add(route("smtp", "d"), {2, 0}, 10);
    CHECK(a.status == qmgr::AdmissionStatus::DeadTransport);
    CHECK(a.reason == "mail transport unavailable");
    s.forget_dead();
    CHECK(s.add(route("smtp", "d"), {2, 0}, 10).status == qmgr::AdmissionStatus::Queued);
    CHECK(s.next_batch(10));
    s.prune(2000);
}

TEST_CASE("recipient limits are clamped to 1..kMaxDeliveryRecipients", "[qmgr][scheduler]") {
    auto s = make_scheduler({{"zero", {.recipient_limit = 0}}, {"huge", {.recipient_limit = 100000}}});
    CHECK(s.limits_of("zero").recipient_limit == 1);
    CHECK(s.limits_of("huge").recipient_limit == 200);
    for (std::size_t i = 0; i < 201; ++i) REQUIRE(s.add(route("huge", "d"), {1, i}, 0).status == qmgr::AdmissionStatus::Queued);
    auto b = s.next_batch(0);
    REQUIRE(b);
    CHECK(b->recipients.size() == 200);
}
