// lib/base/unix_socket.cpp - UNIX stream sockets and timed reads and writes
// (contract in unix_socket.h)
#include "lib/base/unix_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>

#include "lib/base/log.h"

namespace tern {

namespace {

// How long to wait before retrying a connect to a listener whose backlog is full.
constexpr int kConnectRetryMs = 10;
// poll() takes an int; longer deadlines are waited for in steps.
constexpr long long kMaxPollMs = std::numeric_limits<int>::max();

long long now_ms() noexcept {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

Result<sockaddr_un> make_address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(addr.sun_path))
        return fail(Retry::Permanent, "bad UNIX socket path \"" + path + "\"", ENAMETOOLONG);
    if (path.find('\0') != std::string::npos)
        return fail(Retry::Permanent, "UNIX socket path contains NUL", EINVAL);
    std::memcpy(addr.sun_path, path.data(), path.size());
    return addr;
}

Result<Fd> make_socket(int extra_flags) {
    Fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | extra_flags, 0)};
    if (!fd) return fail(Retry::Temporary, "socket(AF_UNIX)", errno);
    return fd;
}

int connect_to(int fd, const sockaddr_un& addr) noexcept {
    return ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
}

// Waits until `fd` is ready for `events` or the deadline passes.
Status wait_ready(int fd, short events, const Deadline& deadline, const char* what) {
    for (;;) {
        pollfd pfd{fd, events, 0};
        const int n = ::poll(&pfd, 1, deadline.remaining_ms());
        if (n > 0) return {};  // ready, or POLLERR/POLLHUP: the next call reports it
        if (n == 0 && deadline.expired()) return fail(Retry::Temporary, std::string(what) + ": timeout", ETIMEDOUT);
        if (n == 0) continue;  // a deadline beyond one poll() step
        if (errno != EINTR) return fail(Retry::Temporary, std::string("poll for ") + what, errno);
    }
}

// Removes an old socket at `path`; refuses to remove any other kind of file.
Status remove_stale_socket(const std::string& path) {
    struct stat st{};
    if (::lstat(path.c_str(), &st) < 0) {
        if (errno == ENOENT) return {};
        return fail(Retry::Temporary, "lstat " + path, errno);
    }
    if (!S_ISSOCK(st.st_mode))
        return fail(Retry::Permanent, path + ": exists and is not a socket", EEXIST);
    if (::unlink(path.c_str()) < 0 && errno != ENOENT)
        return fail(Retry::Temporary, "remove stale socket " + path, errno);
    return {};
}

Status set_fd_flag(int fd, int get_cmd, int set_cmd, int flag, bool on, const char* what) {
    const int flags = ::fcntl(fd, get_cmd);
    if (flags < 0) return fail(Retry::Temporary, what, errno);
    const int wanted = on ? (flags | flag) : (flags & ~flag);
    if (wanted != flags && ::fcntl(fd, set_cmd, wanted) < 0) return fail(Retry::Temporary, what, errno);
    return {};
}

}  // namespace

Deadline::Deadline(int timeout_ms) noexcept : end_ms_(timeout_ms < 0 ? -1 : now_ms() + timeout_ms) {}

int Deadline::remaining_ms() const noexcept {
    if (end_ms_ < 0) return -1;
    const long long left = end_ms_ - now_ms();
    return static_cast<int>(std::clamp(left, 0LL, static_cast<long long>(kMaxPollMs)));
}

Result<Fd> unix_listen(const std::string& path, int backlog, mode_t mode) {
    auto addr = make_address(path);
    if (!addr) return tl::unexpected(addr.error());
    if (auto removed = remove_stale_socket(path); !removed) return tl::unexpected(removed.error());
    auto fd = make_socket(0);
    if (!fd) return fd;
    if (::bind(fd->get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr)) < 0)
        return fail(Retry::Temporary, "bind " + path, errno);
    // chmod before listen(): until listen() nobody can connect, so nobody
    // connects while the socket still has the umask's permissions.
    if (::chmod(path.c_str(), mode) < 0 || ::listen(fd->get(), backlog) < 0) {
        const int saved_errno = errno;
        ::unlink(path.c_str());
        return fail(Retry::Temporary, "set up listener " + path, saved_errno);
    }
    return fd;
}

Result<Fd> unix_connect(const std::string& path, int timeout_ms) {
    const Deadline deadline(timeout_ms);
    auto addr = make_address(path);
    if (!addr) return tl::unexpected(addr.error());
    auto fd = make_socket(SOCK_NONBLOCK);
    if (!fd) return fd;
    for (;;) {
        if (connect_to(fd->get(), *addr) == 0) return fd;
        if (errno == EINTR) continue;
        if (errno == EINPROGRESS) break;
        if (errno != EAGAIN) return fail(Retry::Temporary, "connect to " + path, errno);
        // Linux reports a full listen backlog as EAGAIN: retry until the deadline.
        if (deadline.expired()) return fail(Retry::Temporary, "connect to " + path + ": timeout", ETIMEDOUT);
        const int left_ms = deadline.remaining_ms();
        ::poll(nullptr, 0, left_ms < 0 ? kConnectRetryMs : std::min(left_ms, kConnectRetryMs));
    }
    if (auto ready = wait_ready(fd->get(), POLLOUT, deadline, "connect"); !ready)
        return fail(Retry::Temporary, "connect to " + path + ": timeout", ETIMEDOUT);
    int so_error = 0;
    socklen_t len = sizeof(so_error);
    if (::getsockopt(fd->get(), SOL_SOCKET, SO_ERROR, &so_error, &len) < 0) so_error = errno;
    if (so_error != 0) return fail(Retry::Temporary, "connect to " + path, so_error);
    return fd;
}

Result<std::pair<Fd, Fd>> unix_socketpair() {
    int fds[2] = {-1, -1};
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        return fail(Retry::Temporary, "socketpair(AF_UNIX)", errno);
    return std::pair<Fd, Fd>{Fd{fds[0]}, Fd{fds[1]}};
}

Status set_nonblocking(int fd, bool on) {
    return set_fd_flag(fd, F_GETFL, F_SETFL, O_NONBLOCK, on, "set O_NONBLOCK");
}

Status set_cloexec(int fd) {
    return set_fd_flag(fd, F_GETFD, F_SETFD, FD_CLOEXEC, true, "set FD_CLOEXEC");
}

Status write_all(int fd, std::string_view bytes, int timeout_ms) {
    const Deadline deadline(timeout_ms);
    bool is_socket = true;
    while (!bytes.empty()) {
        if (auto ready = wait_ready(fd, POLLOUT, deadline, "write"); !ready) return ready;
        const ssize_t n = is_socket ? ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT)
                                    : ::write(fd, bytes.data(), bytes.size());
        if (n >= 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (errno == ENOTSOCK && is_socket) {
            is_socket = false;  // a pipe or file: plain write(2)
            continue;
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return fail(Retry::Temporary, "write", errno);
    }
    return {};
}

Result<std::size_t> read_some(int fd, std::span<char> buffer, int timeout_ms) {
    TERN_ASSERT(!buffer.empty());
    const Deadline deadline(timeout_ms);
    bool is_socket = true;
    for (;;) {
        if (auto ready = wait_ready(fd, POLLIN, deadline, "read"); !ready) return tl::unexpected(ready.error());
        const ssize_t n = is_socket ? ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT)
                                    : ::read(fd, buffer.data(), buffer.size());
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno == ENOTSOCK && is_socket) {
            is_socket = false;
            continue;
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)
            return fail(Retry::Temporary, "read", errno);
    }
}

}  // namespace tern
