// smtp/lookup.h - find the server addresses of a next hop: MX records, then A/AAAA (Postfix's smtp_addr)
//
// SYNOPSIS
//     smtp::AddressLookup lookup(dns, settings, hop, [](smtp::LookupResult r) noexcept { ... });
//     lookup.start();       // r.addresses in the order to try, or r.failure
// DESCRIPTION
//     A literal address needs no DNS; a unix: hop is one "address", the
//     socket path, named myhostname[path] as Postfix does. For a hop with
//     use_mx, the MX records are sorted by preference, hosts of equal
//     preference in random order; a domain without MX records is its own
//     single host; a null MX (RFC 7505) bounces. Each host's A (and AAAA
//     when inet_protocols allows) records follow in that order, up to
//     smtp_mx_address_limit addresses.
//     Failures are worded as Postfix words them:
//       "Host or domain name not found. Name service error for name=N
//        type=T: Host not found"                           5.4.4 bounce
//       "...: Host not found, try again"                   4.4.3 defer (SERVFAIL, timeout)
//       "...: Host found but no data record of requested type"  5.4.4 bounce
//     A host of an MX list that does not resolve is skipped; the hop
//     fails only when no host gives an address.
// LIMITS
//     At most settings.mx_address_limit addresses; MX lists are cut at
//     tern::kMaxDnsRecords.
#pragma once

#include <sys/socket.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/mail/dns_client.h"
#include "smtp/nexthop.h"
#include "smtp/protocol.h"
#include "smtp/settings.h"

namespace smtp {

struct ServerAddress {
    std::string host;     // "mx.example.com", or myhostname for a unix socket
    std::string address;  // "192.0.2.7", or the socket path
    int port = 0;         // 0 for a unix socket
    sockaddr_storage sockaddr{};
    socklen_t length = 0;

    [[nodiscard]] std::string peer() const { return host + "[" + address + "]"; }  // for reasons
    [[nodiscard]] std::string relay() const {                                      // for relay=
        return port == 0 ? peer() : peer() + ":" + std::to_string(port);
    }
};

struct LookupResult {
    std::vector<ServerAddress> addresses;
    std::optional<Failure> failure;  // set when addresses is empty
};

// A socket address for a literal IP or a unix path; false when it is neither.
[[nodiscard]] bool make_server_address(const std::string& host, const std::string& address, int port,
                                       ServerAddress& out);

class AddressLookup {
public:
    using Done = std::function<void(LookupResult)>;
    AddressLookup(tern::DnsClient& dns, const Settings& settings, NextHop hop, Done done);
    void start();

private:
    void on_mx(tern::Result<tern::DnsAnswer> answer);
    void next_host();
    void on_address(tern::Result<tern::DnsAnswer> answer, tern::DnsType type);
    void note_error(const std::string& name, tern::DnsType type, const tern::Result<tern::DnsAnswer>& answer);
    void finish();

    tern::DnsClient& dns_;
    const Settings& settings_;
    NextHop hop_;
    Done done_;
    std::vector<std::string> hosts_;
    std::size_t host_index_ = 0;
    LookupResult result_;
    std::optional<Failure> hard_error_;
    std::optional<Failure> soft_error_;
    std::unique_ptr<tern::DnsLookup> query_;
};

}  // namespace smtp
