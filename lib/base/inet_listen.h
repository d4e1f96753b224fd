// lib/base/inet_listen.h - parse "host:port" and open listening TCP sockets
//
// SYNOPSIS
//     tern::Result<tern::InetEndpoint> e = tern::parse_inet_endpoint("[::1]:25");
//     // e->host == "::1", e->port == "25"; "2525" gives host "" (any)
//     tern::Result<std::vector<tern::Fd>> fds = tern::inet_listen("127.0.0.1", "2525", 100);
//     tern::Result<std::vector<tern::Fd>> any = tern::inet_listen("", "smtp", 100, tern::InetFamilies::All);
// DESCRIPTION
//     parse_inet_endpoint splits a Postfix inet service name: "host:port",
//     "[v6addr]:port" or a bare "port" (a number or a service name from
//     /etc/services). It is pure: no lookups.
//     inet_listen resolves host and port (an empty host means every
//     address of the selected families: 0.0.0.0 and ::) and returns one
//     listening socket per address, each with SO_REUSEADDR, IPV6_V6ONLY
//     for IPv6, close-on-exec and non-blocking. It blocks in getaddrinfo,
//     so call it at start-up, never from an event callback.
// LIMITS
//     A host is at most 255 bytes, a port at most 32; at most
//     kMaxInetListenAddresses sockets per call.
// ERRORS
//     A malformed endpoint or an unknown host or service is Permanent;
//     a failed socket/bind/listen is Temporary and names address and port.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/result.h"

namespace tern {

inline constexpr std::size_t kMaxInetHostBytes = 255;
inline constexpr std::size_t kMaxInetPortBytes = 32;
inline constexpr std::size_t kMaxInetListenAddresses = 16;

struct InetEndpoint {
    std::string host;  // "" means every local address
    std::string port;  // number or service name
    bool operator==(const InetEndpoint&) const = default;
};

enum class InetFamilies { All, Ipv4, Ipv6 };

[[nodiscard]] Result<InetEndpoint> parse_inet_endpoint(std::string_view text);
// "all", "ipv4", "ipv6", "ipv4, ipv6" as Postfix's inet_protocols.
[[nodiscard]] Result<InetFamilies> parse_inet_protocols(std::string_view text);

[[nodiscard]] Result<std::vector<Fd>> inet_listen(const std::string& host, const std::string& port, int backlog,
                                                  InetFamilies families = InetFamilies::All);

}  // namespace tern
