// tests/unit/event_server_test.cpp - the daemon command line of master_protocol.h
#include <catch2/catch.hpp>

#include <vector>

#include "lib/mail/server_options.h"

namespace {

tern::Result<tern::ServerOptions> parse(std::vector<const char*> words) {
    words.insert(words.begin(), "daemon");
    return tern::parse_server_options(static_cast<int>(words.size()), words.data());
}

}  // namespace

TEST_CASE("server options: master's full command line", "[event_server]") {
    auto o = parse({"-n", "smtp", "-t", "inet", "-s", "2", "-c", "/etc/tern", "-u", "-C", "-w", "60", "-v", "-v",
                    "-o", "smtpd_tls_security_level = may", "--", "-x", "arg"});
    REQUIRE(o);
    CHECK(o->service_name == "smtp");
    CHECK(o->transport == "inet");
    CHECK(o->listen_count == 2);
    CHECK(o->config_dir == "/etc/tern");
    CHECK(o->unprivileged);
    CHECK(o->chroot);
    CHECK(o->wakeup_s == 60);
    CHECK(o->verbosity == 2);
    REQUIRE(o->overrides.size() == 1);
    CHECK(o->overrides[0].first == "smtpd_tls_security_level");
    CHECK(o->overrides[0].second == "may");
    CHECK(o->args == std::vector<std::string>{"-x", "arg"});
}

TEST_CASE("server options: empty and attached values", "[event_server]") {
    auto empty = parse({});
    REQUIRE(empty);
    CHECK(empty->listen_count == 0);
    CHECK(empty->args.empty());
    auto attached = parse({"-s1", "-nsmtp", "plain"});
    REQUIRE(attached);
    CHECK(attached->listen_count == 1);
    CHECK(attached->service_name == "smtp");
    CHECK(attached->args == std::vector<std::string>{"plain"});
}

TEST_CASE("server options: bad input is refused", "[event_server]") {
    CHECK_FALSE(parse({"-s"}));
    CHECK_FALSE(parse({"-s", "x"}));
    CHECK_FALSE(parse({"-s", "-1"}));
    CHECK(parse({"-s", "64"}));
    CHECK_FALSE(parse({"-s", "65"}));
    CHECK_FALSE(parse({"-s", "1x"}));
    CHECK_FALSE(parse({"-q"}));
    CHECK_FALSE(parse({"-uv"}));
    CHECK_FALSE(parse({"-o", "novalue"}));
    CHECK_FALSE(parse({"-o", "=value"}));
    CHECK_FALSE(parse({"-w", "99999999999999999999"}));
}

TEST_CASE("server options: stand-alone listen address", "[event_server]") {
    auto o = parse({"-d", "-l", "127.0.0.1:2525", "-n", "smtp"});
    REQUIRE(o);
    CHECK(o->debug);
    CHECK(o->listen_address == "127.0.0.1:2525");
    CHECK(o->listen_count == 0);
    CHECK_FALSE(parse({"-l"}));
}
