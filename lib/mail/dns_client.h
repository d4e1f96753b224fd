// lib/mail/dns_client.h - ask nameservers MX, A and AAAA questions on the libevent loop
//
// SYNOPSIS
//     tern::Result<tern::ResolverConfig> rc = tern::read_resolv_conf(config().get("dns_resolv_conf"));  // before chroot
//     tern::DnsClient dns(base, *rc);
//     std::unique_ptr<tern::DnsLookup> q = dns.lookup("example.com", tern::DnsType::Mx,
//         [](tern::Result<tern::DnsAnswer> a) noexcept { ... });   // destroying q cancels it
// DESCRIPTION
//     A stub resolver for the delivery agents (libevent's evdns cannot ask
//     for MX records). Each lookup sends its query over UDP to the
//     nameservers of resolv.conf in turn, waiting timeout seconds each, for
//     attempts rounds; an answer with TC set is asked again over TCP
//     (RFC 1035 section 4.2.2). Answers with another ID or question are
//     ignored (a stray or spoofed datagram), and each query has a random ID
//     and its own connected socket (so its own random source port).
//     The callback runs exactly once, on the loop, unless the lookup is
//     destroyed first; it may destroy the lookup.
// LIMITS
//     UDP answers up to 4096 bytes are read; TCP answers up to 65535.
// ERRORS
//     Temporary: no answer from any nameserver in time, socket trouble.
//     Permanent: a name that cannot be asked. SERVFAIL and NXDOMAIN are
//     answers (DnsAnswer::rcode), not errors.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <string>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/mail/dns.h"

namespace tern {

using DnsCallback = std::function<void(Result<DnsAnswer>)>;

class DnsLookup {
public:
    DnsLookup(event_base* base, const ResolverConfig& config, std::string name, DnsType type, DnsCallback done);
    ~DnsLookup();
    DnsLookup(const DnsLookup&) = delete;
    DnsLookup& operator=(const DnsLookup&) = delete;

    void start() noexcept;

private:
    void send_udp() noexcept;
    void on_udp(evutil_socket_t fd, short what) noexcept;
    void start_tcp() noexcept;
    static void on_tcp_read(bufferevent* bev, void* arg) noexcept;
    static void on_tcp_event(bufferevent* bev, short what, void* arg) noexcept;
    void next_attempt() noexcept;
    void finish(Result<DnsAnswer> result) noexcept;

    event_base* base_;
    const ResolverConfig& config_;
    std::string name_;
    DnsType type_;
    DnsCallback done_;
    std::uint16_t id_ = 0;
    std::string query_;
    int attempt_ = 0;
    Fd udp_;
    EventPtr udp_event_;
    BufferEventPtr tcp_;
};

class DnsClient {
public:
    DnsClient(event_base* base, ResolverConfig config) : base_(base), config_(std::move(config)) {}
    [[nodiscard]] std::unique_ptr<DnsLookup> lookup(std::string name, DnsType type, DnsCallback done);
    [[nodiscard]] const ResolverConfig& config() const noexcept { return config_; }

private:
    event_base* base_;
    ResolverConfig config_;
};

}  // namespace tern
