// lib/mail/event_server.h - the skeleton every tern daemon runs in
//
// SYNOPSIS
//     int main(int argc, char** argv) {
//         return tern::run_event_server(argc, argv, {
//             .service = "smtpd",
//             .before_chroot = load_tables,          // still root
//             .after_privilege_drop = init_pool,     // as mail_owner, chrooted
//             .on_accept = [](tern::Fd client, tern::ServerContext& ctx) noexcept { ... },
//         });
//     }
//     ctx.client_done();               // a session from on_accept has ended
//     tern::report_status(tern::MasterStatus::Busy);
// DESCRIPTION
//     run_event_server owns everything a daemon shares with the others:
//     the options master passes (lib/mail/server_options.h), main.cf
//     (with -o overrides; tern::config() afterwards), logging as
//     "<syslog_name>/<service>" to maillog_file or syslog (and stderr
//     with -d), before_chroot, chroot to queue_directory (-C), privilege
//     drop to mail_owner (-u), after_privilege_drop, then the libevent
//     loop over the listeners inherited from master (master_protocol.h).
//     Clients: with on_accept, every connection on an inet or unix
//     listener is a client, handed over non-blocking; the daemon calls
//     ctx.client_done() when it is finished with it. The process tells
//     master "busy" while it has busy_at_clients clients (0: never busy)
//     and counts each client for max_use; while busy it does not accept,
//     so the next client goes to another process (master starts one when
//     none is available and maxproc allows) or waits in the backlog.
//     Triggers: a FIFO listener, or a unix listener when on_accept is
//     empty, delivers the bytes a writer sends (kWakeupByte from master's
//     wakeup timer, or a request code) to on_wakeup.
//     The process exits 0: on SIGTERM (sessions dropped), when master
//     goes away (after its sessions end, at most kDrainLimitS), after
//     max_idle seconds without a client, and once max_use clients are
//     served (it stops accepting at once and tells master it is busy).
//     A daemon that must stay up (qmgr) sets ignore_max_idle/ignore_max_use.
//     Stand-alone: "DAEMON -d -l 127.0.0.1:2525 -n NAME" (or -l /path/sock)
//     listens by itself, without master, for tests and debugging.
// SECURITY
//     Runs as root until the privilege drop; everything needed from
//     outside the chroot must be opened in before_chroot. The user
//     mail_owner is looked up before chroot.
// ERRORS
//     Start-up problems (bad options, main.cf, chroot, user) are fatal:
//     logged and exit 1, which master counts as a bad start and throttles.
#pragma once

#include <event2/event.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/mail/master_protocol.h"

namespace tern {

inline constexpr int kDrainLimitS = 60;

// What a daemon's callbacks see of the running server.
class ServerContext {
public:
    virtual ~ServerContext() = default;
    [[nodiscard]] virtual event_base* base() noexcept = 0;
    // master.cf service name (-n), e.g. "smtp" or "127.0.0.1:2525".
    [[nodiscard]] virtual const std::string& service_name() const noexcept = 0;
    // Arguments after the options (master.cf command arguments).
    [[nodiscard]] virtual const std::vector<std::string>& args() const noexcept = 0;
    // queue_directory when chrooted (-C), else "/".
    [[nodiscard]] virtual const std::string& root_directory() const noexcept = 0;
    // A client handed over by on_accept is finished (closed by the daemon).
    virtual void client_done() noexcept = 0;
    // Stop accepting and leave the loop once no client is left.
    virtual void request_stop() noexcept = 0;
};

using SetupFn = std::function<void(ServerContext&)>;
using AcceptFn = std::function<void(Fd client, ServerContext&)>;
using WakeupFn = std::function<void(std::string_view bytes, ServerContext&)>;

struct EventServerSpec {
    std::string_view service = {};  // program name for logs: "smtpd"
    SetupFn before_chroot = {};        // optional; root, before chroot
    SetupFn after_privilege_drop = {}; // optional
    AcceptFn on_accept = {};           // must not throw; empty: unix listeners are triggers
    WakeupFn on_wakeup = {};           // must not throw; FIFO and trigger bytes
    SetupFn on_stop = {};              // optional, just before exit
    int busy_at_clients = 1;      // report busy at this many clients; 0: never
    bool ignore_max_idle = false;
    bool ignore_max_use = false;
};

// Parses options, sets up and runs the loop; returns the exit status.
int run_event_server(int argc, char** argv, const EventServerSpec& spec);

// Writes one StatusRecord to master (kStatusFd); a no-op without master.
void report_status(MasterStatus status) noexcept;

}  // namespace tern
