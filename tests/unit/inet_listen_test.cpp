// tests/unit/inet_listen_test.cpp - inet endpoint parsing and listening
#include <catch2/catch.hpp>

#include <string>

#include "lib/base/inet_listen.h"

using tern::InetEndpoint;

TEST_CASE("inet endpoint: host, v6 and bare port", "[inet_listen]") {
    CHECK(*tern::parse_inet_endpoint("127.0.0.1:2525") == InetEndpoint{"127.0.0.1", "2525"});
    CHECK(*tern::parse_inet_endpoint("[::1]:25") == InetEndpoint{"::1", "25"});
    CHECK(*tern::parse_inet_endpoint("smtp") == InetEndpoint{"", "smtp"});
    CHECK(*tern::parse_inet_endpoint("2525") == InetEndpoint{"", "2525"});
    CHECK(*tern::parse_inet_endpoint("*:25") == InetEndpoint{"", "25"});
    CHECK(*tern::parse_inet_endpoint("localhost:submission") == InetEndpoint{"localhost", "submission"});
}

TEST_CASE("inet endpoint: malformed input", "[inet_listen]") {
    CHECK_FALSE(tern::parse_inet_endpoint(""));
    CHECK_FALSE(tern::parse_inet_endpoint("host:"));
    CHECK_FALSE(tern::parse_inet_endpoint("::1:25"));
    CHECK_FALSE(tern::parse_inet_endpoint("[::1]25"));
    CHECK_FALSE(tern::parse_inet_endpoint("[::1"));
    CHECK_FALSE(tern::parse_inet_endpoint("host:po rt"));
    CHECK_FALSE(tern::parse_inet_endpoint(std::string("host:2\0" "5", 7)));
    CHECK_FALSE(tern::parse_inet_endpoint("host:\xe9"));
    CHECK(tern::parse_inet_endpoint("h:" + std::string(32, '1')));
    CHECK_FALSE(tern::parse_inet_endpoint("h:" + std::string(33, '1')));
    CHECK(tern::parse_inet_endpoint(std::string(255, 'a') + ":25"));
    CHECK_FALSE(tern::parse_inet_endpoint(std::string(256, 'a') + ":25"));
}

TEST_CASE("inet_protocols values", "[inet_listen]") {
    CHECK(*tern::parse_inet_protocols("all") == tern::InetFamilies::All);
    CHECK(*tern::parse_inet_protocols("ipv4") == tern::InetFamilies::Ipv4);
    CHECK(*tern::parse_inet_protocols("ipv6") == tern::InetFamilies::Ipv6);
    CHECK(*tern::parse_inet_protocols("ipv4, ipv6") == tern::InetFamilies::All);
    CHECK_FALSE(tern::parse_inet_protocols(""));
    CHECK_FALSE(tern::parse_inet_protocols("ipx"));
}

TEST_CASE("inet_listen on a free loopback port", "[inet_listen]") {
    auto fds = tern::inet_listen("127.0.0.1", "0", 10, tern::InetFamilies::Ipv4);
    REQUIRE(fds);
    CHECK(fds->size() == 1);
    CHECK_FALSE(tern::inet_listen("127.0.0.1", "no-such-service-name", 10));
}
