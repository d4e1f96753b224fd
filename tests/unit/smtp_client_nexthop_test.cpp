// tests/unit/smtp_client_nexthop_test.cpp - smtp/nexthop: next hop forms of smtp(8) and lmtp(8)
#include "smtp/nexthop.h"

#include <catch2/catch.hpp>

#include <string>

using namespace smtp;

TEST_CASE("bracketed next hops skip MX", "[smtp_client]") {
    auto hop = parse_nexthop("[mx.example.com]:587", Dialect::Smtp, "smtp");
    REQUIRE(hop);
    CHECK(hop->kind == HopKind::Inet);
    CHECK(hop->host == "mx.example.com");
    CHECK(hop->port == 587);
    CHECK_FALSE(hop->use_mx);
    CHECK_FALSE(hop->literal);
    hop = parse_nexthop("[127.0.0.1]", Dialect::Smtp, "smtp");
    REQUIRE(hop);
    CHECK(hop->port == 25);
    CHECK(hop->literal);
    hop = parse_nexthop("[ipv6:2001:db8::1]:26", Dialect::Smtp, "25");
    REQUIRE(hop);
    CHECK(hop->host == "2001:db8::1");
    CHECK(hop->literal);
    CHECK(hop->port == 26);
}

TEST_CASE("plain host names use MX for smtp only", "[smtp_client]") {
    auto hop = parse_nexthop("example.com", Dialect::Smtp, "smtp");
    REQUIRE(hop);
    CHECK(hop->use_mx);
    CHECK(hop->port == 25);
    hop = parse_nexthop("example.com:2525", Dialect::Smtp, "smtp");
    REQUIRE(hop);
    CHECK(hop->use_mx);
    CHECK(hop->port == 2525);
    hop = parse_nexthop("inet:lmtp.example.com", Dialect::Lmtp, "24");
    REQUIRE(hop);
    CHECK_FALSE(hop->use_mx);
    CHECK(hop->port == 24);
    hop = parse_nexthop("inet:[127.0.0.1]:2400", Dialect::Lmtp, "24");
    REQUIRE(hop);
    CHECK(hop->host == "127.0.0.1");
    CHECK(hop->port == 2400);
    hop = parse_nexthop("127.0.0.1:2525", Dialect::Smtp, "25");
    REQUIRE(hop);
    CHECK(hop->literal);
    CHECK_FALSE(hop->use_mx);
}

TEST_CASE("unix next hops", "[smtp_client]") {
    auto hop = parse_nexthop("unix:private/dovecot-lmtp", Dialect::Lmtp, "24");
    REQUIRE(hop);
    CHECK(hop->kind == HopKind::Unix);
    CHECK(hop->path == "private/dovecot-lmtp");
    CHECK(hop->key() == "unix:private/dovecot-lmtp");
    CHECK_FALSE(parse_nexthop("unix:", Dialect::Lmtp, "24"));
}

TEST_CASE("bad next hops", "[smtp_client]") {
    CHECK_FALSE(parse_nexthop("", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop("[mx.example.com", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop("[mx.example.com]x", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop("[]:25", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop("mx.example.com:0", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop("mx.example.com:65536", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop("mx.example.com:http", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop("mx example", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop(std::string("mx\0x", 4), Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop("bad_host!.example", Dialect::Smtp, "25"));
    CHECK_FALSE(parse_nexthop(std::string(kMaxNextHopBytes + 1, 'a'), Dialect::Smtp, "25"));
    CHECK(parse_port("65535") == 65535);
    CHECK(parse_port("submission") == 587);
    CHECK(parse_port("LMTP") == 24);
    CHECK_FALSE(parse_port(""));
    CHECK_FALSE(parse_port("25x"));
}

TEST_CASE("cache keys tell destinations apart", "[smtp_client]") {
    auto a = parse_nexthop("Example.COM", Dialect::Smtp, "25");
    auto b = parse_nexthop("[example.com]", Dialect::Smtp, "25");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->key() == "example.com:25:mx");
    CHECK(b->key() == "example.com:25");
}
