// lib/mail/sync_pool.cpp - helper threads for the items of one batch (see sync_pool.h)
#include "lib/mail/sync_pool.h"

#include <system_error>

namespace tern {

SyncPool::SyncPool(int helpers) {
    for (int i = 0; i < helpers; ++i) {
        try {
            threads_.emplace_back([this](std::stop_token stop) { helper_loop(stop); });
        } catch (const std::system_error&) {
            break;  // fewer helpers: run() still does every item
        }
    }
}

SyncPool::~SyncPool() {
    for (std::jthread& t : threads_) t.request_stop();
    round_started_.notify_all();
    threads_.clear();  // joins
}

std::size_t SyncPool::take_items() noexcept {
    std::size_t done = 0;
    std::unique_lock lock(mutex_);
    while (item_ != nullptr && next_ < count_) {
        const std::size_t i = next_++;
        const Item* item = item_;
        lock.unlock();
        (*item)(i);
        ++done;
        lock.lock();
        if (++finished_ == count_) round_done_.notify_all();
    }
    return done;
}

void SyncPool::helper_loop(std::stop_token stop) noexcept {
    std::size_t seen = 0;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            if (!round_started_.wait(lock, stop, [&] { return round_ != seen && item_ != nullptr; })) return;
            seen = round_;
        }
        (void)take_items();
    }
}

void SyncPool::run(std::size_t count, const Item& item) noexcept {
    if (count == 0) return;
    {
        const std::lock_guard lock(mutex_);
        item_ = &item;
        count_ = count;
        next_ = 0;
        finished_ = 0;
        ++round_;
    }
    if (count > 1) round_started_.notify_all();
    (void)take_items();
    std::unique_lock lock(mutex_);
    round_done_.wait(lock, [&] { return finished_ == count_; });
    item_ = nullptr;
}

}  // namespace tern
