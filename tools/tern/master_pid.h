// tools/tern/master_pid.h - is a master running on this queue, and which pid
//
// SYNOPSIS
//     std::optional<pid_t> pid = tern_cmd::running_master("/var/spool/tern");
// DESCRIPTION
//     master holds an exclusive fcntl lock on QUEUE_DIR/pid/master.pid
//     while it runs (lib/mail/master_protocol.h). running_master asks the
//     kernel who holds that lock (F_GETLK, which takes no lock itself, so
//     it can never make a starting master fail), and returns that pid; a
//     pid file without a lock is stale and means "not running". When the
//     kernel cannot name the holder (an open-file lock), the pid written
//     in the file is used, as postfix-script does with "sed 1q".
// LIMITS
//     The pid file is opened O_NOFOLLOW, must be a regular file, and only
//     its first kMaxPidFileBytes are read.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace tern_cmd {

inline constexpr std::size_t kMaxPidFileBytes = 64;

[[nodiscard]] std::optional<pid_t> running_master(const std::string& queue_dir);

}  // namespace tern_cmd
