// lib/base/unix_socket.h - UNIX stream sockets and timed reads and writes
//
// SYNOPSIS
//     Result<Fd> listener = unix_listen("private/cleanup", 100, 0600);
//     Result<Fd> peer = unix_connect("private/cleanup", 5000);
//     Result<std::pair<Fd, Fd>> pair = unix_socketpair();
//     Status s = set_nonblocking(fd);  set_cloexec(fd);
//     Status w = write_all(fd, bytes, timeout_ms);
//     Result<std::size_t> n = read_some(fd, std::span<char>(buf), timeout_ms);
// DESCRIPTION
//     unix_listen binds and listens on a UNIX stream socket at `path` with
//     permissions `mode` (set before listen(), so nobody connects while the
//     umask's mode applies). A file left at `path` is removed only when it
//     is a socket, so a typo can never unlink a regular file. Like Postfix,
//     it does not probe whether the old socket is still served: after a
//     crash, children may still hold it; keeping a second instance away is
//     the caller's job (master's pid file lock).
//     unix_connect connects within timeout_ms (a full backlog is retried
//     until then) and returns a non-blocking descriptor.
//     write_all writes every byte; read_some returns what one read gives,
//     0 at end of file. Both wait with poll(), restart after EINTR, and
//     never block past their timeout on a socket or a non-blocking
//     descriptor. Socket writes use MSG_NOSIGNAL: a vanished peer is an
//     error, never SIGPIPE. A negative timeout_ms waits forever; the timeout
//     bounds the whole call, not each step.
//     Every descriptor made here is close-on-exec.
// ERRORS
//     Timeouts (ETIMEDOUT), a vanished peer and resource trouble are
//     Retry::Temporary; a bad path or a file in the way is Retry::Permanent.
//     Every text names the path, errno is kept.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "lib/base/fd.h"
#include "lib/base/result.h"

namespace tern {

// Listen backlog of every tern listener (the kernel caps it at
// net.core.somaxconn). One event-driven process accepts for many
// sessions, so a burst of connections must wait in the queue, not be
// dropped into the client's one-second SYN retry as with Postfix's 100.
inline constexpr int kListenBacklog = 4096;

[[nodiscard]] Result<Fd> unix_listen(const std::string& path, int backlog, mode_t mode);
[[nodiscard]] Result<Fd> unix_connect(const std::string& path, int timeout_ms);
[[nodiscard]] Result<std::pair<Fd, Fd>> unix_socketpair();

[[nodiscard]] Status set_nonblocking(int fd, bool on = true);
[[nodiscard]] Status set_cloexec(int fd);

[[nodiscard]] Status write_all(int fd, std::string_view bytes, int timeout_ms);
[[nodiscard]] Result<std::size_t> read_some(int fd, std::span<char> buffer, int timeout_ms);

// Milliseconds left until a deadline, for callers that chain timed calls.
// Makes deadlines from timeout_ms; a negative timeout means none.
class Deadline {
public:
    explicit Deadline(int timeout_ms) noexcept;
    // -1 when there is no deadline, else the milliseconds left (>= 0).
    [[nodiscard]] int remaining_ms() const noexcept;
    [[nodiscard]] bool expired() const noexcept { return remaining_ms() == 0; }

private:
    long long end_ms_ = -1;  // CLOCK_MONOTONIC milliseconds; -1: none
};

}  // namespace tern
