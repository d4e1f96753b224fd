// lib/mail/tables/owner_ids.h - run as the owner of a source file for a while (postmap, postalias without -o)
//
// SYNOPSIS
//     tern::Result<tern::OwnerIds> ids = tern::OwnerIds::become(file.owner, file.group);
//     ... create NAME.db ...            // restored when ids goes out of scope
// DESCRIPTION
//     Postfix's postmap, run by root on a file that root does not own,
//     works with the effective user and group of the file's owner (its
//     set_eugid()), so a user's table cannot be used to make root write
//     where the user may not. become() does nothing unless the process
//     is root and the owner is not. Only the effective IDs change, and the
//     supplementary groups become the owner's group; all are restored.
#pragma once

#include <sys/types.h>

#include <utility>
#include <vector>

#include "lib/base/result.h"

namespace tern {

class OwnerIds {
public:
    OwnerIds(OwnerIds&& other) noexcept : active_(std::exchange(other.active_, false)), groups_(std::move(other.groups_)) {}
    OwnerIds& operator=(OwnerIds&&) = delete;
    OwnerIds(const OwnerIds&) = delete;
    OwnerIds& operator=(const OwnerIds&) = delete;
    ~OwnerIds();

    [[nodiscard]] static Result<OwnerIds> become(uid_t uid, gid_t gid);

private:
    OwnerIds() = default;

    bool active_ = false;
    gid_t saved_gid_ = 0;
    std::vector<gid_t> groups_;
};

}  // namespace tern
