// lib/base/identity.h - act as another user for a while (effective uid/gid), then back to root
//
// SYNOPSIS
//     {
//         tern::ScopedIdentity as_user(account.uid, account.gid);
//         if (!as_user.ok()) return fail(as_user.error());
//         open and write the user's mailbox ...
//     }   // effective identity is root again here
// DESCRIPTION
//     For delivery agents that run as root (local, virtual) and must never
//     write into a user's folder as root. The constructor sets the
//     supplementary groups to {gid}, then the effective gid, then the
//     effective uid (setgroups, setegid, seteuid); the destructor restores
//     euid 0, egid 0 and the groups it found. The real and saved ids stay
//     root, so the process can switch again for the next recipient.
//     Not for processes with threads that do file work meanwhile: the ids
//     are per process.
//     Run as a non-root user (tests), switching to one's own ids is a
//     no-op that succeeds, and to any other fails.
// ERRORS
//     ok() false and error() say which call failed; the destructor of a
//     failed switch restores what it changed. A failure to restore root is
//     fatal (log_panic): the process must not go on with the wrong identity.
#pragma once

#include <sys/types.h>

#include <vector>

#include "lib/base/result.h"

namespace tern {

class ScopedIdentity {
public:
    ScopedIdentity(uid_t uid, gid_t gid) noexcept;
    ScopedIdentity(const ScopedIdentity&) = delete;
    ScopedIdentity& operator=(const ScopedIdentity&) = delete;
    ~ScopedIdentity();

    [[nodiscard]] bool ok() const noexcept { return ok_; }
    [[nodiscard]] const Error& error() const noexcept { return error_; }

private:
    bool ok_ = false;
    bool switched_uid_ = false;
    bool switched_gid_ = false;
    bool switched_groups_ = false;
    uid_t old_uid_ = 0;
    gid_t old_gid_ = 0;
    std::vector<gid_t> old_groups_;
    Error error_;
};

}  // namespace tern
