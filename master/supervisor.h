// master/supervisor.h - master's event loop: services, signals, reload, stop
//
// SYNOPSIS
//     master::Supervisor sup(config_dir, verbosity);
//     tern::Status s = sup.open();      // root: read master.cf, open listeners (fatal on error)
//     sup.run();                        // starts processes, serves until SIGTERM
// DESCRIPTION
//     Owns the event base, the master watch pipe (children see EOF when
//     master dies), one master::Service per master.cf entry, and the pids
//     of stopped services' children still to be reaped. Signals arrive as
//     libevent signal events, never as work in a raw handler:
//     SIGCHLD reaps every exited child and tells its service;
//     SIGHUP re-reads main.cf and master.cf and applies the difference
//     (master/service_table.h: diff_services), logging
//     "reload -- version X, configuration DIR";
//     SIGTERM/SIGINT log "terminating on signal N", send SIGTERM to every
//     child, wait at most kStopWaitMs, SIGKILL the rest, then return.
// SECURITY
//     Runs as root; never reads from children except fixed-size status
//     records, and ignores those from pids it did not start.
// LIMITS
//     Children are stopped within kStopWaitMs; status reads per event are
//     capped in master/service.h.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/mail/config.h"
#include "master/listeners.h"
#include "master/service.h"

namespace master {

inline constexpr int kStopWaitMs = 5000;

class Supervisor {
public:
    Supervisor(std::string config_dir, int verbosity);
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;
    ~Supervisor();

    // Reads master.cf, opens every listener and the signal events.
    [[nodiscard]] tern::Status open();
    // Starts the services and runs until SIGTERM; then stops every child.
    void run();

    void on_sigchld(evutil_socket_t fd, short what) noexcept;
    void on_sighup(evutil_socket_t fd, short what) noexcept;
    void on_sigterm(evutil_socket_t fd, short what) noexcept;

private:
    [[nodiscard]] tern::Result<std::vector<ServiceSpec>> read_services(const tern::Config& cfg) const;
    [[nodiscard]] tern::Status apply_main_cf(const tern::Config& cfg);
    [[nodiscard]] tern::Status add_service(ServiceSpec spec, std::vector<tern::Fd> listeners);
    void reload() noexcept;
    void apply_diff(std::vector<ServiceSpec> specs);
    void retire(Service& service);
    void stop_all() noexcept;

    tern::EventBasePtr base_;
    SpawnEnv env_;
    ListenContext listen_ctx_;
    tern::Fd watch_read_;
    tern::Fd watch_write_;
    std::vector<tern::EventPtr> signal_events_;
    std::map<std::string, std::unique_ptr<Service>> services_;
    std::vector<std::pair<ServiceSpec, std::vector<tern::Fd>>> pending_;  // opened, not yet started
    std::set<pid_t> retired_;  // children of stopped services, still to reap
};

}  // namespace master
