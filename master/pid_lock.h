// master/pid_lock.h - the master.pid file and its lock
//
// SYNOPSIS
//     tern::Result<master::PidLock> lock = master::PidLock::acquire(queue_dir + "/pid/master.pid");
//     tern::Status s = lock->write_pid();       // after daemonizing: the final pid
//     lock->remove();                           // at exit
//     tern::Result<bool> running = master::master_running(path);   // master -t
// DESCRIPTION
//     master holds an exclusive fcntl lock on the whole pid file while it
//     runs (lib/mail/master_protocol.h); a second master on the same queue
//     fails to take it and is refused, and `tern status` tells a live
//     master from a stale file the same way. fcntl locks are not inherited
//     by fork(), so the lock is taken by the process that stays.
// ERRORS
//     "the tern mail system is already running" when the lock is held;
//     other failures name the file.
// SECURITY
//     Runs as root on QUEUE_DIR/pid/, which is root-owned and not group or
//     other writable (lib/mail/queue_layout.h).
#pragma once

#include <string>

#include "lib/base/fd.h"
#include "lib/base/result.h"

namespace master {

class PidLock {
public:
    [[nodiscard]] static tern::Result<PidLock> acquire(const std::string& path);
    [[nodiscard]] tern::Status write_pid() const;
    void remove();

private:
    PidLock(std::string path, tern::Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
    std::string path_;
    tern::Fd fd_;
};

// True when some process holds the lock on path; false when the file is
// missing or unlocked.
[[nodiscard]] tern::Result<bool> master_running(const std::string& path);

}  // namespace master
