// smtpd/session.cpp - one client connection around a Protocol (see session.h)
#include "smtpd/session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/smtp_reply.h"

namespace smtpd {

namespace {

constexpr std::size_t kReadChunkBytes = 16 * 1024;
constexpr std::size_t kMaxCleanupBacklogBytes = 256 * 1024;

// Address and port of the peer; "unknown" for a non-IP socket.
ClientInfo peer_of(int fd) {
    ClientInfo info;
    info.address = "unknown";
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return info;
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (ss.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
        ::inet_ntop(AF_INET, &in->sin_addr, text.data(), text.size());
        info.port = std::to_string(ntohs(in->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, text.data(), text.size());
        info.port = std::to_string(ntohs(in6->sin6_port));
    } else {
        return info;
    }
    info.address = text.data();
    if (info.address.starts_with("::ffff:") && info.address.find('.') != std::string::npos)
        info.address.erase(0, 7);  // an IPv4 client on an IPv6 socket
    // No DNS yet: only loopback gets a name.
    if (info.address.starts_with("127.") || info.address == "::1") info.name = "localhost";
    return info;
}

// A lookup error (a table in the list cannot be read) counts as no match.
bool listed(const tern::NetList& list, const std::string& address) {
    tern::Result<bool> found = list.matches(address);
    if (!found) tern::log_warning("%s", found.error().describe().c_str());
    return found && *found;
}

long long now_s() noexcept {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec;
}

// Connection count and rate limits; false when the client was turned away.
bool admit_client(int fd, const ClientInfo& info, tern::ServerContext& ctx, Daemon& daemon) {
    if (!daemon.limits || listed(daemon.event_limit_exceptions, info.address)) return true;
    const Admission a = daemon.limits->admit(info.address, now_s());
    if (a.verdict == Admit::Ok) return true;
    const char* what = a.verdict == Admit::TooManyConnections ? "concurrency" : "rate";
    const std::string client = info.name + "[" + info.address + "]";
    tern::log_warning("Connection %s limit exceeded: %lld from %s for service %s", what, a.count, client.c_str(),
                      tern::printable(ctx.service_name(), 100).c_str());
    const std::string reply = tern::format_reply("421 4.7.0 " + daemon.settings.myhostname +
                                                 " Error: too many connections from " + info.address);
    (void)::send(fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    tern::log_info("disconnect from %s commands=0", client.c_str());
    return false;
}

}  // namespace

void Session::start(tern::Fd fd, tern::ServerContext& ctx, Daemon& daemon) noexcept {
    ClientInfo info = peer_of(fd.get());
    tern::log_info("connect from %s[%s]", info.name.c_str(), info.address.c_str());
    if (!admit_client(fd.get(), info, ctx, daemon)) {
        ctx.client_done();
        return;
    }
    info.bare_newline_excluded = listed(daemon.bare_newline_exclusions, info.address);
    const bool limited = daemon.limits && !listed(daemon.event_limit_exceptions, info.address);
    auto session = std::make_unique<Session>(Key{}, std::move(fd), ctx, daemon, std::move(info));
    session->limited_ = limited;
    if (!session->init_events()) {
        tern::log_warning("cannot make events for a session: out of memory?");
        session->end();  // the map does not own it yet: end() looks it up
        return;
    }
    Session* raw = session.get();
    daemon.sessions.emplace(raw, std::move(session));
    raw->protocol_.greet();
    raw->process();
}

Session::Session(Key, tern::Fd fd, tern::ServerContext& ctx, Daemon& daemon, ClientInfo client)
    : fd_(std::move(fd)), ctx_(ctx), daemon_(daemon), address_(client.address),
      protocol_(daemon.settings, *daemon.policy, *this, std::move(client)) {}

Session::~Session() = default;

bool Session::init_events() {
    auto read_ev = tern::make_event<&Session::on_readable>(ctx_.base(), fd_.get(), EV_READ, this);
    auto write_ev = tern::make_event<&Session::on_writable>(ctx_.base(), fd_.get(), EV_WRITE, this);
    auto delay = tern::make_timer<&Session::on_delay_over>(ctx_.base(), this);
    if (!read_ev || !write_ev || !delay) return false;
    read_event_ = std::move(*read_ev);
    write_event_ = std::move(*write_ev);
    delay_timer_ = std::move(*delay);
    return true;
}

void Session::end() noexcept {
    protocol_.finish();
    if (limited_) daemon_.limits->release(address_);
    tern::ServerContext& ctx = ctx_;
    std::unique_ptr<Session> self;
    if (auto it = daemon_.sessions.find(this); it != daemon_.sessions.end()) {
        self = std::move(it->second);
        daemon_.sessions.erase(it);
    }
    self.reset();  // destroys this (when it was registered)
    ctx.client_done();
}

void Session::on_readable(evutil_socket_t, short what) noexcept {
    if ((what & EV_TIMEOUT) != 0) {
        protocol_.timed_out();
        output_ += protocol_.take_output();
        (void)::send(fd_.get(), output_.data() + output_sent_, output_.size() - output_sent_,
                     MSG_DONTWAIT | MSG_NOSIGNAL);
        return end();
    }
    std::array<char, kReadChunkBytes> buffer;
    const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return update_events();
    if (n <= 0) {
        protocol_.lost_connection();
        return end();
    }
    input_.append(buffer.data(), static_cast<std::size_t>(n));
    process();
}

void Session::process() noexcept {
    if (!input_.empty() && !delaying_) {
        const std::size_t used = protocol_.feed(input_);
        input_.erase(0, used);
        if (input_.empty()) input_.shrink_to_fit();
    }
    queue_output();
    // Replies wait with the protocol: the group is answered together once
    // cleanup has answered (a local round trip, bounded by smtpd_timeout).
    if (protocol_.waiting()) return update_events();
    if (!write_pending()) return;
    if (protocol_.closing() && !delaying_ && output_.empty()) return end();
    update_events();
}

// Moves the collected replies to the socket's queue, or behind the error delay.
void Session::queue_output() {
    if (!protocol_.has_output()) return;
    std::string replies = protocol_.take_output();
    if (protocol_.take_delay() && !delaying_ && daemon_.settings.error_sleep_ms > 0) {
        delaying_ = true;
        (void)tern::add_event(delay_timer_.get(), daemon_.settings.error_sleep_ms);
    }
    std::string& target = delaying_ ? delayed_output_ : output_;
    target += replies;
}

void Session::on_delay_over(evutil_socket_t, short) noexcept {
    delaying_ = false;
    output_ += delayed_output_;
    delayed_output_.clear();
    delayed_output_.shrink_to_fit();
    process();
}

bool Session::write_pending() noexcept {
    while (output_sent_ < output_.size()) {
        const ssize_t n = ::send(fd_.get(), output_.data() + output_sent_, output_.size() - output_sent_,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            (void)tern::add_event(write_event_.get(), daemon_.settings.timeout_ms);
            return true;
        }
        if (n <= 0) {
            protocol_.lost_connection();
            end();
            return false;
        }
        output_sent_ += static_cast<std::size_t>(n);
    }
    output_.clear();
    output_.shrink_to_fit();
    output_sent_ = 0;
    return true;
}

void Session::on_writable(evutil_socket_t, short what) noexcept {
    if ((what & EV_TIMEOUT) != 0) {
        protocol_.timed_out();  // logs; the 421 cannot be written either
        return end();
    }
    if (!write_pending()) return;
    if (output_.empty()) process();
}

// Reads only when the protocol can take input and nothing waits to be written.
void Session::update_events() noexcept {
    const bool cleanup_busy = cleanup_ && cleanup_->pending_bytes() > kMaxCleanupBacklogBytes;
    const bool want_read =
        !protocol_.closing() && !protocol_.waiting() && !delaying_ && output_.empty() && !cleanup_busy;
    if (want_read) {
        (void)tern::add_event(read_event_.get(), daemon_.settings.timeout_ms);
    } else {
        tern::remove_event(read_event_.get());
    }
}

bool Session::open_cleanup(const tern::AttrList& envelope) {
    const int timeout_ms = static_cast<int>(std::min<long long>(daemon_.settings.timeout_ms, 3600 * 1000));
    auto client = tern::CleanupClient::open(ctx_.base(), daemon_.cleanup_path, *this, timeout_ms);
    if (!client) {
        tern::log_warning("connect to cleanup: %s", client.error().describe().c_str());
        return false;
    }
    cleanup_ = std::move(*client);
    cleanup_->send(envelope);
    return true;
}

void Session::send_cleanup(const tern::AttrList& message) {
    if (cleanup_) cleanup_->send(message);
}

void Session::finish_cleanup() {
    if (cleanup_) cleanup_->finish();
}

void Session::abort_cleanup() {
    if (!cleanup_) return;
    cleanup_->abort();
    cleanup_.reset();
}

void Session::on_cleanup_queue_id(std::string_view queue_id) noexcept {
    protocol_.cleanup_opened(queue_id);
    process();
}

void Session::on_cleanup_reply(const tern::CleanupReply& reply) noexcept {
    cleanup_.reset();
    protocol_.cleanup_replied(reply);
    process();
}

void Session::on_cleanup_failure(const std::string& why) noexcept {
    cleanup_.reset();
    protocol_.cleanup_failed(why);
    process();
}

void Session::on_cleanup_drained() noexcept {
    if (!protocol_.waiting()) process();
}

}  // namespace smtpd
