// master/spawner.h - fork and exec one daemon process
//
// SYNOPSIS
//     tern::Result<pid_t> pid = master::spawn_child(argv, listen_fds, status_write_fd, watch_read_fd);
//     std::string why = master::describe_exit(status);   // "exit status 1", "killed by signal 9"
// DESCRIPTION
//     The child gets the listeners on kListenFdBase.., the status pipe on
//     kStatusFd and the master watch pipe on kMasterWatchFd
//     (lib/mail/master_protocol.h); every other descriptor of master is
//     close-on-exec. Before exec it restores the default signal handling
//     and an empty signal mask, so a daemon never inherits master's
//     ignored SIGPIPE or libevent's handlers.
// ERRORS
//     A failed fork is Temporary. A failed exec is logged by the child,
//     which exits 1; master then sees a bad start and throttles.
// SECURITY
//     Forks as root; the child execs DAEMON_DIR/COMMAND with no other
//     open descriptor of master, and drops privileges itself (-u, -C).
#pragma once

#include <sys/types.h>

#include <span>
#include <string>
#include <vector>

#include "lib/base/result.h"

namespace master {

[[nodiscard]] tern::Result<pid_t> spawn_child(const std::vector<std::string>& argv, std::span<const int> listen_fds,
                                              int status_write_fd, int watch_read_fd);

[[nodiscard]] std::string describe_exit(int wait_status);
[[nodiscard]] bool normal_exit(int wait_status) noexcept;

}  // namespace master
