// local/forward.h - find and read a user's ~/.forward file, and :include: files
//
// SYNOPSIS
//     std::vector<std::string> paths = local::forward_paths(forward_path_value, macro_values);
//     tern::Result<std::optional<local::TrustedFile>> f = local::read_forward(paths, user);
//     tern::Result<local::TrustedFile> inc = local::read_include("/etc/lists/staff", as_uid, as_gid);
//     std::optional<std::string> why = local::forward_file_problem(st, user_uid);
// DESCRIPTION
//     forward_path (Postfix default "$home/.forward${recipient_delimiter}${extension},
//     $home/.forward") is expanded with the local(8) macros and split on
//     commas and white space; the first file that exists is used.
//     A .forward file is read as the user (lib/base/identity.h), opened
//     O_NOFOLLOW, and is used only when it is a regular file owned by the
//     user or by root that neither group nor others may write: anyone else
//     could make the user's mail run their commands (the rule,
//     stricter than Postfix, which checks only world-writable). A refused
//     file is skipped with a warning and mailbox delivery happens instead.
//     read_include reads an :include: file as the given identity; the
//     caller then runs commands and files of that list with the file
//     owner's rights (aliases(5)), so its owner is returned.
// LIMITS
//     At most kMaxForwardBytes are read; a larger file is refused.
// ERRORS
//     Temporary: the file exists but cannot be read (I/O error, identity
//     switch failure); Permanent: read_include of a missing or unsafe file.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.h"
#include "local/recipient.h"

namespace local {

inline constexpr std::size_t kMaxForwardBytes = 1024 * 1024;

struct TrustedFile {
    std::string path;
    std::string text;
    uid_t owner = 0;
    gid_t group = 0;
    mode_t mode = 0;
};

[[nodiscard]] std::vector<std::string> forward_paths(std::string_view forward_path, const MacroValues& values);
// nullopt when a .forward with this stat may be used; else why not.
[[nodiscard]] std::optional<std::string> forward_file_problem(const struct stat& st, uid_t user_uid);
[[nodiscard]] tern::Result<std::optional<TrustedFile>> read_forward(const std::vector<std::string>& paths,
                                                                   const UserAccount& user);
[[nodiscard]] tern::Result<TrustedFile> read_include(const std::string& path, uid_t uid, gid_t gid);

}  // namespace local
