// tests/unit/dns_test.cpp - lib/mail/dns: queries, answers (compression, truncation, malformed), resolv.conf
#include "lib/mail/dns.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <catch2/catch.hpp>

#include <string>

using namespace tern;

namespace {

void put16(std::string& s, unsigned v) {
    s.push_back(static_cast<char>(v >> 8));
    s.push_back(static_cast<char>(v & 0xff));
}

// An answer to `query` (which it copies) with the given flags and raw answer records.
std::string answer(const std::string& query, unsigned flags, unsigned count, const std::string& records) {
    std::string m = query;
    m[2] = static_cast<char>(flags >> 8);
    m[3] = static_cast<char>(flags & 0xff);
    m[6] = 0;
    m[7] = static_cast<char>(count);
    return m + records;
}

std::string mx_record(unsigned pref, const std::string& host_wire) {
    std::string r = "\xc0\x0c";  // the question's name
    put16(r, 15);
    put16(r, 1);
    r += std::string("\0\0\0\x3c", 4);
    put16(r, static_cast<unsigned>(2 + host_wire.size()));
    put16(r, pref);
    return r + host_wire;
}

}  // namespace

TEST_CASE("DNS query wire form", "[dns]") {
    Result<std::string> q = build_dns_query(0x1234, "example.com.", DnsType::Mx);
    REQUIRE(q);
    CHECK(*q == std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07" "example\x03" "com\x00\x00\x0f\x00\x01", 29));
    CHECK_FALSE(build_dns_query(1, "", DnsType::A));
    CHECK_FALSE(build_dns_query(1, "a..b", DnsType::A));
    CHECK_FALSE(build_dns_query(1, "h..", DnsType::A));  // found by fuzz_dns: was asked as "h"
    CHECK_FALSE(build_dns_query(1, ".", DnsType::A));
    CHECK_FALSE(build_dns_query(1, ".a", DnsType::A));
    CHECK_FALSE(build_dns_query(1, std::string(64, 'a') + ".com", DnsType::A));
    CHECK(build_dns_query(1, std::string(63, 'a') + ".com", DnsType::A));
}

TEST_CASE("DNS MX and A answers", "[dns]") {
    const std::string q = *build_dns_query(7, "example.com", DnsType::Mx);
    const std::string m = answer(q, 0x8180, 2, mx_record(20, std::string("\x03mx2\xc0\x0c", 6)) +
                                                 mx_record(10, std::string("\x03mx1\x07" "example\x03" "com\x00", 17)));
    Result<DnsAnswer> a = parse_dns_answer(m, 7, "EXAMPLE.com", DnsType::Mx);
    REQUIRE(a);
    CHECK(a->rcode == DnsRcode::NoError);
    REQUIRE(a->mx.size() == 2);
    CHECK(a->mx[0].preference == 20);
    CHECK(a->mx[0].host == "mx2.example.com");
    CHECK(a->mx[1].host == "mx1.example.com");
    CHECK_FALSE(parse_dns_answer(m, 8, "example.com", DnsType::Mx));      // wrong ID
    CHECK_FALSE(parse_dns_answer(m, 7, "example.org", DnsType::Mx));      // wrong question
    CHECK_FALSE(parse_dns_answer(m.substr(0, m.size() - 3), 7, "example.com", DnsType::Mx));  // cut

    const std::string qa = *build_dns_query(9, "mx1.example.com", DnsType::A);
    std::string rec = "\xc0\x0c";
    put16(rec, 1);
    put16(rec, 1);
    rec += std::string("\0\0\0\x3c\x00\x04\x7f\x00\x00\x01", 10);
    Result<DnsAnswer> b = parse_dns_answer(answer(qa, 0x8180, 1, rec), 9, "mx1.example.com", DnsType::A);
    REQUIRE(b);
    REQUIRE(b->addresses.size() == 1);
    CHECK(b->addresses[0] == "127.0.0.1");
}

TEST_CASE("DNS rcodes, truncation and loops", "[dns]") {
    const std::string q = *build_dns_query(7, "nx.test", DnsType::Mx);
    Result<DnsAnswer> nx = parse_dns_answer(answer(q, 0x8183, 0, ""), 7, "nx.test", DnsType::Mx);
    REQUIRE(nx);
    CHECK(nx->rcode == DnsRcode::NxDomain);
    Result<DnsAnswer> sf = parse_dns_answer(answer(q, 0x8182, 0, ""), 7, "nx.test", DnsType::Mx);
    REQUIRE(sf);
    CHECK(sf->rcode == DnsRcode::ServFail);
    Result<DnsAnswer> tc = parse_dns_answer(answer(q, 0x8380, 0, ""), 7, "nx.test", DnsType::Mx);
    REQUIRE(tc);
    CHECK(tc->truncated);
    CHECK_FALSE(parse_dns_answer(q, 7, "nx.test", DnsType::Mx));  // a query, not a response
    std::string loop = "\xc0\x19";  // points at itself (offset 25 = where this record starts)
    put16(loop, 1);
    put16(loop, 1);
    loop += std::string("\0\0\0\x3c\x00\x04\x01\x02\x03\x04", 10);
    CHECK(q.size() == 25);
    CHECK_FALSE(parse_dns_answer(answer(q, 0x8180, 1, loop), 7, "nx.test", DnsType::Mx));
    CHECK_FALSE(parse_dns_answer("", 7, "nx.test", DnsType::Mx));
}

TEST_CASE("resolv.conf with ports", "[dns]") {
    ResolverConfig c = parse_resolv_conf("# x\nnameserver 127.0.0.1:5353\nnameserver [::1]:54\n"
                                         "nameserver 192.0.2.1\nnameserver 192.0.2.2\noptions timeout:1 attempts:1\n");
    REQUIRE(c.nameservers.size() == 3);
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&c.nameservers[0].address);
    CHECK(v4->sin_family == AF_INET);
    CHECK(ntohs(v4->sin_port) == 5353);
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&c.nameservers[1].address);
    CHECK(v6->sin6_family == AF_INET6);
    CHECK(ntohs(v6->sin6_port) == 54);
    CHECK(ntohs(reinterpret_cast<const sockaddr_in*>(&c.nameservers[2].address)->sin_port) == 53);
    CHECK(c.timeout_s == 1);
    CHECK(c.attempts == 1);
    ResolverConfig d = parse_resolv_conf("nameserver bogus\nnameserver 1.2.3.4:0\n");
    REQUIRE(d.nameservers.size() == 1);  // the default 127.0.0.1:53
    CHECK(d.timeout_s == 5);
}

TEST_CASE("MX hosts that are not host names are skipped", "[dns]") {
    const std::string q = *build_dns_query(7, "example.com", DnsType::Mx);
    const std::string records = mx_record(10, std::string("\x05" "a b[c\x00", 7)) +
                                mx_record(20, std::string("\x04mx\x01x\xc0\x0c", 7)) +
                                mx_record(30, std::string("\x03mx3\xc0\x0c", 6)) +
                                mx_record(0, std::string("\x00", 1));  // the null MX stays
    Result<DnsAnswer> a = parse_dns_answer(answer(q, 0x8180, 4, records), 7, "example.com", DnsType::Mx);
    REQUIRE(a);
    REQUIRE(a->mx.size() == 2);
    CHECK(a->mx[0].host == "mx3.example.com");
    CHECK(a->mx[1].host.empty());
    const std::string label63(63, 'a');
    const std::string wire = "\x3f" + label63 + std::string("\x00", 1);
    const std::string wire64 = "\x40" + std::string(64, 'a') + std::string("\x00", 1);
    Result<DnsAnswer> b = parse_dns_answer(answer(q, 0x8180, 1, mx_record(5, wire)), 7, "example.com", DnsType::Mx);
    REQUIRE(b);
    REQUIRE(b->mx.size() == 1);
    CHECK(b->mx[0].host == label63);
    CHECK_FALSE(parse_dns_answer(answer(q, 0x8180, 1, mx_record(5, wire64)), 7, "example.com", DnsType::Mx));
}
