// lib/base/identity.cpp - ScopedIdentity: effective uid/gid switch for root delivery agents
//
// SYNOPSIS
//     { tern::ScopedIdentity as_user(uid, gid); if (!as_user.ok()) ...; write ...; }
// DESCRIPTION
//     See lib/base/identity.h. Order matters: groups and gid change while
//     we are still root (euid 0), the uid last; on the way back the uid is
//     restored first, since only euid 0 may set the groups and gid again.
// ERRORS
//     A failed switch leaves ok() false with the call named in error();
//     a failed restore is log_panic: going on as the wrong user is worse
//     than dying.
#include "lib/base/identity.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "lib/base/log.h"

namespace tern {

namespace {

// The current supplementary groups; empty on failure (restored as none).
std::vector<gid_t> current_groups() {
    const int count = ::getgroups(0, nullptr);
    if (count <= 0) return {};
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    const int got = ::getgroups(count, groups.data());
    if (got < 0) return {};
    groups.resize(static_cast<std::size_t>(got));
    return groups;
}

}  // namespace

ScopedIdentity::ScopedIdentity(uid_t uid, gid_t gid) noexcept {
    old_uid_ = ::geteuid();
    old_gid_ = ::getegid();
    if (old_uid_ == uid && old_gid_ == gid) {  // already there (tests, or root to root)
        ok_ = true;
        return;
    }
    if (old_uid_ != 0) {
        error_ = Error{Retry::Temporary,
                       "cannot switch to uid " + std::to_string(uid) + " gid " + std::to_string(gid) +
                           ": not running as root",
                       EPERM};
        return;
    }
    old_groups_ = current_groups();
    if (::setgroups(1, &gid) < 0) {
        error_ = Error{Retry::Temporary, "setgroups(" + std::to_string(gid) + ")", errno};
        return;
    }
    switched_groups_ = true;
    if (::setegid(gid) < 0) {
        error_ = Error{Retry::Temporary, "setegid(" + std::to_string(gid) + ")", errno};
        return;
    }
    switched_gid_ = true;
    if (::seteuid(uid) < 0) {
        error_ = Error{Retry::Temporary, "seteuid(" + std::to_string(uid) + ")", errno};
        return;
    }
    switched_uid_ = true;
    ok_ = true;
}

ScopedIdentity::~ScopedIdentity() {
    if (switched_uid_ && ::seteuid(old_uid_) < 0)
        log_panic("seteuid(%u) back: %s", static_cast<unsigned>(old_uid_), std::strerror(errno));
    if (switched_gid_ && ::setegid(old_gid_) < 0)
        log_panic("setegid(%u) back: %s", static_cast<unsigned>(old_gid_), std::strerror(errno));
    if (switched_groups_ && ::setgroups(old_groups_.size(), old_groups_.data()) < 0)
        log_panic("setgroups back: %s", std::strerror(errno));
}

}  // namespace tern
