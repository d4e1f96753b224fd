// tests/fuzz/fuzz_dns.cpp - libFuzzer target for lib/mail/dns: DNS answers, queries and resolv.conf
//
// SYNOPSIS
//     fuzz_dns [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/dns)
// DESCRIPTION
//     Byte 0 picks what the rest is:
//       0..2  a DNS message from a nameserver, parsed as the answer to
//             query ID 0x1234 for "example.com" type MX (0), A (1) or
//             AAAA (2) - the seeds carry that question, so mutations keep
//             reaching the records;
//       3     a resolv.conf file;
//       4..   a name: build_dns_query must either refuse it or make a
//             query that, turned into an empty response, parses back as
//             the answer to the same question.
//     Checks: answers never hold more than kMaxDnsRecords records; an MX
//     host is at most 255 bytes of hostname characters (it is asked next
//     and logged); addresses are IP text; resolv.conf gives 1..3
//     nameservers and bounded options.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/base/log.h"
#include "lib/mail/dns.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

bool hostname_text(std::string_view host) {
    if (host.size() > 255) return false;
    for (char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

bool address_text(std::string_view a) {
    if (a.empty() || a.size() > 45) return false;
    for (char c : a)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '.' || c == ':')) return false;
    return true;
}

void fuzz_answer(std::string_view message, tern::DnsType type) {
    tern::Result<tern::DnsAnswer> a = tern::parse_dns_answer(message, 0x1234, "example.com", type);
    if (!a) return;
    check(a->mx.size() + a->addresses.size() <= tern::kMaxDnsRecords);
    for (const tern::MxRecord& mx : a->mx) {
        check(mx.preference <= 0xffff);
        check(hostname_text(mx.host));
    }
    for (const std::string& address : a->addresses) check(address_text(address));
}

void fuzz_resolv_conf(std::string_view text) {
    const tern::ResolverConfig rc = tern::parse_resolv_conf(text);
    check(!rc.nameservers.empty() && rc.nameservers.size() <= tern::kMaxDnsNameservers);
    check(rc.timeout_s >= 1 && rc.timeout_s <= 30);
    check(rc.attempts >= 1 && rc.attempts <= 5);
    for (const tern::Nameserver& ns : rc.nameservers) check(ns.length > 0 && ns.length <= sizeof ns.address);
}

void fuzz_query(std::string_view name) {
    tern::Result<std::string> q = tern::build_dns_query(0x4321, name, tern::DnsType::Mx);
    if (!q) return;
    check(q->size() >= 12 + 1 + 4 && q->size() <= 12 + 257 + 4);
    std::string response = *q;
    response[2] = static_cast<char>(0x81);  // QR, RD
    response[3] = static_cast<char>(0x80);  // RA, NOERROR
    tern::Result<tern::DnsAnswer> a = tern::parse_dns_answer(response, 0x4321, name, tern::DnsType::Mx);
    check(a.has_value());
    check(a->mx.empty() && a->addresses.empty() && a->rcode == tern::DnsRcode::NoError);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    static bool quiet = [] {
        tern::log_use_stderr(false);
        return true;
    }();
    (void)quiet;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0]) {
    case 0: fuzz_answer(rest, tern::DnsType::Mx); break;
    case 1: fuzz_answer(rest, tern::DnsType::A); break;
    case 2: fuzz_answer(rest, tern::DnsType::Aaaa); break;
    case 3: fuzz_resolv_conf(rest); break;
    default: fuzz_query(rest); break;
    }
    return 0;
}
