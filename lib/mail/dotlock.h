// lib/mail/dotlock.h - the FILE.lock convention for mbox files (internal to the mbox writer)
//
// SYNOPSIS
//     tern::Result<tern::Dotlock> lock = tern::take_dotlock("/var/mail/b", 60);
//     if (!lock) return fail(...);          // "cannot lock mailbox"
//     ... write /var/mail/b ...             // lock->held() false: skipped, see below
//     // the destructor removes /var/mail/b.lock
// DESCRIPTION
//     take_dotlock creates PATH.lock with O_CREAT|O_EXCL (mode 0600) and
//     retries while another process holds it, until timeout_s is over.
//     A lock file older than kStaleDotlockS (by its modification time) is
//     stale: a holder that lives that long died; it is removed and taken.
//     When the directory does not let us create files (EACCES, EPERM,
//     EROFS), as a mail spool directory for a user without write access
//     there, the dotlock is skipped and an empty Dotlock returned: the
//     fcntl lock still protects the file (Postfix's local does the same
//     without its privileged dotlock).
// ERRORS
//     Temporary "cannot lock mailbox PATH: lock file PATH.lock busy" when
//     the time is over; other create errors with their errno.
#pragma once

#include <string>

#include "lib/base/result.h"

namespace tern {

class Dotlock {
public:
    Dotlock() = default;
    explicit Dotlock(std::string lock_path) noexcept : lock_path_(std::move(lock_path)) {}
    Dotlock(Dotlock&& other) noexcept : lock_path_(std::move(other.lock_path_)) { other.lock_path_.clear(); }
    Dotlock& operator=(Dotlock&& other) noexcept;
    Dotlock(const Dotlock&) = delete;
    Dotlock& operator=(const Dotlock&) = delete;
    ~Dotlock() { release(); }

    [[nodiscard]] bool held() const noexcept { return !lock_path_.empty(); }
    [[nodiscard]] const std::string& lock_path() const noexcept { return lock_path_; }
    void release() noexcept;

private:
    std::string lock_path_;
};

[[nodiscard]] Result<Dotlock> take_dotlock(const std::string& path, int timeout_s);

// For the mbox writer and tests: sleep a short while between lock tries.
void lock_retry_pause() noexcept;

}  // namespace tern
