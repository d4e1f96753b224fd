// master/service.h - one running master.cf service: listeners, processes, throttle, wakeups
//
// SYNOPSIS
//     auto svc = std::make_unique<master::Service>(base, spec, std::move(listeners), env);
//     tern::Status s = svc->start();
//     bool mine = svc->child_exited(pid, wait_status);
//     std::vector<pid_t> stopping = svc->stop();        // SIGTERM sent
//     std::vector<tern::Fd> fds = svc->take_listeners(); // for a restart that keeps them
// DESCRIPTION
//     Postfix's process management, per service: a new process counts as
//     available; while no process is available (and maxproc allows one
//     more) master itself watches the listeners and starts a process when
//     a client or trigger arrives. Children report busy/available on the
//     service's status pipe (master_protocol.h); each "busy" counts as a use.
//     A process that exits abnormally before its first use makes the
//     service throttled: "bad command startup -- throttling", no new
//     process for service_throttle_time. A service with a wakeup time gets
//     one process at once, is kept at one at least, and receives
//     kWakeupByte every wakeup seconds ("N?": only after it was used).
// LIMITS
//     Status records from unknown pids are ignored; at most kMaxStatusReads
//     records are read per event.
// SECURITY
//     Runs as root; from children it reads only fixed-size status records
//     on the service's pipe, and trusts no pid it did not start.
#pragma once

#include <event2/event.h>
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "master/service_table.h"

namespace master {

inline constexpr int kMaxStatusReads = 256;

// What every service shares with master, owned by the Supervisor.
struct SpawnEnv {
    std::string config_dir;
    std::string queue_dir;
    int verbosity = 0;
    int watch_read_fd = -1;
    long long throttle_s = 60;
};

class Service {
public:
    Service(event_base* base, ServiceSpec spec, std::vector<tern::Fd> listeners, const SpawnEnv& env);
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;
    ~Service();

    [[nodiscard]] tern::Status start();
    [[nodiscard]] bool child_exited(pid_t pid, int wait_status);
    // SIGTERM to every child; returns their pids; stops watching anything.
    [[nodiscard]] std::vector<pid_t> stop();
    [[nodiscard]] std::vector<tern::Fd> take_listeners();
    void update_spec(ServiceSpec spec) { spec_ = std::move(spec); }

    [[nodiscard]] const ServiceSpec& spec() const noexcept { return spec_; }
    [[nodiscard]] std::string key() const { return spec_.entry.key(); }

    void on_status(evutil_socket_t fd, short what) noexcept;
    void on_listener(evutil_socket_t fd, short what) noexcept;
    void on_wakeup_timer(evutil_socket_t fd, short what) noexcept;
    void on_unthrottle(evutil_socket_t fd, short what) noexcept;

private:
    struct Child {
        bool available = true;
        long long use_count = 0;
    };

    void spawn() noexcept;
    void update_listening() noexcept;
    void throttle() noexcept;
    void send_wakeup() noexcept;
    [[nodiscard]] bool may_spawn() const noexcept;

    event_base* base_;
    ServiceSpec spec_;
    const SpawnEnv& env_;
    std::vector<tern::Fd> listeners_;
    std::vector<tern::EventPtr> listener_events_;
    tern::Fd status_read_;
    tern::Fd status_write_;
    tern::EventPtr status_event_;
    tern::EventPtr wakeup_event_;
    tern::EventPtr unthrottle_event_;
    std::map<pid_t, Child> children_;
    int available_ = 0;
    long long total_uses_ = 0;
    bool listening_ = false;
    bool throttled_ = false;
    bool stopped_ = false;
};

}  // namespace master
