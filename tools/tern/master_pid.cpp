// tools/tern/master_pid.cpp - find the running master through its pid-file lock
#include "tools/tern/master_pid.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "lib/base/fd.h"
#include "lib/base/text.h"
#include "lib/mail/master_protocol.h"

namespace tern_cmd {
namespace {

// The first line of the pid file as a pid, or nothing.
std::optional<pid_t> pid_in_file(int fd) {
    char bytes[kMaxPidFileBytes];
    ssize_t got = -1;
    do {
        got = ::pread(fd, bytes, sizeof bytes, 0);
    } while (got < 0 && errno == EINTR);
    if (got <= 0) return std::nullopt;
    std::string_view text(bytes, static_cast<std::size_t>(got));
    text = text.substr(0, text.find('\n'));
    const auto pid = tern::parse_integer(tern::trim(text));
    if (!pid || *pid <= 1 || *pid > 0x7fffffff) return std::nullopt;
    return static_cast<pid_t>(*pid);
}

}  // namespace

std::optional<pid_t> running_master(const std::string& queue_dir) {
    const std::string path = queue_dir + "/" + tern::kMasterPidFile;
    tern::Fd fd{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
    if (!fd) return std::nullopt;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = 0;
    probe.l_len = 0;
    if (::fcntl(fd.get(), F_GETLK, &probe) != 0 || probe.l_type == F_UNLCK) return std::nullopt;
    if (probe.l_pid > 1) return probe.l_pid;
    if (auto pid = pid_in_file(fd.get())) return pid;
    return std::nullopt;
}

}  // namespace tern_cmd
