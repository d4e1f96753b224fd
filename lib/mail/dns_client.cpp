// lib/mail/dns_client.cpp - DNS lookups over UDP and TCP on the event loop; see dns_client.h
#include "lib/mail/dns_client.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <ctime>

namespace tern {

namespace {

constexpr std::size_t kMaxUdpAnswerBytes = 4096;

std::uint16_t random_id() noexcept {
    std::uint16_t id = 0;
    if (getrandom(&id, sizeof id, GRND_NONBLOCK) != sizeof id)
        id = static_cast<std::uint16_t>(reinterpret_cast<std::uintptr_t>(&id) ^ static_cast<std::uintptr_t>(time(nullptr)));
    return id;
}

}  // namespace

DnsLookup::DnsLookup(event_base* base, const ResolverConfig& config, std::string name, DnsType type, DnsCallback done)
    : base_(base), config_(config), name_(std::move(name)), type_(type), done_(std::move(done)) {}

DnsLookup::~DnsLookup() = default;

void DnsLookup::start() noexcept {
    id_ = random_id();
    Result<std::string> q = build_dns_query(id_, name_, type_);
    if (!q) {
        finish(tl::unexpected(q.error()));
        return;
    }
    query_ = std::move(*q);
    send_udp();
}

void DnsLookup::send_udp() noexcept {
    udp_event_.reset();
    const Nameserver& ns = config_.nameservers[static_cast<std::size_t>(attempt_) % config_.nameservers.size()];
    udp_.reset(::socket(ns.address.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!udp_ || ::connect(udp_.get(), reinterpret_cast<const sockaddr*>(&ns.address), ns.length) != 0 ||
        ::send(udp_.get(), query_.data(), query_.size(), MSG_NOSIGNAL) < 0) {
        next_attempt();  // bounded: attempts * nameservers sends at most
        return;
    }
    Result<EventPtr> ev = make_event<&DnsLookup::on_udp>(base_, udp_.get(), EV_READ | EV_PERSIST, this);
    if (!ev) {
        finish(tl::unexpected(ev.error()));
        return;
    }
    udp_event_ = std::move(*ev);
    if (Status s = add_event(udp_event_.get(), config_.timeout_s * 1000LL); !s) finish(tl::unexpected(s.error()));
}

void DnsLookup::on_udp(evutil_socket_t fd, short what) noexcept {
    if (what & EV_TIMEOUT) {
        next_attempt();
        return;
    }
    std::array<char, kMaxUdpAnswerBytes> buffer{};
    const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        return;  // ECONNREFUSED: nobody there; the timeout moves on
    }
    Result<DnsAnswer> answer = parse_dns_answer({buffer.data(), static_cast<std::size_t>(n)}, id_, name_, type_);
    if (!answer) return;  // not ours, or garbage: keep waiting for the real one
    if (answer->truncated) {
        start_tcp();
        return;
    }
    finish(std::move(answer));
}

void DnsLookup::next_attempt() noexcept {
    udp_event_.reset();
    udp_.reset();
    const int total = config_.attempts * static_cast<int>(config_.nameservers.size());
    if (++attempt_ >= total) {
        finish(fail(Retry::Temporary, "DNS timeout for name=" + name_ + " type=" + std::string(dns_type_name(type_))));
        return;
    }
    send_udp();
}

void DnsLookup::start_tcp() noexcept {
    udp_event_.reset();
    const Nameserver& ns = config_.nameservers[static_cast<std::size_t>(attempt_) % config_.nameservers.size()];
    udp_.reset();
    tcp_.reset(bufferevent_socket_new(base_, -1, BEV_OPT_CLOSE_ON_FREE));
    if (!tcp_) {
        finish(fail(Retry::Temporary, "DNS: cannot make a TCP connection"));
        return;
    }
    bufferevent_setcb(tcp_.get(), &DnsLookup::on_tcp_read, nullptr, &DnsLookup::on_tcp_event, this);
    const timeval limit{config_.timeout_s * config_.attempts, 0};
    bufferevent_set_timeouts(tcp_.get(), &limit, &limit);
    std::array<char, 2> prefix{static_cast<char>(query_.size() >> 8), static_cast<char>(query_.size() & 0xff)};
    bufferevent_write(tcp_.get(), prefix.data(), prefix.size());
    bufferevent_write(tcp_.get(), query_.data(), query_.size());
    bufferevent_enable(tcp_.get(), EV_READ | EV_WRITE);
    if (bufferevent_socket_connect(tcp_.get(), reinterpret_cast<const sockaddr*>(&ns.address),
                                   static_cast<int>(ns.length)) != 0)
        finish(fail(Retry::Temporary, "DNS: TCP connect failed", errno));
}

void DnsLookup::on_tcp_read(bufferevent* bev, void* arg) noexcept {
    auto* self = static_cast<DnsLookup*>(arg);
    evbuffer* in = bufferevent_get_input(bev);
    std::array<unsigned char, 2> prefix{};
    if (evbuffer_copyout(in, prefix.data(), 2) != 2) return;
    const std::size_t length = (static_cast<std::size_t>(prefix[0]) << 8) | prefix[1];
    if (evbuffer_get_length(in) < 2 + length) return;
    std::string message(length, '\0');
    evbuffer_drain(in, 2);
    evbuffer_remove(in, message.data(), length);
    Result<DnsAnswer> answer = parse_dns_answer(message, self->id_, self->name_, self->type_);
    if (!answer) {
        self->finish(fail(Retry::Temporary, "DNS over TCP: " + answer.error().text));
        return;
    }
    self->finish(std::move(answer));
}

void DnsLookup::on_tcp_event(bufferevent*, short what, void* arg) noexcept {
    auto* self = static_cast<DnsLookup*>(arg);
    if (what & BEV_EVENT_CONNECTED) return;
    self->finish(fail(Retry::Temporary, "DNS over TCP: no answer for name=" + self->name_));
}

void DnsLookup::finish(Result<DnsAnswer> result) noexcept {
    udp_event_.reset();
    udp_.reset();
    tcp_.reset();
    DnsCallback done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result));  // may destroy this: nothing after
}

std::unique_ptr<DnsLookup> DnsClient::lookup(std::string name, DnsType type, DnsCallback done) {
    auto q = std::make_unique<DnsLookup>(base_, config_, std::move(name), type, std::move(done));
    return q;
}

}  // namespace tern
