// master/service.cpp - processes, status pipe, throttle and wakeups of one service
#include "master/service.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/base/log.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/master_protocol.h"
#include "master/listeners.h"
#include "master/spawner.h"

namespace master {

namespace {
constexpr int kWakeupConnectMs = 1000;
}

Service::Service(event_base* base, ServiceSpec spec, std::vector<tern::Fd> listeners, const SpawnEnv& env)
    : base_(base), spec_(std::move(spec)), env_(env), listeners_(std::move(listeners)) {}

Service::~Service() { (void)stop(); }

tern::Status Service::start() {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) < 0) return tern::fail(tern::Retry::Temporary, "pipe for " + key(), errno);
    status_read_.reset(pipe_fds[0]);
    status_write_.reset(pipe_fds[1]);
    if (tern::Status s = tern::set_nonblocking(status_read_.get()); !s) return s;
    auto status = tern::make_event<&Service::on_status>(base_, status_read_.get(), EV_READ | EV_PERSIST, this);
    if (!status) return tl::unexpected(status.error());
    status_event_ = std::move(*status);
    if (tern::Status s = tern::add_event(status_event_.get()); !s) return s;
    for (const tern::Fd& fd : listeners_) {
        auto ev = tern::make_event<&Service::on_listener>(base_, fd.get(), EV_READ | EV_PERSIST, this);
        if (!ev) return tl::unexpected(ev.error());
        listener_events_.push_back(std::move(*ev));
    }
    auto unthrottle = tern::make_timer<&Service::on_unthrottle>(base_, this);
    auto wakeup = tern::make_timer<&Service::on_wakeup_timer>(base_, this);
    if (!unthrottle || !wakeup) return tern::fail(tern::Retry::Temporary, "timers for " + key());
    unthrottle_event_ = std::move(*unthrottle);
    wakeup_event_ = std::move(*wakeup);
    if (spec_.entry.wakeup_s > 0) {
        if (spec_.entry.type == tern::ServiceType::Inet) {
            tern::log_warning("%s, line %d: service %s: wakeup is not supported for inet services",
                              spec_.entry.file.c_str(), spec_.entry.line, spec_.entry.name.c_str());
        } else {
            (void)tern::add_event(wakeup_event_.get(), spec_.entry.wakeup_s * 1000LL);
            spawn();
        }
    }
    update_listening();
    return {};
}

bool Service::may_spawn() const noexcept {
    if (throttled_ || stopped_) return false;
    return spec_.max_processes <= 0 || static_cast<int>(children_.size()) < spec_.max_processes;
}

void Service::spawn() noexcept {
    if (!may_spawn()) return;
    std::vector<int> fds;
    for (const tern::Fd& fd : listeners_) fds.push_back(fd.get());
    const std::vector<std::string> argv =
        build_child_argv(spec_, env_.config_dir, static_cast<int>(fds.size()), env_.verbosity);
    tern::Result<pid_t> pid = spawn_child(argv, fds, status_write_.get(), env_.watch_read_fd);
    if (!pid) {
        tern::log_warning("%s", pid.error().describe().c_str());
        throttle();
        return;
    }
    tern::log_debug("spawned %s pid %d", spec_.path.c_str(), static_cast<int>(*pid));
    children_[*pid] = Child{};
    ++available_;
    update_listening();
}

void Service::update_listening() noexcept {
    const bool want = !listener_events_.empty() && available_ == 0 && may_spawn();
    if (want == listening_) return;
    listening_ = want;
    for (const tern::EventPtr& ev : listener_events_) {
        if (want) (void)tern::add_event(ev.get());
        else tern::remove_event(ev.get());
    }
}

void Service::on_listener(evutil_socket_t, short) noexcept {
    // A client or trigger waits and no process is available: start one.
    spawn();
}

void Service::on_status(evutil_socket_t fd, short) noexcept {
    for (int i = 0; i < kMaxStatusReads; ++i) {
        tern::StatusRecord record{};
        const ssize_t n = ::read(fd, &record, sizeof record);
        if (n != static_cast<ssize_t>(sizeof record)) break;  // EAGAIN, or a torn record from a stranger
        const auto it = children_.find(static_cast<pid_t>(record.pid));
        if (it == children_.end()) continue;
        Child& child = it->second;
        const bool now_available = record.status == static_cast<std::int32_t>(tern::MasterStatus::Available);
        if (now_available && !child.available) {
            child.available = true;
            ++available_;
        } else if (!now_available && child.available) {
            child.available = false;
            --available_;
            ++child.use_count;
            ++total_uses_;
        }
    }
    update_listening();
}

bool Service::child_exited(pid_t pid, int wait_status) {
    const auto it = children_.find(pid);
    if (it == children_.end()) return false;
    const Child child = it->second;
    children_.erase(it);
    if (child.available) --available_;
    if (!normal_exit(wait_status)) {
        tern::log_warning("process %s pid %d %s", spec_.path.c_str(), static_cast<int>(pid),
                          describe_exit(wait_status).c_str());
        if (child.use_count == 0 && !throttled_) {
            tern::log_warning("%s: bad command startup -- throttling", spec_.path.c_str());
            throttle();
        }
    }
    if (spec_.entry.wakeup_s > 0 && children_.empty()) spawn();
    update_listening();
    return true;
}

void Service::throttle() noexcept {
    throttled_ = true;
    (void)tern::add_event(unthrottle_event_.get(), env_.throttle_s * 1000);
    update_listening();
}

void Service::on_unthrottle(evutil_socket_t, short) noexcept {
    throttled_ = false;
    if (spec_.entry.wakeup_s > 0 && children_.empty()) spawn();
    update_listening();
}

void Service::on_wakeup_timer(evutil_socket_t, short) noexcept {
    (void)tern::add_event(wakeup_event_.get(), spec_.entry.wakeup_s * 1000LL);
    if (spec_.entry.wakeup_when_used && total_uses_ == 0) return;
    send_wakeup();
}

void Service::send_wakeup() noexcept {
    const std::string path = service_path(spec_.entry, env_.queue_dir);
    const std::string_view byte(&tern::kWakeupByte, 1);
    if (spec_.entry.type == tern::ServiceType::Fifo) {
        tern::Fd fd{::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)};
        if (!fd || ::write(fd.get(), byte.data(), 1) != 1)
            tern::log_warning("wakeup %s: %s", path.c_str(), std::strerror(errno));
        return;
    }
    tern::Result<tern::Fd> fd = tern::unix_connect(path, kWakeupConnectMs);
    if (!fd) {
        tern::log_warning("wakeup %s: %s", path.c_str(), fd.error().describe().c_str());
        return;
    }
    if (tern::Status s = tern::write_all(fd->get(), byte, kWakeupConnectMs); !s)
        tern::log_warning("wakeup %s: %s", path.c_str(), s.error().describe().c_str());
}

std::vector<pid_t> Service::stop() {
    stopped_ = true;
    listener_events_.clear();
    listening_ = false;
    status_event_.reset();
    wakeup_event_.reset();
    unthrottle_event_.reset();
    std::vector<pid_t> pids;
    for (const auto& [pid, child] : children_) {
        ::kill(pid, SIGTERM);
        pids.push_back(pid);
    }
    children_.clear();
    available_ = 0;
    return pids;
}

std::vector<tern::Fd> Service::take_listeners() {
    listener_events_.clear();
    listening_ = false;
    return std::move(listeners_);
}

}  // namespace master
