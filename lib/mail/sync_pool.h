// lib/mail/sync_pool.h - a fixed set of threads that run the items of one batch at once (fsyncs)
//
// SYNOPSIS
//     tern::SyncPool pool(7);                       // 7 helper threads, started once
//     pool.run(files.size(), [&](std::size_t i) noexcept { ::fsync(files[i]); });
// DESCRIPTION
//     run() calls item(i) exactly once for every i in [0, count), on the
//     calling thread and on the pool's helpers together, and returns when
//     every call has returned. Group commit (lib/mail/group_commit.h) uses
//     it so that the fsyncs of one batch wait on the disk side by side
//     (the kernel merges them into one journal commit) without creating
//     and joining threads for every batch. Only one run() at a time: the
//     owner (the group commit worker) calls it from one thread.
//     The destructor stops and joins the helpers.
// ERRORS
//     A helper that cannot be started is simply missing: run() still does
//     every item (on fewer threads). item must not throw.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tern {

class SyncPool {
public:
    using Item = std::function<void(std::size_t)>;

    explicit SyncPool(int helpers);
    SyncPool(const SyncPool&) = delete;
    SyncPool& operator=(const SyncPool&) = delete;
    ~SyncPool();

    void run(std::size_t count, const Item& item) noexcept;
    [[nodiscard]] std::size_t helpers() const noexcept { return threads_.size(); }

private:
    void helper_loop(std::stop_token stop) noexcept;
    // Takes items of the current round until none is left; returns how many it did.
    std::size_t take_items() noexcept;

    std::mutex mutex_;
    std::condition_variable_any round_started_;
    std::condition_variable round_done_;
    const Item* item_ = nullptr;  // the current round's work, under mutex_
    std::size_t count_ = 0;
    std::size_t next_ = 0;        // next index to hand out
    std::size_t finished_ = 0;    // items whose call has returned
    std::size_t round_ = 0;       // bumped by every run()
    std::vector<std::jthread> threads_;
};

}  // namespace tern
