// lib/mail/mbox.cpp - deliver_mbox: append one message to an mbox file under dotlock and fcntl lock
//
// SYNOPSIS
//     tern::Status s = tern::deliver_mbox("/var/mail/b", message, tern::MboxLocking{});
// DESCRIPTION
//     See lib/mail/mailbox.h. Order: dotlock (lib/mail/dotlock.h), open
//     O_APPEND|O_NOFOLLOW (O_NONBLOCK, so a FIFO planted there cannot
//     hang us; cleared after the checks), fstat (regular file, one link),
//     fcntl write lock, remember the size, write (lib/mail/mailbox_content.h),
//     fsync; on any error after the size was taken, ftruncate back to it.
//     The descriptor is closed (fcntl lock gone) before the dotlock is
//     removed.
// SECURITY
//     Runs as the recipient (the caller's ScopedIdentity). Symlinks, hard
//     links and non-regular files are refused, as Postfix's safe_open does.
// ERRORS
//     Temporary, the text names the mailbox and the failing step.
#include "lib/mail/mailbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "lib/base/fd.h"
#include "lib/mail/dotlock.h"
#include "lib/mail/mailbox_content.h"

namespace tern {

namespace {

Result<Fd> open_mbox(const std::string& path) {
    Fd fd{::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                 0600)};
    if (!fd) {
        const int error = errno;
        if (error == ELOOP) return fail(Retry::Temporary, "cannot open mailbox " + path + ": is a symbolic link");
        return fail(Retry::Temporary, "cannot open mailbox " + path, error);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0) return fail(Retry::Temporary, "cannot fstat mailbox " + path, errno);
    if (!S_ISREG(st.st_mode))
        return fail(Retry::Temporary, "cannot open mailbox " + path + ": not a regular file");
    if (st.st_nlink != 1)
        return fail(Retry::Temporary, "cannot open mailbox " + path + ": file has " +
                                          std::to_string(st.st_nlink) + " hard links");
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) < 0)
        return fail(Retry::Temporary, "cannot set flags of mailbox " + path, errno);
    return fd;
}

// An exclusive fcntl lock on the whole file, retried until timeout_s.
Status lock_fcntl(int fd, const std::string& path, int timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (true) {
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        if (::fcntl(fd, F_SETLK, &lock) == 0) return {};
        const int error = errno;
        if (error != EAGAIN && error != EACCES && error != EINTR)
            return fail(Retry::Temporary, "cannot lock mailbox " + path, error);
        if (std::chrono::steady_clock::now() >= deadline)
            return fail(Retry::Temporary, "cannot lock mailbox " + path + ": held by another process");
        lock_retry_pause();
    }
}

// Writes the message and makes it durable; truncates back to the old size on failure.
Status append_message(int fd, const std::string& path, const MailboxMessage& message) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) return fail(Retry::Temporary, "cannot fstat mailbox " + path, errno);
    const off_t old_size = st.st_size;
    Status written = copy_message(fd, message, MailboxFormat::Mbox, path);
    if (written && ::fsync(fd) < 0) written = fail(Retry::Temporary, "error writing message to " + path, errno);
    if (!written) (void)::ftruncate(fd, old_size);  // undo; nothing better to do if this fails too
    return written;
}

}  // namespace

Status deliver_mbox(const std::string& path, const MailboxMessage& message, const MboxLocking& locking) {
    Dotlock dotlock;  // declared first: removed after the descriptor is closed
    if (locking.dotlock) {
        Result<Dotlock> taken = take_dotlock(path, locking.lock_timeout_s);
        if (!taken) return tl::unexpected(taken.error());
        dotlock = std::move(*taken);
    }
    Result<Fd> fd = open_mbox(path);
    if (!fd) return tl::unexpected(fd.error());
    if (locking.fcntl_lock) {
        if (Status s = lock_fcntl(fd->get(), path, locking.lock_timeout_s); !s) return s;
    }
    return append_message(fd->get(), path, message);
}

}  // namespace tern
