// local/forward.cpp - .forward and :include: files (see forward.h)
#include "local/forward.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "lib/base/fd.h"
#include "lib/base/identity.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/config.h"

namespace local {

namespace {

// Opens and reads path as the current effective identity.
tern::Result<TrustedFile> read_small_file(const std::string& path) {
    tern::Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
        const int e = errno;
        const bool missing_or_unsafe = e == ENOENT || e == ENOTDIR || e == ELOOP || e == EACCES;
        return tern::fail(missing_or_unsafe ? tern::Retry::Permanent : tern::Retry::Temporary, "open " + path, e);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) < 0) return tern::fail(tern::Retry::Temporary, "fstat " + path, errno);
    if (!S_ISREG(st.st_mode)) return tern::fail(tern::Retry::Permanent, path + " is not a regular file");
    if (static_cast<std::uint64_t>(st.st_size) > kMaxForwardBytes)
        return tern::fail(tern::Retry::Permanent, path + " is too large");
    TrustedFile file{path, {}, st.st_uid, st.st_gid, st.st_mode};
    std::array<char, 8192> buffer{};
    while (file.text.size() <= kMaxForwardBytes) {
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return tern::fail(tern::Retry::Temporary, "read " + path, errno);
        if (n == 0) return file;
        file.text.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return tern::fail(tern::Retry::Permanent, path + " is too large");
}

}  // namespace

std::vector<std::string> forward_paths(std::string_view forward_path, const MacroValues& values) {
    std::vector<std::string> paths;
    for (const std::string& item : tern::split_config_list(forward_path)) {
        std::string path = expand_local_macros(item, values);
        if (!path.empty()) paths.push_back(std::move(path));
    }
    return paths;
}

std::optional<std::string> forward_file_problem(const struct stat& st, uid_t user_uid) {
    if (!S_ISREG(st.st_mode)) return std::string("not a regular file");
    if (st.st_uid != user_uid && st.st_uid != 0) return "bad owner uid " + std::to_string(st.st_uid);
    if (st.st_mode & S_IWOTH) return std::string("world writable");
    if (st.st_mode & S_IWGRP) return std::string("group writable");
    return std::nullopt;
}

tern::Result<std::optional<TrustedFile>> read_forward(const std::vector<std::string>& paths,
                                                     const UserAccount& user) {
    tern::ScopedIdentity as_user(user.uid, user.gid);
    if (!as_user.ok()) return tl::unexpected(as_user.error());
    for (const std::string& path : paths) {
        tern::Result<TrustedFile> file = read_small_file(path);
        if (!file) {
            if (file.error().errno_value == ENOENT || file.error().errno_value == ENOTDIR) continue;
            if (file.error().temporary()) return tl::unexpected(file.error());
            tern::log_warning("%s", file.error().describe().c_str());
            continue;
        }
        struct stat st {};  // as fstat saw the open file
        st.st_mode = file->mode;
        st.st_uid = file->owner;
        if (std::optional<std::string> problem = forward_file_problem(st, user.uid)) {
            tern::log_warning("file %s is %s: ignoring it", path.c_str(), problem->c_str());
            continue;
        }
        return std::optional<TrustedFile>(std::move(*file));
    }
    return std::optional<TrustedFile>();
}

tern::Result<TrustedFile> read_include(const std::string& path, uid_t uid, gid_t gid) {
    tern::ScopedIdentity as(uid, gid);
    if (!as.ok()) return tl::unexpected(as.error());
    tern::Result<TrustedFile> file = read_small_file(path);
    if (!file) return file;
    if (file->mode & S_IWOTH) return tern::fail(tern::Retry::Permanent, "file " + path + " is world writable");
    return file;
}

}  // namespace local
