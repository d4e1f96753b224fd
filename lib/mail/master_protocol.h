// lib/mail/master_protocol.h - how master and its children talk
//
// SYNOPSIS
//     master:  fork; dup2 listeners to kListenFdBase.., the status pipe to
//              kStatusFd, the watch pipe to kMasterWatchFd; exec
//              DAEMON_DIR/COMMAND -n NAME -t TYPE -s COUNT [-c DIR] [-u] [-C]
//                  [-w SECONDS] [-v]... [-o name=value]... -- [service args]
//              (lib/mail/server_options.h parses it; "--" lets service
//              arguments start with "-")
//     child:   tern::report_status(MasterStatus::Available) / ::Busy
// DESCRIPTION
//     The contract between master (master/) and every daemon built on the
//     event-server skeleton (lib/mail/event_server.h):
//     - Listening sockets arrive on descriptors kListenFdBase ..
//       kListenFdBase + COUNT - 1 (COUNT from -s). For inet services these
//       are listening TCP sockets; for unix services listening UNIX stream
//       sockets; for fifo services a FIFO opened read-write.
//     - kStatusFd is the write end of a pipe shared by all processes of one
//       service. A child writes one StatusRecord (smaller than PIPE_BUF, so
//       atomic) when it becomes available or busy; master starts another
//       process when none is available and maxproc allows. A new process
//       counts as available until it says otherwise; the event-server
//       skeleton says busy on every accepted client (and available again
//       right after, while it has fewer than its busy_at_clients), so
//       master counts each "busy" as one use: a process that dies
//       abnormally before its first use makes master throttle the service.
//     - kMasterWatchFd is the read end of a pipe whose write end only master
//       holds: when it reads EOF, master is gone and the child exits after
//       its current work.
//     - -u: drop privileges to mail_owner (master.cf unpriv column y);
//       -C: chroot to queue_directory (chroot column y), both after the
//       before_chroot callback. -w: the master.cf wakeup time, for the
//       child's information only; master itself sends a wakeup by writing
//       the single byte kWakeupByte to the service's socket or FIFO.
//     - SIGTERM asks a child to stop: it stops accepting, finishes or
//       drops its sessions, and exits 0. A child may exit by itself after
//       max_idle seconds with no client or after max_use clients.
//     - master's pid file is QUEUE_DIR/pid/master.pid; master holds an
//       exclusive lock (fcntl F_SETLK, whole file) on it while it runs, which
//       is how a second master on the same queue is refused and how
//       `tern status` tells a live master from a stale file.
// LIMITS
//     A child never trusts the status pipe's reader; master ignores records
//     from pids it did not start.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace tern {

inline constexpr int kStatusFd = 5;
inline constexpr int kMasterWatchFd = 4;
inline constexpr int kListenFdBase = 6;
inline constexpr int kMaxListenFds = 64;
inline constexpr char kWakeupByte = 'W';

enum class MasterStatus : std::int32_t { Busy = 0, Available = 1 };

struct StatusRecord {
    std::int32_t pid;
    std::int32_t status;  // MasterStatus
    std::uint32_t generation;  // reserved: 0 (one status pipe per service instance)
};

inline constexpr const char* kMasterPidFile = "pid/master.pid";  // relative to queue_directory

}  // namespace tern
