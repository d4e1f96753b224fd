// pickup/maildrop.cpp - list, open and move maildrop files (contract in maildrop.h)
#include "pickup/maildrop.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "lib/base/fd.h"

namespace pickup {

namespace {

constexpr int kMaxCorruptNameAttempts = 100;

std::string where(const std::string& name) { return "maildrop/" + name; }

}  // namespace

NameAction classify_name(std::string_view name, std::time_t mtime_s, std::time_t now_s) noexcept {
    if (name.empty()) return NameAction::Skip;
    if (name.find('.') == std::string_view::npos) return NameAction::Take;
    if (name.starts_with(kTempPrefix) && now_s - mtime_s > kStaleTempSeconds) return NameAction::RemoveStale;
    return NameAction::Skip;
}

tern::Result<std::vector<std::string>> list_names(int dir_fd, std::size_t max_names) {
    // fdopendir takes the descriptor over: give it a duplicate.
    const int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0) return tern::fail(tern::Retry::Temporary, "dup maildrop", errno);
    const std::unique_ptr<DIR, tern::CFree<::closedir>> dir{::fdopendir(copy)};
    if (!dir) {
        const int saved = errno;
        ::close(copy);
        return tern::fail(tern::Retry::Temporary, "open maildrop", saved);
    }
    ::rewinddir(dir.get());
    std::vector<std::string> names;
    errno = 0;
    while (names.size() < max_names) {
        const dirent* entry = ::readdir(dir.get());
        if (entry == nullptr) break;
        const std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        names.emplace_back(name);
    }
    if (errno != 0) return tern::fail(tern::Retry::Temporary, "read maildrop", errno);
    std::sort(names.begin(), names.end());
    return names;
}

tern::Result<OpenedFile> open_maildrop_file(int dir_fd, const std::string& name) {
    OpenedFile file;
    file.fd.reset(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (!file.fd) {
        const int saved = errno;
        if (saved == ELOOP) return tern::fail(tern::Retry::Permanent, where(name) + ": is a symbolic link");
        return tern::fail(tern::Retry::Temporary, "open " + where(name), saved);
    }
    if (::fstat(file.fd.get(), &file.st) != 0) return tern::fail(tern::Retry::Temporary, "fstat " + where(name), errno);
    if (!S_ISREG(file.st.st_mode)) return tern::fail(tern::Retry::Permanent, where(name) + ": not a regular file");
    if (file.st.st_nlink != 1)
        return tern::fail(tern::Retry::Permanent,
                          where(name) + ": has " + std::to_string(file.st.st_nlink) + " links (expected 1)");
    return file;
}

// RENAME_NOREPLACE: an older corrupt file of the same name stays; the
// new one gets a numbered name next to it.
tern::Status move_to_corrupt(int maildrop_fd, int corrupt_fd, const std::string& name) {
    for (int attempt = 0; attempt < kMaxCorruptNameAttempts; ++attempt) {
        const std::string target = attempt == 0 ? name : name + "-" + std::to_string(attempt);
        if (::renameat2(maildrop_fd, name.c_str(), corrupt_fd, target.c_str(), RENAME_NOREPLACE) == 0) return {};
        if (errno != EEXIST) return tern::fail(tern::Retry::Temporary, "move " + where(name) + " to corrupt/", errno);
    }
    return tern::fail(tern::Retry::Temporary, "move " + where(name) + " to corrupt/: names taken", EEXIST);
}

std::optional<std::time_t> entry_mtime(int dir_fd, const std::string& name) noexcept {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return std::nullopt;
    return st.st_mtime;
}

}  // namespace pickup
