// local/recipient.h - split a local recipient into user, extension and domain; look the user up
//
// SYNOPSIS
//     local::RecipientParts p = local::split_recipient("Joe+Tag@Example.COM", "+");
//     p.local == "joe+tag"; p.user == "joe"; p.extension == "tag"; p.domain == "example.com"
//     tern::Result<std::optional<local::UserAccount>> u = local::find_user("joe");
//     std::string v = local::expand_local_macros("$home/.forward${recipient_delimiter}${extension}", vars);
// DESCRIPTION
//     split_recipient folds the address to lower case (Postfix's local
//     lookups are case-insensitive), splits it at the last '@' and, when
//     recipient_delimiter is set, splits the local part at the first of
//     its characters into user and extension. As Postfix's split_addr,
//     "owner-NAME" and "NAME-request" are not split at a '-' delimiter,
//     and an extension holding '/' is dropped (it could name a path).
//     find_user reads the password database (getpwnam_r); nullopt for an
//     unknown user.
//     expand_local_macros expands $name, ${name}, ${name?text} and
//     ${name:text} for the names of Postfix's local(8) (home, user,
//     extension, recipient_delimiter, local, domain, recipient, mailbox,
//     shell); unknown names expand to nothing.
// LIMITS
//     Names and values come from the caller; the expansion result is at
//     most kMaxExpansionBytes (longer input is cut).
// ERRORS
//     find_user: Temporary when the password database cannot be read.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace local {

inline constexpr std::size_t kMaxExpansionBytes = 8192;

struct RecipientParts {
    std::string address;    // folded: "joe+tag@example.com"
    std::string local;      // "joe+tag"
    std::string user;       // "joe"
    std::string extension;  // "tag", "" when none
    std::string delimiter;  // the delimiter character used, "" when none
    std::string domain;     // "example.com", "" when the address has none
};

[[nodiscard]] RecipientParts split_recipient(std::string_view address, std::string_view delimiters);

struct UserAccount {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
    std::string shell;
};

[[nodiscard]] tern::Result<std::optional<UserAccount>> find_user(const std::string& name);
[[nodiscard]] tern::Result<std::optional<UserAccount>> find_user(uid_t uid);

using MacroValues = std::map<std::string, std::string, std::less<>>;
[[nodiscard]] std::string expand_local_macros(std::string_view text, const MacroValues& values);

}  // namespace local
