// master/daemon.h - detach master from its terminal, but only once it is ready
//
// SYNOPSIS
//     master::Detacher d = master::Detacher::fork_and_wait();  // parent exits here
//     ... take the pid lock, open listeners (a fatal error exits 1) ...
//     d.ready();   // the waiting parent exits 0; stdio goes to /dev/null
//     tern::Status s = master::make_queue_dirs(queue_dir, owner, setgid_gid);
// DESCRIPTION
//     fork_and_wait forks at once; the parent stays in the foreground and
//     waits for one byte on a pipe. The child starts a new session and
//     does the work that can fail: when it calls ready() the parent exits
//     0; when it dies first the parent sees EOF and exits 1. So
//     `tern start` (and `master -w`) learn success or failure from the
//     exit code, and the process holding the fcntl pid lock is the one that
//     stays (fcntl locks do not survive fork).
//     make_queue_dirs creates pid/ (0755 root), private/ (0700 mail_owner)
//     and public/ (0710 mail_owner, group setgid_group) when missing.
#pragma once

#include <sys/types.h>

#include <string>

#include "lib/base/account.h"
#include "lib/base/fd.h"
#include "lib/base/result.h"

namespace master {

class Detacher {
public:
    [[nodiscard]] static Detacher fork_and_wait();
    void ready();

private:
    explicit Detacher(tern::Fd notify) : notify_(std::move(notify)) {}
    tern::Fd notify_;
};

[[nodiscard]] tern::Status make_queue_dirs(const std::string& queue_dir, const tern::Account& owner, gid_t setgid_gid);

}  // namespace master
