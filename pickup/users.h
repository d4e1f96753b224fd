// pickup/users.h - login names for submit_user, also inside a chroot
//
// SYNOPSIS
//     pickup::UserNames names = pickup::UserNames::live();          // getpwuid(3) at each lookup
//     tern::Result<pickup::UserNames> snap = pickup::UserNames::from_file("/etc/passwd");
//     std::string user = names.lookup(uid);                         // "unknown" when none
//     pickup::UserNames parsed = pickup::UserNames::parse(text);    // tests
// DESCRIPTION
//     pickup tells cleanup the login name of the user who submitted a
//     message. Outside a chroot getpwuid(3) answers (NSS included); a
//     chrooted pickup cannot reach NSS, so it reads the passwd file once,
//     before the chroot, and answers from that copy (users added later
//     are "unknown" until master restarts pickup). The file is parsed as
//     passwd(5): name:password:uid:...; lines that are not entries are
//     skipped, the first entry for a uid wins.
// LIMITS
//     At most kMaxPasswdBytes of the file and kMaxUsers entries are kept;
//     names longer than kMaxUserNameBytes are skipped.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace pickup {

inline constexpr std::size_t kMaxPasswdBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxUsers = 200'000;
inline constexpr std::size_t kMaxUserNameBytes = 256;
inline constexpr std::string_view kUnknownUser = "unknown";

class UserNames {
public:
    [[nodiscard]] static UserNames live();
    [[nodiscard]] static tern::Result<UserNames> from_file(const std::string& path);
    [[nodiscard]] static UserNames parse(std::string_view passwd_text);

    [[nodiscard]] std::string lookup(uid_t uid) const;
    [[nodiscard]] std::size_t size() const noexcept { return names_.size(); }

private:
    bool live_ = false;
    std::map<uid_t, std::string> names_;
};

}  // namespace pickup
