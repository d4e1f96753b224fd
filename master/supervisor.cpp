// master/supervisor.cpp - master's loop, signals, reload and orderly stop
#include "master/supervisor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "lib/base/account.h"
#include "lib/base/inet_listen.h"
#include "lib/base/log.h"
#include "lib/mail/master_cf.h"

namespace master {
namespace {

constexpr auto kReapPoll = std::chrono::milliseconds(20);

bool command_exists(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

}  // namespace

Supervisor::Supervisor(std::string config_dir, int verbosity) {
    env_.config_dir = std::move(config_dir);
    env_.verbosity = verbosity;
}

Supervisor::~Supervisor() { stop_all(); }

tern::Status Supervisor::apply_main_cf(const tern::Config& cfg) {
    tern::Result<tern::Account> owner = tern::lookup_account(cfg.get("mail_owner"));
    if (!owner) return tl::unexpected(owner.error());
    tern::Result<tern::InetFamilies> families = tern::parse_inet_protocols(cfg.get("inet_protocols"));
    if (!families) return tl::unexpected(families.error());
    env_.queue_dir = cfg.get("queue_directory");
    tern::Result<long long> throttle = cfg.seconds("service_throttle_time");
    env_.throttle_s = throttle ? *throttle : 60;
    listen_ctx_ = ListenContext{env_.queue_dir, std::move(*owner), cfg.get("inet_interfaces"), *families};
    return {};
}

tern::Result<std::vector<ServiceSpec>> Supervisor::read_services(const tern::Config& cfg) const {
    tern::Result<std::vector<tern::MasterService>> entries = tern::load_master_cf(cfg);
    if (!entries) return tl::unexpected(entries.error());
    return resolve_services(*entries, cfg, command_exists);
}

tern::Status Supervisor::open() {
    tern::Result<tern::EventBasePtr> base = tern::make_event_base();
    if (!base) return tl::unexpected(base.error());
    base_ = std::move(*base);
    if (tern::Status s = apply_main_cf(tern::config()); !s) return s;
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) < 0) return tern::fail(tern::Retry::Temporary, "master watch pipe", errno);
    watch_read_.reset(pipe_fds[0]);
    watch_write_.reset(pipe_fds[1]);
    env_.watch_read_fd = watch_read_.get();
    tern::Result<std::vector<ServiceSpec>> specs = read_services(tern::config());
    if (!specs) return tl::unexpected(specs.error());
    for (ServiceSpec& spec : *specs) {
        tern::Result<std::vector<tern::Fd>> fds = open_listeners(spec.entry, listen_ctx_);
        if (!fds) return tern::fail(tern::Retry::Permanent, "service " + spec.entry.name + ": " + fds.error().describe());
        pending_.emplace_back(std::move(spec), std::move(*fds));
    }
    auto chld = tern::make_signal_event<&Supervisor::on_sigchld>(base_.get(), SIGCHLD, this);
    auto hup = tern::make_signal_event<&Supervisor::on_sighup>(base_.get(), SIGHUP, this);
    auto term = tern::make_signal_event<&Supervisor::on_sigterm>(base_.get(), SIGTERM, this);
    auto intr = tern::make_signal_event<&Supervisor::on_sigterm>(base_.get(), SIGINT, this);
    for (auto* ev : {&chld, &hup, &term, &intr}) {
        if (!*ev) return tl::unexpected(ev->error());
        if (tern::Status s = tern::add_event((*ev)->get()); !s) return s;
        signal_events_.push_back(std::move(**ev));
    }
    return {};
}

void Supervisor::run() {
    tern::log_info("daemon started -- version %s, configuration %s", PACKAGE_VERSION, env_.config_dir.c_str());
    for (auto& [spec, fds] : pending_) {
        if (tern::Status s = add_service(std::move(spec), std::move(fds)); !s)
            tern::log_error("%s", s.error().describe().c_str());
    }
    pending_.clear();
    event_base_dispatch(base_.get());
    stop_all();
}

tern::Status Supervisor::add_service(ServiceSpec spec, std::vector<tern::Fd> listeners) {
    auto service = std::make_unique<Service>(base_.get(), std::move(spec), std::move(listeners), env_);
    if (tern::Status s = service->start(); !s) {
        retire(*service);
        return tern::fail(tern::Retry::Temporary, "service " + service->key() + ": " + s.error().describe());
    }
    const std::string key = service->key();
    services_[key] = std::move(service);
    return {};
}

void Supervisor::retire(Service& service) {
    for (const pid_t pid : service.stop()) retired_.insert(pid);
}

void Supervisor::on_sigchld(evutil_socket_t, short) noexcept {
    int wait_status = 0;
    pid_t pid = 0;
    while ((pid = ::waitpid(-1, &wait_status, WNOHANG)) > 0) {
        bool found = false;
        for (auto& [key, service] : services_) {
            if (service->child_exited(pid, wait_status)) {
                found = true;
                break;
            }
        }
        if (!found) retired_.erase(pid);
    }
}

void Supervisor::on_sighup(evutil_socket_t, short) noexcept {
    tern::log_info("reload -- version %s, configuration %s", PACKAGE_VERSION, env_.config_dir.c_str());
    reload();
}

void Supervisor::on_sigterm(evutil_socket_t fd, short) noexcept {
    tern::log_info("terminating on signal %d", static_cast<int>(fd));
    event_base_loopbreak(base_.get());
}

void Supervisor::reload() noexcept {
    tern::Result<tern::Config> cfg = tern::Config::load(env_.config_dir);
    if (!cfg) {
        tern::log_error("reload: %s -- keeping the old configuration", cfg.error().describe().c_str());
        return;
    }
    tern::Result<std::vector<ServiceSpec>> specs = read_services(*cfg);
    if (!specs) {
        tern::log_error("reload: %s -- keeping the old configuration", specs.error().describe().c_str());
        return;
    }
    if (tern::Status s = apply_main_cf(*cfg); !s) {
        tern::log_error("reload: %s -- keeping the old configuration", s.error().describe().c_str());
        return;
    }
    tern::set_config(std::move(*cfg));
    apply_diff(std::move(*specs));
}

void Supervisor::apply_diff(std::vector<ServiceSpec> specs) {
    std::vector<ServiceSpec> current;
    for (const auto& [key, service] : services_) current.push_back(service->spec());
    const ServiceDiff diff = diff_services(current, specs);
    std::map<std::string, ServiceSpec> by_key;
    for (ServiceSpec& spec : specs) by_key.emplace(spec.entry.key(), std::move(spec));
    for (const std::string& key : diff.removed) {
        tern::log_info("service %s: removed", key.c_str());
        retire(*services_[key]);
        services_.erase(key);
    }
    for (const std::string& key : diff.unchanged) services_[key]->update_spec(std::move(by_key[key]));
    for (const std::string& key : diff.restarted) {
        tern::log_info("service %s: changed, restarting its processes", key.c_str());
        std::vector<tern::Fd> fds = services_[key]->take_listeners();
        retire(*services_[key]);
        services_.erase(key);
        if (tern::Status s = add_service(std::move(by_key[key]), std::move(fds)); !s)
            tern::log_error("%s", s.error().describe().c_str());
    }
    std::vector<std::string> fresh = diff.replaced;
    fresh.insert(fresh.end(), diff.added.begin(), diff.added.end());
    for (const std::string& key : diff.replaced) {
        retire(*services_[key]);
        services_.erase(key);
    }
    for (const std::string& key : fresh) {
        tern::log_info("service %s: starting", key.c_str());
        tern::Result<std::vector<tern::Fd>> fds = open_listeners(by_key[key].entry, listen_ctx_);
        if (!fds) {
            tern::log_error("service %s: %s", key.c_str(), fds.error().describe().c_str());
            continue;
        }
        if (tern::Status s = add_service(std::move(by_key[key]), std::move(*fds)); !s)
            tern::log_error("%s", s.error().describe().c_str());
    }
}

void Supervisor::stop_all() noexcept {
    for (auto& [key, service] : services_) retire(*service);
    services_.clear();
    watch_write_.reset();  // children see EOF on the watch pipe
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStopWaitMs);
    while (!retired_.empty() && std::chrono::steady_clock::now() < deadline) {
        int wait_status = 0;
        const pid_t pid = ::waitpid(-1, &wait_status, WNOHANG);
        if (pid > 0) retired_.erase(pid);
        else if (pid < 0 && errno == ECHILD) retired_.clear();
        else std::this_thread::sleep_for(kReapPoll);
    }
    for (const pid_t pid : retired_) {
        tern::log_warning("process pid %d did not stop -- killing it", static_cast<int>(pid));
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    retired_.clear();
}

}  // namespace master
