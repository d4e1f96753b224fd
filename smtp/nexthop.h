// smtp/nexthop.h - read a delivery request's next hop as Postfix's smtp(8) and lmtp(8) write it
//
// SYNOPSIS
//     smtp::Result<smtp::NextHop> hop = smtp::parse_nexthop("[mx.example.com]:587", smtp::Dialect::Smtp, "25");
//     hop->kind == smtp::HopKind::Inet; hop->host == "mx.example.com"; hop->port == 587; hop->use_mx == false
//     smtp::parse_nexthop("unix:private/dovecot-lmtp", smtp::Dialect::Lmtp, "24");   // kind Unix, path
//     std::optional<int> port = smtp::parse_port("submission");                     // 587
// DESCRIPTION
//     The forms of smtp(8) and lmtp(8):
//       [host]:port, [host]    no MX lookup (host may be an address literal)
//       host:port, host        MX lookup for smtp (A/AAAA for lmtp, which
//                              never looks up MX records)
//       inet:host:port         as host:port; inet:[host]:port as [host]:port
//       unix:/path, unix:rel   LMTP (or SMTP) over a UNIX-domain socket; a
//                              relative path is relative to queue_directory
//     A missing port is default_port (smtp_tcp_port, lmtp_tcp_port), a
//     decimal number or one of the service names smtp, submission, smtps,
//     submissions, lmtp. IPv6 literals go in brackets: [ipv6:2001:db8::1]
//     or [2001:db8::1]. key() names the destination for the connection
//     cache.
// LIMITS
//     A next hop is at most kMaxNextHopBytes; host names must be valid
//     DNS names (or address literals inside brackets).
// ERRORS
//     Permanent, with the text Postfix would log after "bad next hop".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace smtp {

using tern::Result;

inline constexpr std::size_t kMaxNextHopBytes = 1024;

enum class Dialect { Smtp, Lmtp };
enum class HopKind { Inet, Unix };

struct NextHop {
    HopKind kind = HopKind::Inet;
    std::string host;     // Inet: name or address literal (without brackets)
    int port = 25;        // Inet
    bool use_mx = false;  // Inet: look up MX records for host
    bool literal = false; // Inet: host is an IP address, no DNS at all
    std::string path;     // Unix: socket path as written
    [[nodiscard]] std::string key() const;  // "mx.example.com:25:mx", "unix:private/x"
};

[[nodiscard]] Result<NextHop> parse_nexthop(std::string_view text, Dialect dialect, std::string_view default_port);
// A port number or known service name; nullopt when neither (or out of range).
[[nodiscard]] std::optional<int> parse_port(std::string_view text) noexcept;
// True for a dotted-quad IPv4 or an IPv6 address (text form).
[[nodiscard]] bool is_ip_address(std::string_view text) noexcept;

}  // namespace smtp
