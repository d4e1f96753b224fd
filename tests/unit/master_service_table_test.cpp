// tests/unit/master_service_table_test.cpp - master's argv, reload diff and listener addresses
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "master/listeners.h"
#include "master/service_table.h"

using master::ServiceSpec;

namespace {

ServiceSpec make_spec(const std::string& name, tern::ServiceType type, const std::string& command) {
    ServiceSpec spec;
    spec.entry.name = name;
    spec.entry.type = type;
    spec.entry.command = command;
    spec.path = "/usr/libexec/tern/" + command;
    spec.listener_key = master::make_listener_key(spec.entry, "all", "all");
    return spec;
}

}  // namespace

TEST_CASE("master argv: options, overrides, then service arguments", "[master]") {
    ServiceSpec spec = make_spec("submission", tern::ServiceType::Inet, "smtpd");
    spec.entry.chroot = true;
    spec.entry.unprivileged = true;
    spec.entry.args = {"-o", "syslog_name=tern/submission", "-v", "-x", "-o", "a = b c"};
    spec.entry.overrides = {{"syslog_name", "tern/submission"}, {"a", "b c"}};
    const auto argv = master::build_child_argv(spec, "/etc/tern", 2, 0);
    const std::vector<std::string> want{"/usr/libexec/tern/smtpd", "-n", "submission", "-t", "inet", "-s", "2",
                                        "-c", "/etc/tern", "-u", "-C", "-v", "-o", "syslog_name=tern/submission",
                                        "-o", "a=b c", "--", "-x"};
    CHECK(argv == want);
}

TEST_CASE("master argv: minimal service with wakeup", "[master]") {
    ServiceSpec spec = make_spec("pickup", tern::ServiceType::Unix, "pickup");
    spec.entry.unprivileged = false;
    spec.entry.wakeup_s = 60;
    const auto argv = master::build_child_argv(spec, "", 1, 1);
    const std::vector<std::string> want{"/usr/libexec/tern/pickup", "-n", "pickup", "-t", "unix", "-s", "1",
                                        "-w", "60", "-v", "--"};
    CHECK(argv == want);
}

TEST_CASE("master reload diff", "[master]") {
    const ServiceSpec a = make_spec("a", tern::ServiceType::Unix, "x");
    const ServiceSpec b = make_spec("b", tern::ServiceType::Unix, "x");
    const ServiceSpec c = make_spec("c", tern::ServiceType::Unix, "x");
    ServiceSpec b_args = b;
    b_args.entry.args = {"-v"};
    ServiceSpec c_public = c;
    c_public.entry.private_access = false;
    c_public.listener_key = master::make_listener_key(c_public.entry, "all", "all");
    ServiceSpec a_moved = a;
    a_moved.entry.line = 99;  // only the position changed
    const ServiceSpec d = make_spec("d", tern::ServiceType::Fifo, "x");

    const auto diff = master::diff_services({a, b, c}, {a_moved, b_args, c_public, d});
    CHECK(diff.unchanged == std::vector<std::string>{a.entry.key()});
    CHECK(diff.restarted == std::vector<std::string>{b.entry.key()});
    CHECK(diff.replaced == std::vector<std::string>{c.entry.key()});
    CHECK(diff.added == std::vector<std::string>{d.entry.key()});
    CHECK(diff.removed.empty());

    const auto gone = master::diff_services({a, b}, {});
    CHECK(gone.removed.size() == 2);
    const auto none = master::diff_services({}, {});
    CHECK(none.added.empty());
    CHECK(none.removed.empty());
}

TEST_CASE("master listener key follows inet_interfaces for a bare port only", "[master]") {
    tern::MasterService smtp;
    smtp.name = "smtp";
    smtp.type = tern::ServiceType::Inet;
    CHECK(master::make_listener_key(smtp, "all", "all") != master::make_listener_key(smtp, "127.0.0.1", "all"));
    tern::MasterService fixed = smtp;
    fixed.name = "127.0.0.1:2525";
    CHECK(master::make_listener_key(fixed, "all", "all") == master::make_listener_key(fixed, "10.0.0.1", "ipv4"));
}

TEST_CASE("master inet endpoints", "[master]") {
    using tern::InetEndpoint;
    using tern::InetFamilies;
    auto all = master::inet_endpoints("2525", "all", InetFamilies::All);
    REQUIRE(all);
    CHECK(*all == std::vector<InetEndpoint>{{"", "2525"}});
    auto loop = master::inet_endpoints("smtp", "loopback-only", InetFamilies::Ipv4);
    REQUIRE(loop);
    CHECK(*loop == std::vector<InetEndpoint>{{"127.0.0.1", "smtp"}});
    auto list = master::inet_endpoints("25", "192.0.2.1, [::1]", InetFamilies::All);
    REQUIRE(list);
    CHECK(*list == std::vector<InetEndpoint>{{"192.0.2.1", "25"}, {"::1", "25"}});
    auto fixed = master::inet_endpoints("[::1]:25", "192.0.2.1", InetFamilies::All);
    REQUIRE(fixed);
    CHECK(*fixed == std::vector<InetEndpoint>{{"::1", "25"}});
    CHECK_FALSE(master::inet_endpoints("host:", "all", InetFamilies::All));
}
