// lib/mail/group_commit.cpp - batched fsync + rename worker and its hand-back to the loop
#include "lib/mail/group_commit.h"

#include "lib/mail/queue_recovery.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

namespace tern {

namespace {

using Work = GroupCommitter::Work;

void fail_work(Work& w, std::string what, int errno_value) {
    w.status = fail(Retry::Temporary, std::move(what), errno_value);
}

void sync_one(Work& w) noexcept {
    if (::fsync(w.file.get()) != 0) fail_work(w, "fsync " + w.temp_path, errno);
    w.file.reset();
}

// fsyncs every file of the batch, on the pool's threads side by side
// (concurrent fsyncs end up in one journal commit), or one after the
// other without a pool.
void sync_files(std::vector<Work>& batch, SyncPool* pool) noexcept {
    if (pool == nullptr) {
        for (Work& w : batch) sync_one(w);
        return;
    }
    pool->run(batch.size(), [&batch](std::size_t i) noexcept { sync_one(batch[i]); });
}

void rename_one(Work& w) noexcept {
    if (!w.status) {
        ::unlink(w.temp_path.c_str());
        return;
    }
    if (rename_noreplace(w.temp_path, w.final_path) != 0) {
        fail_work(w, "rename " + w.temp_path + " to " + w.final_path, errno);
        ::unlink(w.temp_path.c_str());
    }
}

std::string directory_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// fsyncs each distinct directory that received a file; a failure there
// fails (and removes) every file renamed into it.
void sync_directories(std::vector<Work>& batch) noexcept {
    std::vector<std::string> done;
    for (const Work& w : batch) {
        if (!w.status || !w.sync_directory) continue;
        std::string dir = directory_of(w.final_path);
        if (std::find(done.begin(), done.end(), dir) != done.end()) continue;
        const Fd fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
        const int err = !fd ? errno : ::fsync(fd.get()) != 0 ? errno : 0;
        if (err != 0) {
            for (Work& other : batch) {
                if (!other.status || !other.sync_directory || directory_of(other.final_path) != dir) continue;
                fail_work(other, "fsync directory " + dir + " for " + other.final_path, err);
                ::unlink(other.final_path.c_str());
            }
        }
        done.push_back(std::move(dir));
    }
}

// One syncfs for the whole batch (all files are on one file system).
void syncfs_files(std::vector<Work>& batch) noexcept {
    if (::syncfs(batch.front().file.get()) != 0) {
        const int err = errno;
        for (Work& w : batch) fail_work(w, "syncfs for " + w.temp_path, err);
    }
    for (Work& w : batch) w.file.reset();
}

void commit_batch(std::vector<Work>& batch, const GroupCommitOptions& options, SyncPool* pool) noexcept {
    if (batch.empty()) return;
    switch (options.sync_method) {
        case SyncMethod::FsyncEach: sync_files(batch, pool); break;
        case SyncMethod::SyncFs: syncfs_files(batch); break;
    }
    for (Work& w : batch) rename_one(w);
    sync_directories(batch);
}

}  // namespace

GroupCommitter::GroupCommitter(Key, GroupCommitOptions options, Fd wake) noexcept
    : options_(options), wake_(std::move(wake)) {}

Result<std::unique_ptr<GroupCommitter>> GroupCommitter::create(event_base* base, GroupCommitOptions options) {
    options.max_batch = std::clamp<std::size_t>(options.max_batch, 1, kMaxCommitBatch);
    options.sync_threads = std::clamp(options.sync_threads, 1, kMaxSyncThreads);
    options.max_wait = std::clamp(options.max_wait, std::chrono::microseconds{0}, kMaxCommitWait);
    Fd wake{::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};
    if (!wake) return fail(Retry::Temporary, "group commit: eventfd", errno);
    auto gc = std::make_unique<GroupCommitter>(Key{}, options, std::move(wake));
    Result<EventPtr> ev = make_event<&GroupCommitter::on_results>(base, gc->wake_.get(), EV_READ | EV_PERSIST,
                                                                  gc.get());
    if (!ev) return tl::unexpected(ev.error());
    gc->wake_event_ = std::move(*ev);
    if (Status s = add_event(gc->wake_event_.get()); !s) return tl::unexpected(s.error());
    if (options.mode == CommitMode::Batched) {
        if (options.sync_method == SyncMethod::FsyncEach && options.sync_threads > 1)
            gc->pool_ = std::make_unique<SyncPool>(options.sync_threads - 1);
        try {
            gc->worker_ = std::jthread([raw = gc.get()](std::stop_token stop) { raw->run_worker(stop); });
        } catch (const std::system_error& e) {
            return fail(Retry::Temporary, "group commit: cannot start worker thread", e.code().value());
        }
    }
    return gc;
}

GroupCommitter::~GroupCommitter() {
    if (worker_.joinable()) {
        worker_.request_stop();
        worker_.join();
    }
    // Not started: nobody will be told, so leave nothing behind.
    for (Work& w : queue_) ::unlink(w.temp_path.c_str());
}

void GroupCommitter::submit(CommitJob job) {
    const std::uint64_t id = next_id_++;
    callbacks_.emplace(id, std::move(job.done));
    std::vector<Work> batch;
    batch.push_back(Work{id, std::move(job.file), std::move(job.temp_path), std::move(job.final_path), {},
                         job.sync_directory});
    if (options_.mode == CommitMode::Synchronous) {
        commit_batch(batch, GroupCommitOptions{.sync_method = SyncMethod::FsyncEach, .sync_threads = 1}, nullptr);
        deliver(batch);
        return;
    }
    {
        const std::lock_guard lock(mutex_);
        queue_.push_back(std::move(batch.front()));
    }
    queue_changed_.notify_one();
}

void GroupCommitter::run_worker(std::stop_token stop) noexcept {
    std::vector<Work> batch;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            if (!queue_changed_.wait(lock, stop, [this] { return !queue_.empty(); })) return;
            if (options_.max_wait.count() > 0 && queue_.size() < options_.max_batch) {
                const auto deadline = std::chrono::steady_clock::now() + options_.max_wait;
                queue_changed_.wait_until(lock, stop, deadline,
                                          [this] { return queue_.size() >= options_.max_batch; });
            }
            if (stop.stop_requested()) return;  // the destructor removes what is queued
            const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), options_.max_batch));
            batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.begin() + n));
            queue_.erase(queue_.begin(), queue_.begin() + n);
        }
        commit_batch(batch, options_, pool_.get());
        deliver(batch);
        batch.clear();
    }
}

// Hands finished work to the loop thread and wakes it.
void GroupCommitter::deliver(std::vector<Work>& batch) noexcept {
    {
        const std::lock_guard lock(mutex_);
        for (Work& w : batch) results_.push_back(std::move(w));
    }
    const std::uint64_t one = 1;
    // EAGAIN means the counter is already non-zero: the loop wakes anyway.
    [[maybe_unused]] const ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

void GroupCommitter::on_results(evutil_socket_t, short) noexcept {
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t n = ::read(wake_.get(), &count, sizeof count);
    std::vector<Work> ready;
    {
        const std::lock_guard lock(mutex_);
        ready.swap(results_);
    }
    for (Work& w : ready) {
        const auto it = callbacks_.find(w.id);
        if (it == callbacks_.end()) continue;
        std::function<void(Status)> done = std::move(it->second);
        callbacks_.erase(it);
        if (done) done(std::move(w.status));
    }
}

}  // namespace tern
