// master/daemon.h - detach master from its terminal, but only once it is ready
//
// SYNOPSIS
//     master::Detacher d = master::Detacher::fork_and_wait();  // parent exits here
//     ... take the pid lock, open listeners (a fatal error exits 1) ...
//     d.ready();   // the waiting parent exits 0; stdio goes to /dev/null
// DESCRIPTION
//     fork_and_wait forks at once; the parent stays in the foreground and
//     waits for one byte on a pipe. The child starts a new session and
//     does the work that can fail: when it calls ready() the parent exits
//     0; when it dies first the parent sees EOF and exits 1. So
//     `tern start` (and `master -w`) learn success or failure from the
//     exit code, and the process holding the fcntl pid lock is the one that
//     stays (fcntl locks do not survive fork).
//     The queue folders are made by tern::check_queue_layout
//     (lib/mail/queue_layout.h) before the fork.
// ERRORS
//     A failed pipe, fork or setsid is fatal (exit 1). ready() ignores a
//     parent that has gone away already.
// SECURITY
//     Runs as root in master before any child exists; reads only its own
//     pipe and sends stdio to /dev/null once ready.
#pragma once

#include <utility>

#include "lib/base/fd.h"

namespace master {

class Detacher {
public:
    [[nodiscard]] static Detacher fork_and_wait();
    void ready();

private:
    explicit Detacher(tern::Fd notify) : notify_(std::move(notify)) {}
    tern::Fd notify_;
};

}  // namespace master
