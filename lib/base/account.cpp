// lib/base/account.cpp - user and group lookups, privilege drop, chroot
#include "lib/base/account.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace tern {
namespace {

constexpr std::size_t kLookupBufferBytes = 16384;

Result<Account> from_passwd(const passwd& pw) {
    return Account{pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir ? pw.pw_dir : ""};
}

}  // namespace

Result<Account> lookup_account(std::string_view user) {
    const std::string name(user);
    std::vector<char> buffer(kLookupBufferBytes);
    passwd pw{};
    passwd* found = nullptr;
    const int rc = ::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found);
    if (rc != 0) return fail(Retry::Temporary, "look up user " + name, rc);
    if (!found) return fail(Retry::Permanent, "unknown user: " + name);
    return from_passwd(pw);
}

Result<Account> lookup_account(uid_t uid) {
    std::vector<char> buffer(kLookupBufferBytes);
    passwd pw{};
    passwd* found = nullptr;
    const int rc = ::getpwuid_r(uid, &pw, buffer.data(), buffer.size(), &found);
    if (rc != 0) return fail(Retry::Temporary, "look up uid " + std::to_string(uid), rc);
    if (!found) return fail(Retry::Permanent, "unknown uid: " + std::to_string(uid));
    return from_passwd(pw);
}

Result<gid_t> lookup_group(std::string_view group) {
    const std::string name(group);
    std::vector<char> buffer(kLookupBufferBytes);
    struct group gr {};
    struct group* found = nullptr;
    const int rc = ::getgrnam_r(name.c_str(), &gr, buffer.data(), buffer.size(), &found);
    if (rc != 0) return fail(Retry::Temporary, "look up group " + name, rc);
    if (!found) return fail(Retry::Permanent, "unknown group: " + name);
    return gr.gr_gid;
}

Status enter_chroot(const std::string& directory) {
    if (::chdir(directory.c_str()) != 0) return fail(Retry::Permanent, "chdir " + directory, errno);
    if (::chroot(directory.c_str()) != 0) return fail(Retry::Permanent, "chroot " + directory, errno);
    if (::chdir("/") != 0) return fail(Retry::Permanent, "chdir / in chroot " + directory, errno);
    return {};
}

Status drop_privileges(const Account& account) {
    const gid_t gid = account.gid;
    if (::setgroups(1, &gid) != 0) return fail(Retry::Permanent, "setgroups for " + account.name, errno);
    if (::setgid(gid) != 0) return fail(Retry::Permanent, "setgid for " + account.name, errno);
    if (::setuid(account.uid) != 0) return fail(Retry::Permanent, "setuid for " + account.name, errno);
    if (account.uid != 0 && ::setuid(0) == 0)
        return fail(Retry::Permanent, "privileges of " + account.name + " could be raised again");
    return {};
}

}  // namespace tern
