// lib/base/account.h - look up users and groups, drop privileges, chroot
//
// SYNOPSIS
//     tern::Result<tern::Account> a = tern::lookup_account("tern");
//     tern::Result<gid_t> g = tern::lookup_group("terndrop");
//     tern::Status s = tern::enter_chroot("/var/spool/tern");   // as root
//     tern::Status d = tern::drop_privileges(*a);               // for good
// DESCRIPTION
//     drop_privileges sets the supplementary groups to the account's
//     primary group only, then gid, then uid, and verifies that root
//     cannot be regained. enter_chroot changes directory into the new
//     root first so no descriptor of the old root's cwd is left behind.
// ERRORS
//     Unknown user or group and failed system calls are Permanent errors
//     naming the user, group or directory.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace tern {

struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
};

[[nodiscard]] Result<Account> lookup_account(std::string_view user);
[[nodiscard]] Result<Account> lookup_account(uid_t uid);
[[nodiscard]] Result<gid_t> lookup_group(std::string_view group);
[[nodiscard]] Status enter_chroot(const std::string& directory);
[[nodiscard]] Status drop_privileges(const Account& account);

}  // namespace tern
