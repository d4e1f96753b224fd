// tests/unit/sync_pool_test.cpp - lib/mail/sync_pool: every item once, side by side, round after round
#include "lib/mail/sync_pool.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

TEST_CASE("sync pool: every item runs exactly once, in many rounds", "[sync_pool]") {
    tern::SyncPool pool(7);
    CHECK(pool.helpers() == 7);
    for (std::size_t round = 0; round < 200; ++round) {
        const std::size_t count = round % 17;
        std::vector<std::atomic<int>> calls(count);
        pool.run(count, [&calls](std::size_t i) noexcept { ++calls[i]; });
        for (std::size_t i = 0; i < count; ++i) REQUIRE(calls[i].load() == 1);
    }
}

TEST_CASE("sync pool: items of one round run on several threads at once", "[sync_pool]") {
    tern::SyncPool pool(3);
    std::atomic<int> inside{0};
    std::atomic<int> most{0};
    std::mutex mutex;
    std::set<std::thread::id> threads;
    pool.run(8, [&](std::size_t) noexcept {
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        {
            const std::lock_guard lock(mutex);
            threads.insert(std::this_thread::get_id());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // an fsync's wait, made visible
        --inside;
    });
    CHECK(most.load() > 1);
    CHECK(threads.size() > 1);
}

TEST_CASE("sync pool: without helpers the caller does everything", "[sync_pool]") {
    tern::SyncPool pool(0);
    CHECK(pool.helpers() == 0);
    std::vector<std::thread::id> who;
    pool.run(3, [&who](std::size_t) noexcept { who.push_back(std::this_thread::get_id()); });
    REQUIRE(who.size() == 3);
    for (const std::thread::id& id : who) CHECK(id == std::this_thread::get_id());
}
