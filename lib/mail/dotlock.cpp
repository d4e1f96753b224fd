// lib/mail/dotlock.cpp - take and release FILE.lock, with stale lock removal
//
// SYNOPSIS
//     tern::Result<tern::Dotlock> lock = tern::take_dotlock(path, timeout_s);
// DESCRIPTION
//     See lib/mail/dotlock.h. Tries every kLockRetryMs until timeout_s
//     is over (at least one try).
// ERRORS
//     Temporary, naming the lock file.
#include "lib/mail/dotlock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <thread>

#include "lib/base/fd.h"
#include "lib/mail/mailbox.h"

namespace tern {

namespace {

constexpr auto kLockRetry = std::chrono::milliseconds(50);

// Removes `lock_path` when it is older than kStaleDotlockS; true if removed.
bool remove_stale(const std::string& lock_path) {
    struct stat st {};
    if (::lstat(lock_path.c_str(), &st) < 0) return errno == ENOENT;  // gone: try again at once
    if (std::time(nullptr) - st.st_mtime <= kStaleDotlockS) return false;
    return ::unlink(lock_path.c_str()) == 0 || errno == ENOENT;
}

}  // namespace

Dotlock& Dotlock::operator=(Dotlock&& other) noexcept {
    if (this != &other) {
        release();
        lock_path_ = std::move(other.lock_path_);
        other.lock_path_.clear();
    }
    return *this;
}

void Dotlock::release() noexcept {
    if (lock_path_.empty()) return;
    (void)::unlink(lock_path_.c_str());
    lock_path_.clear();
}

void lock_retry_pause() noexcept { std::this_thread::sleep_for(kLockRetry); }

Result<Dotlock> take_dotlock(const std::string& path, int timeout_s) {
    const std::string lock_path = path + ".lock";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (true) {
        Fd fd{::open(lock_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
        if (fd) return Dotlock(lock_path);
        const int error = errno;
        if (error == EACCES || error == EPERM || error == EROFS) return Dotlock();  // may not: skip
        if (error != EEXIST)
            return fail(Retry::Temporary, "cannot lock mailbox " + path + ": create " + lock_path, error);
        if (remove_stale(lock_path)) continue;
        if (std::chrono::steady_clock::now() >= deadline)
            return fail(Retry::Temporary, "cannot lock mailbox " + path + ": lock file " + lock_path + " busy");
        lock_retry_pause();
    }
}

}  // namespace tern
