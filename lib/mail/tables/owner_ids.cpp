// lib/mail/tables/owner_ids.cpp - run as the owner of a source file for a while (see owner_ids.h)
#include "lib/mail/tables/owner_ids.h"

#include <grp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/base/log.h"

namespace tern {

tern::Result<OwnerIds> OwnerIds::become(uid_t uid, gid_t gid) {
    OwnerIds ids;
    if (::geteuid() != 0 || uid == 0) return ids;
    ids.saved_gid_ = ::getegid();
    const int count = ::getgroups(0, nullptr);
    if (count < 0) return tern::fail(tern::Retry::Permanent, "getgroups", errno);
    ids.groups_.resize(static_cast<std::size_t>(count));
    if (::getgroups(count, ids.groups_.data()) < 0) return tern::fail(tern::Retry::Permanent, "getgroups", errno);
    if (::setgroups(1, &gid) != 0) return tern::fail(tern::Retry::Permanent, "setgroups", errno);
    ids.active_ = true;  // from here on the destructor restores
    if (::setegid(gid) != 0) return tern::fail(tern::Retry::Permanent, "setegid " + std::to_string(gid), errno);
    if (::seteuid(uid) != 0) return tern::fail(tern::Retry::Permanent, "seteuid " + std::to_string(uid), errno);
    return ids;
}

OwnerIds::~OwnerIds() {
    if (!active_) return;
    // Failing to become root again would leave later files to the wrong owner.
    if (::seteuid(0) != 0 || ::setegid(saved_gid_) != 0 || ::setgroups(groups_.size(), groups_.data()) != 0)
        TERN_PANIC("cannot restore root privileges: %s", std::strerror(errno));
}

}  // namespace tern
