// lib/mail/dns.h - DNS messages for the mail resolver: build queries, read answers, read resolv.conf
//
// SYNOPSIS
//     tern::Result<std::string> q = tern::build_dns_query(0x1234, "example.com", tern::DnsType::Mx);
//     tern::Result<tern::DnsAnswer> a = tern::parse_dns_answer(bytes, 0x1234, "example.com", tern::DnsType::Mx);
//     a->rcode == tern::DnsRcode::NoError; a->mx[0].preference; a->mx[0].host; a->truncated
//     tern::ResolverConfig rc = tern::parse_resolv_conf(text);   // "nameserver 127.0.0.1:5353"
// DESCRIPTION
//     RFC 1035 messages, just what an MTA asks: MX, A and AAAA questions
//     with recursion desired, and the records of those types (and CNAME,
//     followed by taking records of any owner) from the answer section.
//     An MX record whose host is not a valid host name (letters, digits,
//     '-', '_', labels up to 63 bytes) is skipped, as Postfix does.
//     libevent's evdns cannot ask for MX records, so tern builds its own
//     queries; lib/mail/dns_client.h sends them on the event loop.
//     parse_resolv_conf reads "nameserver ADDR" lines, where ADDR may carry
//     a port as libevent accepts it ("127.0.0.1:5353", "[::1]:5353"), and
//     "options timeout:N attempts:N". With no nameserver it uses 127.0.0.1:53
//     as the C library does.
// LIMITS
//     Names up to 255 bytes, labels up to 63; at most kMaxDnsRecords records
//     are taken from an answer; compression pointers are followed at most
//     kMaxDnsPointerJumps times (a loop is an error); at most 3 nameservers.
// ERRORS
//     Permanent: a name that cannot be asked; an answer that is malformed,
//     truncated in the middle of a record, for another ID or question.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace tern {

inline constexpr std::size_t kMaxDnsRecords = 100;
inline constexpr int kMaxDnsPointerJumps = 20;
inline constexpr std::size_t kMaxDnsNameservers = 3;

enum class DnsType : std::uint16_t { A = 1, Cname = 5, Mx = 15, Aaaa = 28 };
enum class DnsRcode { NoError, FormErr, ServFail, NxDomain, NotImp, Refused, Other };

[[nodiscard]] std::string_view dns_type_name(DnsType type) noexcept;  // "MX"

struct MxRecord {
    unsigned preference = 0;
    std::string host;  // without the final dot; "" for the null MX "."
};

struct DnsAnswer {
    DnsRcode rcode = DnsRcode::NoError;
    bool truncated = false;
    std::vector<MxRecord> mx;
    std::vector<std::string> addresses;  // A and AAAA in text form
};

[[nodiscard]] Result<std::string> build_dns_query(std::uint16_t id, std::string_view name, DnsType type);
[[nodiscard]] Result<DnsAnswer> parse_dns_answer(std::string_view message, std::uint16_t id, std::string_view name,
                                                 DnsType type);

struct Nameserver {
    sockaddr_storage address{};
    socklen_t length = 0;
};

struct ResolverConfig {
    std::vector<Nameserver> nameservers;
    int timeout_s = 5;
    int attempts = 2;
};

[[nodiscard]] ResolverConfig parse_resolv_conf(std::string_view text);
// Reads a resolv.conf file (at most 64 KiB); a missing file gives the defaults.
[[nodiscard]] Result<ResolverConfig> read_resolv_conf(const std::string& path);

}  // namespace tern
