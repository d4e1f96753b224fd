// pickup/maildrop.h - list, open and move files in maildrop/ without trusting them
//
// SYNOPSIS
//     switch (pickup::classify_name(name, mtime_s, now_s)) { case Take: ...; case Skip: ...; case RemoveStale: ... }
//     tern::Result<std::vector<std::string>> names = pickup::list_names(maildrop_fd.get(), kMaxNamesPerScan);
//     tern::Result<pickup::OpenedFile> f = pickup::open_maildrop_file(maildrop_fd.get(), name);
//     tern::Status s = pickup::move_to_corrupt(maildrop_fd.get(), corrupt_fd.get(), name);
// DESCRIPTION
//     maildrop/ is written by local users through postdrop, so every
//     entry is hostile until checked. classify_name: a name containing
//     '.' is never taken (postdrop's "tmp.PID.N" while it writes); a
//     "tmp." name whose mtime is more than kStaleTempSeconds old is left
//     over from a crashed postdrop and is removed (RemoveStale), as
//     Postfix's pickup does; "." and ".." and other dotted names are
//     skipped.
//     open_maildrop_file opens O_NOFOLLOW|O_NONBLOCK (a symlink or a FIFO
//     can neither redirect nor block us) and then checks with fstat that
//     it is a regular file with one link (a hard link to someone else's
//     file is refused).
//     move_to_corrupt renames the entry (whatever it is; rename never
//     follows a link) into corrupt/ under the same name (NAME-1, NAME-2
//     ... when taken), so nothing is ever deleted that an administrator may want to see.
// LIMITS
//     list_names returns at most max_names names per call; a name longer
//     than NAME_MAX cannot exist.
// ERRORS
//     open: Permanent when the entry is not a regular single-link file
//     (move it to corrupt/), Temporary for a vanished file (ENOENT) or a
//     system error. Everything names "maildrop/NAME".
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/result.h"

namespace pickup {

inline constexpr std::time_t kStaleTempSeconds = 24 * 60 * 60;
inline constexpr std::size_t kMaxNamesPerScan = 10'000;
inline constexpr std::string_view kTempPrefix = "tmp.";

enum class NameAction { Take, Skip, RemoveStale };

[[nodiscard]] NameAction classify_name(std::string_view name, std::time_t mtime_s, std::time_t now_s) noexcept;

// Entry names of the directory open as dir_fd (. and .. left out), sorted.
[[nodiscard]] tern::Result<std::vector<std::string>> list_names(int dir_fd, std::size_t max_names);

struct OpenedFile {
    tern::Fd fd;
    struct stat st {};
};

[[nodiscard]] tern::Result<OpenedFile> open_maildrop_file(int dir_fd, const std::string& name);
[[nodiscard]] tern::Status move_to_corrupt(int maildrop_fd, int corrupt_fd, const std::string& name);

// mtime of an entry without following it; nullopt when it is gone.
[[nodiscard]] std::optional<std::time_t> entry_mtime(int dir_fd, const std::string& name) noexcept;

}  // namespace pickup
