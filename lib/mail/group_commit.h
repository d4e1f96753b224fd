// lib/mail/group_commit.h - make queue files durable in batches, off the event loop
//
// SYNOPSIS
//     Result<std::unique_ptr<GroupCommitter>> gc = GroupCommitter::create(base, {});
//     (*gc)->submit({.file = writer.release_fd(),
//                    .temp_path = "incoming/.tmp.4XyZ", .final_path = "incoming/4XyZ",
//                    .done = [this](tern::Status s) { reply(s); }});
//     std::size_t n = (*gc)->pending();     // jobs whose done has not run yet
// DESCRIPTION
//     DESIGN.md section 11: the loop never blocks on the disk, and a client
//     hears 250 only once its own queue file is on disk. submit() takes a
//     file whose content is already written and returns at once. A worker
//     thread takes the waiting jobs as one batch (at most max_batch): it
//     fsyncs every file (on sync_threads threads at a time, started once,
//     lib/mail/sync_pool.h, so the kernel merges their journal commits; or
//     one syncfs, see SyncMethod), renames temp_path to final_path
//     without ever replacing an existing final_path (rename_noreplace,
//     lib/mail/queue_recovery.h), then fsyncs each distinct final
//     directory once (skipped for jobs with sync_directory = false, whose
//     owner recovers the temporary name after a crash instead). Jobs submitted while
//     a batch is on the disk form the next batch, so batches grow with the
//     load by themselves; max_wait (default 0) makes the worker wait that
//     long for a batch to fill before it starts a small one.
//
//     Results come back through an eventfd watched by a libevent event on
//     the owner's base: each job's done runs on the loop thread, exactly
//     once, never on the worker. A done callback may submit more jobs but
//     must not destroy the committer.
//
//     CommitMode::Synchronous does the same work without a thread, one
//     job at a time inside submit() with fsync per file (the loop blocks: "without batching",
//     for comparison); done still runs later from the loop.
//
//     Destroying the committer (on the loop thread) lets the worker finish
//     the batch it has started, stops and joins it, removes the temp files
//     of jobs not started, and runs no done callback any more: the owner
//     is going away and closes its clients, which retry.
// ERRORS
//     Each job succeeds or fails on its own, others in the batch proceed.
//     A failed fsync or rename is a Temporary error naming the file; the
//     temp file is removed. With SyncFs a failed syncfs fails the whole
//     batch (the error names no single file). A failed directory fsync fails every job
//     renamed into that directory and removes their final files (a client
//     told 4xx retries; a file left behind would be delivered twice).
//     create() fails Temporary when the eventfd, the event or the thread
//     cannot be made.
// LIMITS
//     max_batch 1..4096, sync_threads 1..64, max_wait up to 1 s; create()
//     clamps to these. Paths are used as given (relative to the cwd).
#pragma once

#include <event2/event.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/sync_pool.h"

namespace tern {

struct CommitJob {
    Fd file;                               // content written, not yet fsynced
    std::string temp_path;                 // where the file is now
    std::string final_path;                // where it goes; must not exist
    std::function<void(Status)> done;      // runs once, on the loop thread
    // false: the final directory is not fsynced for this file; the caller
    // recovers a rename lost in a crash (cleanup's incoming/:
    // lib/mail/queue_recovery.h).
    bool sync_directory = true;
};

enum class CommitMode { Batched, Synchronous };
// How a batch's file data reaches the disk: fsync(2) on each file, by
// sync_threads threads at once; or one syncfs(2) on the file system of the
// batch's first file (which also writes everyone else's dirty data on it).
enum class SyncMethod { FsyncEach, SyncFs };

struct GroupCommitOptions {
    CommitMode mode = CommitMode::Batched;
    std::size_t max_batch = 256;
    std::chrono::microseconds max_wait{0};
    SyncMethod sync_method = SyncMethod::FsyncEach;
    int sync_threads = 8;                  // concurrent fsyncs within one batch
};

constexpr std::size_t kMaxCommitBatch = 4096;
constexpr int kMaxSyncThreads = 64;
constexpr std::chrono::microseconds kMaxCommitWait{1'000'000};

class GroupCommitter {
public:
    [[nodiscard]] static Result<std::unique_ptr<GroupCommitter>> create(event_base* base,
                                                                       GroupCommitOptions options);
    ~GroupCommitter();
    struct Key {  // lets only create() construct, through std::make_unique
        explicit Key() = default;
    };
    GroupCommitter(Key, GroupCommitOptions options, Fd wake) noexcept;
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    // Queues the job; its done runs later from the loop. Loop thread only.
    void submit(CommitJob job);
    [[nodiscard]] std::size_t pending() const noexcept { return callbacks_.size(); }

    // One job as the worker sees it; public for the .cpp's helpers only.
    struct Work {
        std::uint64_t id = 0;
        Fd file;
        std::string temp_path;
        std::string final_path;
        Status status;
        bool sync_directory = true;
    };

private:
    void run_worker(std::stop_token stop) noexcept;
    void deliver(std::vector<Work>& batch) noexcept;
    void on_results(evutil_socket_t fd, short what) noexcept;

    const GroupCommitOptions options_;
    Fd wake_;                              // eventfd: worker -> loop
    EventPtr wake_event_;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, std::function<void(Status)>> callbacks_;  // loop thread only

    std::mutex mutex_;                     // guards queue_ and results_
    std::condition_variable_any queue_changed_;
    std::vector<Work> queue_;
    std::vector<Work> results_;
    std::unique_ptr<SyncPool> pool_;       // fsync helpers of the worker (Batched, FsyncEach)
    std::jthread worker_;                  // last: joined before the rest goes
};

}  // namespace tern
