// cleanup/queue_output.h - a new queue file in incoming/ under a temporary name, and its queue ID
//
// SYNOPSIS
//     tern::Result<cleanup::NewQueueFile> f = cleanup::create_queue_file("incoming");
//     f->id.str();  f->temp.path();                 // "incoming/tmp.cleanup.PID.N"
//     std::string final_path = cleanup::final_path(tern::QueueName::Incoming, f->id);
//     f->temp.release();                            // group commit owns the name now
//     std::size_t n = cleanup::remove_stale_temp_files("incoming");  // at start
// DESCRIPTION
//     The file is created O_EXCL|O_NOFOLLOW, mode 0600, relative to the
//     working directory (queue_directory: master chdirs there, and a
//     chrooted daemon's "/" is it). Its name contains '.', so it is never
//     a valid queue ID and qmgr never picks it up half-written. The queue
//     ID is made from the creation time and the file's inode
//     (lib/mail/queue_id.h), so it is final from the first moment: the
//     source logs it at once. TempName removes the file when it goes out
//     of scope unless released.
//     remove_stale_temp_files: a cleanup killed mid-message (kill -9, a
//     crash) cannot finish its files; the next cleanup process hands
//     every "tmp.cleanup.PID.N" whose PID is no longer running to
//     lib/mail/queue_recovery.h: a complete one (acknowledged, but its
//     rename lost in a crash) becomes a queue file, any other is removed
//     (a live PID, even a reused one, keeps its files: never touch a file
//     that may still be written).
// ERRORS
//     Temporary, naming the file, when it cannot be created or fstat'ed.
#pragma once

#include <sys/time.h>

#include <string>

#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/queue_id.h"
#include "lib/mail/queue_name.h"

namespace cleanup {

class TempName {
public:
    TempName() = default;
    explicit TempName(std::string path) : path_(std::move(path)) {}
    TempName(TempName&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempName& operator=(TempName&& other) noexcept;
    TempName(const TempName&) = delete;
    TempName& operator=(const TempName&) = delete;
    ~TempName() { remove(); }

    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    // Forget the name: someone else removes or renames the file now.
    void release() noexcept { path_.clear(); }
    // Remove the file now (once).
    void remove() noexcept;

private:
    std::string path_;
};

struct NewQueueFile {
    tern::Fd fd;
    TempName temp;
    tern::QueueId id;
    timeval created{};
};

[[nodiscard]] tern::Result<NewQueueFile> create_queue_file(const std::string& directory);
[[nodiscard]] std::string final_path(tern::QueueName queue, const tern::QueueId& id);
// Recovers or removes the temporary files of dead cleanup processes; returns how many.
std::size_t remove_stale_temp_files(const std::string& directory);

}  // namespace cleanup
