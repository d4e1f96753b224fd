// lib/mail/queue_recovery.cpp - temporary queue file names and their recovery (see queue_recovery.h)
#include "lib/mail/queue_recovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/queue_id.h"

namespace tern {

namespace {

constexpr int kRenameAttempts = 10;

bool owner_gone(pid_t owner) noexcept { return owner != ::getpid() && ::kill(owner, 0) != 0 && errno == ESRCH; }

// True when `path` holds a whole queue file.
bool complete_queue_file(const Fd& fd, const std::string& path) {
    return static_cast<bool>(read_queue_file(fd.get(), path));
}

// Renames a complete file to a fresh queue ID; false when that failed.
bool rename_to_queue_id(const std::string& directory, const std::string& path, const Fd& fd) {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return false;
    for (int attempt = 0; attempt < kRenameAttempts; ++attempt) {
        timeval now{};
        ::gettimeofday(&now, nullptr);
        const QueueId id = QueueId::make(now, static_cast<std::uint64_t>(st.st_ino));
        if (rename_noreplace(path, directory + "/" + id.str()) == 0) {
            log_info("%s: recovered from %s after an interrupted commit", id.c_str(), path.c_str());
            return true;
        }
        if (errno != EEXIST) break;
    }
    log_warning("cannot recover %s: %s", path.c_str(), std::strerror(errno));
    return false;
}

}  // namespace

std::string temp_queue_file_name(pid_t pid, std::uint64_t serial) {
    return std::string(kTempQueueFilePrefix) + std::to_string(pid) + "." + std::to_string(serial);
}

pid_t temp_queue_file_owner(std::string_view name) noexcept {
    if (name.substr(0, kTempQueueFilePrefix.size()) != kTempQueueFilePrefix) return 0;
    name.remove_prefix(kTempQueueFilePrefix.size());
    const std::size_t dot = name.find('.');
    if (dot == std::string_view::npos) return 0;
    const std::optional<long long> pid = parse_integer(name.substr(0, dot));
    return pid && *pid > 0 && *pid < (1LL << 30) ? static_cast<pid_t>(*pid) : 0;
}

TempRecovery recover_temp_queue_files(const std::string& directory, TempOwners which) {
    TempRecovery done;
    std::unique_ptr<DIR, CFree<::closedir>> dir(::opendir(directory.c_str()));
    if (!dir) return done;
    while (const dirent* entry = ::readdir(dir.get())) {
        const pid_t owner = temp_queue_file_owner(entry->d_name);
        if (owner == 0 || (which == TempOwners::Dead && !owner_gone(owner))) continue;
        const std::string path = directory + "/" + entry->d_name;
        const Fd fd{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
        if (!fd) continue;  // gone meanwhile, or not a file
        if (complete_queue_file(fd, path)) {
            if (rename_to_queue_id(directory, path, fd)) ++done.recovered;
            continue;
        }
        if (::unlink(path.c_str()) == 0) {
            log_info("removed stale temporary file %s", path.c_str());
            ++done.removed;
        }
    }
    return done;
}

int rename_noreplace(const std::string& from, const std::string& to) noexcept {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    if (::link(from.c_str(), to.c_str()) != 0) return -1;
    ::unlink(from.c_str());
    return 0;
}

}  // namespace tern
