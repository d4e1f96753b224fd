// lib/mail/event_server.cpp - options, config, privileges and the accept loop of a daemon
#include "lib/mail/event_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <memory>

#include "lib/base/account.h"
#include "lib/base/event_loop.h"
#include "lib/base/inet_listen.h"
#include "lib/base/unix_socket.h"
#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/server_options.h"

namespace tern {
namespace {

constexpr std::size_t kMaxTriggerBytes = 1024;
constexpr long long kTriggerTimeoutMs = 10'000;

bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

struct StatusState {
    bool have_master = false;
    MasterStatus last = MasterStatus::Busy;
    bool reported = false;
};

StatusState& status_state() {
    static StatusState s;  // one per process, like the status pipe itself
    return s;
}

class Server;

// One connection on a unix trigger listener: read what arrives, pass it on, close.
class TriggerConn {
public:
    TriggerConn(Server& server, Fd fd) : server_(server), fd_(std::move(fd)) {}
    [[nodiscard]] Status start(event_base* base);
    void on_read(evutil_socket_t fd, short what) noexcept;

private:
    Server& server_;
    Fd fd_;
    EventPtr event_;
};

class Server final : public ServerContext {
public:
    Server(const EventServerSpec& spec, ServerOptions options) : spec_(spec), options_(std::move(options)) {}

    int run();

    event_base* base() noexcept override { return base_.get(); }
    const std::string& service_name() const noexcept override { return options_.service_name; }
    const std::vector<std::string>& args() const noexcept override { return options_.args; }
    const std::string& root_directory() const noexcept override { return root_; }
    void client_done() noexcept override;
    void request_stop() noexcept override { stop_accepting(); }

    void deliver_trigger(std::string_view bytes) noexcept;
    void forget_trigger(int fd) noexcept { triggers_.erase(fd); }

    void on_listener(evutil_socket_t fd, short what) noexcept;
    void on_fifo(evutil_socket_t fd, short what) noexcept;
    void on_master_watch(evutil_socket_t fd, short what) noexcept;
    void on_sigterm(evutil_socket_t fd, short what) noexcept;
    void on_idle(evutil_socket_t fd, short what) noexcept;

private:
    void load_configuration();
    void enter_sandbox();
    void open_standalone_listener();
    void open_events();
    void accept_client(Fd client) noexcept;
    void count_use() noexcept;
    void stop_accepting() noexcept;
    [[nodiscard]] bool is_full() const noexcept;
    void watch_listeners(bool on) noexcept;
    void arm_idle_timer() noexcept;

    const EventServerSpec& spec_;
    ServerOptions options_;
    std::string root_ = "/";
    EventBasePtr base_;
    std::vector<int> listener_fds_;
    std::vector<Fd> own_listeners_;  // stand-alone mode only
    std::vector<EventPtr> listener_events_;
    EventPtr watch_event_;
    EventPtr term_event_;
    EventPtr idle_event_;
    std::map<int, std::unique_ptr<TriggerConn>> triggers_;
    long long max_idle_s_ = 100;
    long long max_use_ = 10000;
    long long uses_ = 0;
    int clients_ = 0;
    bool accepting_ = true;
};

Status TriggerConn::start(event_base* ev_base) {
    Result<EventPtr> ev = make_event<&TriggerConn::on_read>(ev_base, fd_.get(), EV_READ, this);
    if (!ev) return tl::unexpected(ev.error());
    event_ = std::move(*ev);
    return add_event(event_.get(), kTriggerTimeoutMs);
}

void TriggerConn::on_read(evutil_socket_t fd, short what) noexcept {
    if ((what & EV_READ) != 0) {
        char bytes[kMaxTriggerBytes];
        const ssize_t n = ::read(fd, bytes, sizeof bytes);
        if (n > 0) server_.deliver_trigger(std::string_view(bytes, static_cast<std::size_t>(n)));
    }
    server_.forget_trigger(fd);  // destroys this
}

void Server::load_configuration() {
    const std::string dir = options_.config_dir.empty() ? default_config_dir() : options_.config_dir;
    Result<Config> cfg = Config::load(dir, options_.overrides);
    if (!cfg) log_fatal("%s", cfg.error().describe().c_str());
    // As Postfix's daemons: main.cf and -o values may use $service_name
    // (syslog_name = tern/$service_name) and $process_name.
    cfg->set("service_name", options_.service_name, "master.cf");
    cfg->set("process_name", spec_.service, "master.cf");
    set_config(std::move(*cfg));
    std::string syslog_name = config().get("syslog_name");
    if (syslog_name.empty()) syslog_name = "tern";
    log_open(syslog_name + "/" + std::string(spec_.service), spec_.service);
    log_use_stderr(options_.debug);
    log_set_verbosity(options_.verbosity);
    const std::string maillog = config().get("maillog_file");
    if (maillog.empty()) {
        log_use_syslog(true);
    } else if (Status s = log_use_file(maillog); !s) {
        log_use_syslog(true);
        log_warning("%s", s.error().describe().c_str());
    }
    if (Result<long long> n = config().seconds("max_idle"); n) max_idle_s_ = *n;
    if (Result<long long> n = config().integer("max_use"); n) max_use_ = *n;
}

void Server::enter_sandbox() {
    Account owner;
    if (options_.unprivileged) {
        Result<Account> a = lookup_account(config().get("mail_owner"));
        if (!a) log_fatal("mail_owner: %s", a.error().describe().c_str());
        owner = std::move(*a);
    }
    if (options_.chroot) {
        root_ = config().get("queue_directory");
        if (Status s = enter_chroot(root_); !s) log_fatal("%s", s.error().describe().c_str());
    }
    if (options_.unprivileged) {
        if (Status s = drop_privileges(owner); !s) log_fatal("%s", s.error().describe().c_str());
    }
}

// -l: a person runs the daemon without master, for tests and debugging.
void Server::open_standalone_listener() {
    const std::string& address = options_.listen_address;
    if (address.front() == '/') {
        Result<Fd> fd = unix_listen(address, kListenBacklog, 0666);
        if (!fd) log_fatal("%s", fd.error().describe().c_str());
        own_listeners_.push_back(std::move(*fd));
    } else {
        Result<InetEndpoint> ep = parse_inet_endpoint(address);
        if (!ep) log_fatal("-l: %s", ep.error().describe().c_str());
        Result<std::vector<Fd>> fds = inet_listen(ep->host, ep->port, kListenBacklog);
        if (!fds) log_fatal("%s", fds.error().describe().c_str());
        for (Fd& fd : *fds) own_listeners_.push_back(std::move(fd));
    }
    for (const Fd& fd : own_listeners_) listener_fds_.push_back(fd.get());
}

void Server::open_events() {
    const bool fifo = options_.transport == "fifo";
    for (int i = 0; i < options_.listen_count; ++i) listener_fds_.push_back(kListenFdBase + i);
    for (const int fd : listener_fds_) {
        if (!fd_is_open(fd)) log_fatal("listener descriptor %d is not open", fd);
        (void)::fcntl(fd, F_SETFD, FD_CLOEXEC);
        (void)::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        Result<EventPtr> ev = fifo ? make_event<&Server::on_fifo>(base(), fd, EV_READ | EV_PERSIST, this)
                                   : make_event<&Server::on_listener>(base(), fd, EV_READ | EV_PERSIST, this);
        if (!ev || !add_event(ev->get())) log_fatal("cannot watch listener descriptor %d", fd);
        listener_events_.push_back(std::move(*ev));
    }
    if (status_state().have_master) {
        (void)::fcntl(kMasterWatchFd, F_SETFD, FD_CLOEXEC);
        (void)::fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
        Result<EventPtr> ev = make_event<&Server::on_master_watch>(base(), kMasterWatchFd, EV_READ | EV_PERSIST, this);
        if (!ev || !add_event(ev->get())) log_fatal("cannot watch the master pipe");
        watch_event_ = std::move(*ev);
    }
    Result<EventPtr> term = make_signal_event<&Server::on_sigterm>(base(), SIGTERM, this);
    Result<EventPtr> idle = make_timer<&Server::on_idle>(base(), this);
    if (!term || !idle || !add_event(term->get())) log_fatal("cannot set up signal and timer events");
    term_event_ = std::move(*term);
    idle_event_ = std::move(*idle);
    arm_idle_timer();
}

int Server::run() {
    log_open("tern/" + std::string(spec_.service), spec_.service);
    load_configuration();
    status_state().have_master = options_.listen_count > 0 && fd_is_open(kStatusFd) && fd_is_open(kMasterWatchFd);
    std::signal(SIGPIPE, SIG_IGN);
    Result<EventBasePtr> ev_base = make_event_base();
    if (!ev_base) log_fatal("%s", ev_base.error().describe().c_str());
    base_ = std::move(*ev_base);
    if (!options_.listen_address.empty()) open_standalone_listener();
    if (spec_.before_chroot) spec_.before_chroot(*this);
    enter_sandbox();
    if (spec_.after_privilege_drop) spec_.after_privilege_drop(*this);
    open_events();
    log_debug("%s: ready, %zu listener(s)", options_.service_name.c_str(), listener_fds_.size());
    report_status(MasterStatus::Available);
    event_base_dispatch(base());
    if (spec_.on_stop) spec_.on_stop(*this);
    triggers_.clear();
    return 0;
}

void Server::on_listener(evutil_socket_t fd, short) noexcept {
    if (!accepting_) return;
    Fd client{::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)};
    if (!client) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
            log_warning("accept: %s", std::strerror(errno));
        return;  // another process took it
    }
    if (spec_.on_accept) {
        accept_client(std::move(client));
        return;
    }
    const int raw = client.get();
    auto conn = std::make_unique<TriggerConn>(*this, std::move(client));
    if (!conn->start(base())) return;
    triggers_[raw] = std::move(conn);
}

void Server::accept_client(Fd client) noexcept {
    ++clients_;
    event_del(idle_event_.get());
    // Only a full process is busy: reporting busy around every accept
    // would make master start another process whenever it read that
    // message before the "available" that follows it.
    if (is_full()) report_status(MasterStatus::Busy);
    spec_.on_accept(std::move(client), *this);
    watch_listeners(!is_full());
    count_use();
}

bool Server::is_full() const noexcept { return spec_.busy_at_clients > 0 && clients_ >= spec_.busy_at_clients; }

// A busy process stops accepting, so the next client goes to another
// process, or waits in the backlog for one that master starts.
void Server::watch_listeners(bool on) noexcept {
    if (!accepting_) return;
    for (const EventPtr& ev : listener_events_) {
        if (on) (void)add_event(ev.get());
        else remove_event(ev.get());
    }
}

void Server::on_fifo(evutil_socket_t fd, short) noexcept {
    char bytes[kMaxTriggerBytes];
    const ssize_t n = ::read(fd, bytes, sizeof bytes);
    if (n <= 0) return;
    deliver_trigger(std::string_view(bytes, static_cast<std::size_t>(n)));
}

void Server::deliver_trigger(std::string_view bytes) noexcept {
    report_status(MasterStatus::Busy);
    if (spec_.on_wakeup) spec_.on_wakeup(bytes, *this);
    report_status(MasterStatus::Available);
    count_use();
    if (clients_ == 0) arm_idle_timer();
}

void Server::count_use() noexcept {
    ++uses_;
    if (!spec_.ignore_max_use && max_use_ > 0 && uses_ >= max_use_) stop_accepting();
}

void Server::client_done() noexcept {
    if (clients_ <= 0) return;
    --clients_;
    if (!accepting_) {
        if (clients_ == 0) event_base_loopexit(base(), nullptr);
        return;
    }
    if (spec_.busy_at_clients > 0 && clients_ == spec_.busy_at_clients - 1) {
        report_status(MasterStatus::Available);
        watch_listeners(true);
    }
    if (clients_ == 0) arm_idle_timer();
}

void Server::stop_accepting() noexcept {
    if (!accepting_) return;
    accepting_ = false;
    listener_events_.clear();
    report_status(MasterStatus::Busy);  // master must not count on us any more
    if (clients_ == 0) {
        event_base_loopexit(base(), nullptr);
        return;
    }
    const timeval limit{kDrainLimitS, 0};
    event_base_loopexit(base(), &limit);
}

void Server::arm_idle_timer() noexcept {
    if (spec_.ignore_max_idle || max_idle_s_ <= 0 || !idle_event_) return;
    (void)add_event(idle_event_.get(), max_idle_s_ * 1000);
}

void Server::on_idle(evutil_socket_t, short) noexcept {
    if (clients_ > 0) return;
    log_debug("idle timeout -- exiting");
    event_base_loopexit(base(), nullptr);
}

void Server::on_master_watch(evutil_socket_t fd, short) noexcept {
    char byte = 0;
    const ssize_t n = ::read(fd, &byte, 1);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n > 0) return;  // master never writes; ignore
    watch_event_.reset();
    log_debug("master went away -- exiting");
    stop_accepting();
}

void Server::on_sigterm(evutil_socket_t, short) noexcept {
    log_debug("terminating on signal %d", SIGTERM);
    accepting_ = false;
    event_base_loopbreak(base());
}

}  // namespace

void report_status(MasterStatus status) noexcept {
    StatusState& s = status_state();
    if (!s.have_master || (s.reported && s.last == status)) return;
    s.reported = true;
    s.last = status;
    const StatusRecord record{static_cast<std::int32_t>(::getpid()), static_cast<std::int32_t>(status), 0};
    ssize_t n = 0;
    do {
        n = ::write(kStatusFd, &record, sizeof record);
    } while (n < 0 && errno == EINTR);
}

int run_event_server(int argc, char** argv, const EventServerSpec& spec) {
    Result<ServerOptions> options = parse_server_options(argc, argv);
    if (!options) {
        log_open("tern/" + std::string(spec.service), spec.service);
        log_fatal("%s", options.error().describe().c_str());
    }
    Server server(spec, std::move(*options));
    return server.run();
}

}  // namespace tern
