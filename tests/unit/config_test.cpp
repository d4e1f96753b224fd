// tests/unit/config_test.cpp - main.cf parsing, expansion, checks and the parameter table
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "lib/mail/config.h"
#include "lib/mail/params.h"
#include "tests/unit/test_support.h"

using tern::Config;

namespace {
Config parsed(std::string_view text) {
    auto cfg = Config::parse(text, "main.cf");
    REQUIRE(cfg);
    return *cfg;
}
}  // namespace

TEST_CASE("empty main.cf gives the defaults", "[config]") {
    const Config cfg = parsed("");
    CHECK(cfg.entries().empty());
    CHECK(cfg.get("syslog_name") == "tern");
    CHECK(cfg.get("mail_name") == "tern");
    CHECK(cfg.get("queue_directory") == "/var/spool/tern");
    CHECK(cfg.get("mynetworks") == "127.0.0.0/8 [::1]/128");
    CHECK(*cfg.seconds("smtpd_timeout") == 300);
    CHECK(*cfg.bytes("message_size_limit") == 10240000);
    CHECK(*cfg.integer("default_process_limit") == 100);
    CHECK(*cfg.boolean("smtpd_forbid_bare_newline"));
    CHECK(!cfg.is_set("myhostname"));
    CHECK(cfg.get("nonexistent_thing").empty());
    CHECK(cfg.validate());
}

TEST_CASE("name = value, comments and continuation lines", "[config]") {
    const Config cfg = parsed(
        "# comment\n"
        "myhostname=mx.example.com\n"
        "\n"
        "mydestination = a,\n"
        "# a comment inside\n"
        "  b\n"
        "    # indented comment\n"
        "\tc  \r\n"
        "relayhost = x # not a comment\n"
        "empty =\n");
    CHECK(cfg.raw("myhostname") == "mx.example.com");
    CHECK(cfg.raw("mydestination") == "a, b c");
    CHECK(cfg.list("mydestination") == std::vector<std::string>{"a", "b", "c"});
    CHECK(cfg.raw("relayhost") == "x # not a comment");
    CHECK(cfg.is_set("empty"));
    CHECK(cfg.get("empty").empty());
    REQUIRE(cfg.entries().size() == 4);
    CHECK(cfg.entries()[1].line == 4);
    CHECK(cfg.entries()[2].line == 9);
}

TEST_CASE("leading white space on the first line is skipped with a warning", "[config]") {
    const Config cfg = parsed("  orphan = 1\nmyorigin = x\n");
    CHECK(!cfg.is_set("orphan"));
    REQUIRE(cfg.parse_warnings().size() == 1);
    CHECK(cfg.parse_warnings()[0].find("main.cf, line 1:") == 0);
}

TEST_CASE("syntax errors name the file and line", "[config]") {
    auto r = Config::parse("myorigin = a\nmyhostname mx\n", "/etc/tern/main.cf");
    REQUIRE(!r);
    CHECK(r.error().text == "/etc/tern/main.cf, line 2: missing '=' after attribute name: \"myhostname mx\"");
    r = Config::parse("= value\n", "m");
    REQUIRE(!r);
    CHECK(r.error().text.find("m, line 1: missing attribute name") == 0);
}

TEST_CASE("the last assignment wins", "[config]") {
    Config cfg = parsed("relayhost = a\nrelayhost = b\n");
    CHECK(cfg.get("relayhost") == "b");
    cfg.set("relayhost", "c");
    CHECK(cfg.get("relayhost") == "c");
    CHECK(cfg.unknown_entries().empty());
}

TEST_CASE("macro expansion", "[config]") {
    const Config cfg = parsed(
        "myhostname = mx.example.com\n"
        "a = $myhostname ${myhostname} $(myhostname) $$x\n"
        "b = ${myhostname?set} ${relayhost?set} ${myhostname:unset} ${relayhost:unset}\n"
        "c = ${myhostname?{yes}:{no}} ${relayhost?{yes}:{no}} ${relayhost:{e}}\n"
        "d = ${undefined_thing}|$undefined_thing|\n"
        "e = x${myhostname}y\n");
    CHECK(cfg.get("a") == "mx.example.com mx.example.com mx.example.com $x");
    CHECK(cfg.get("b") == "set   unset");
    CHECK(cfg.get("c") == "yes no e");
    CHECK(cfg.get("d") == "||");
    CHECK(cfg.get("e") == "xmx.example.comy");
}

TEST_CASE("defaults refer to other parameters", "[config]") {
    const Config cfg = parsed("myhostname = mx.example.com\n");
    CHECK(cfg.get("myorigin") == "mx.example.com");
    CHECK(cfg.get("mydomain") == "example.com");
    CHECK(cfg.get("mydestination") == "mx.example.com, localhost.example.com, localhost");
    CHECK(cfg.get("smtpd_banner") == "mx.example.com ESMTP tern");
    CHECK(cfg.raw("myorigin") == "$myhostname");
    const Config dotless = parsed("myhostname = box\n");
    CHECK(dotless.get("mydomain") == "localdomain");
    const Config defaults = parsed("");
    CHECK(defaults.get("myhostname").find('.') != std::string::npos);
}

TEST_CASE("macro loops are errors that name the parameter", "[config]") {
    const Config cfg = parsed("loop1 = $loop2\nloop2 = ${loop1}\nmyorigin = $loop1\nmyhostname = $mydomain\n");
    auto r = cfg.expanded("myorigin");
    REQUIRE(!r);
    CHECK(r.error().text.find("main.cf, line 3: parameter myorigin: macro loop via $loop") == 0);
    CHECK(cfg.get("myorigin").empty());
    auto v = cfg.validate();
    REQUIRE(!v);
    CHECK(v.error().text.find("parameter myorigin") != std::string::npos);
    // mydomain's default comes from myhostname; this must end, not recurse.
    CHECK(cfg.get("mydomain") == "localdomain");
}

TEST_CASE("bad macro syntax is an error", "[config]") {
    for (const char* text : {"myorigin = ${relayhost\n", "myorigin = $\n", "myorigin = a $ b\n",
                             "myorigin = ${relay-host}\n", "myorigin = ${{$a} == {b} ? {c} : {d}}\n",
                             "myorigin = ${relayhost?{a}x}\n"}) {
        const Config cfg = parsed(text);
        INFO(text);
        auto r = cfg.validate();
        REQUIRE(!r);
        CHECK(r.error().text.find("main.cf, line 1: parameter myorigin: ") == 0);
    }
}

TEST_CASE("exponential expansion stops at the byte limit", "[config]") {
    std::string text = "p0 = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n";
    for (int i = 1; i < 40; ++i)
        text += "p" + std::to_string(i) + " = $p" + std::to_string(i - 1) + "$p" + std::to_string(i - 1) + "\n";
    text += "myorigin = $p39\n";
    const Config cfg = parsed(text);
    auto r = cfg.expanded("myorigin");
    REQUIRE(!r);
    CHECK(r.error().text.find("longer than") != std::string::npos);
}

TEST_CASE("deep nesting stops at kMaxExpansionDepth", "[config]") {
    std::string text;
    for (int i = 0; i < 150; ++i) text += "q" + std::to_string(i) + " = $q" + std::to_string(i + 1) + "\n";
    text += "myorigin = $q0\n";
    auto r = parsed(text).expanded("myorigin");
    REQUIRE(!r);
    CHECK(r.error().text.find("nesting") != std::string::npos);
}

TEST_CASE("bad values name file, line and parameter", "[config]") {
    struct Case {
        const char* text;
        const char* error;
    };
    const Case cases[] = {
        {"\nmessage_size_limit = abc\n", "main.cf, line 2: parameter message_size_limit: bad numerical value: \"abc\""},
        {"message_size_limit = -1\n", "main.cf, line 1: parameter message_size_limit: value -1 is less than the minimum 0"},
        {"smtpd_timeout = 10x\n", "main.cf, line 1: parameter smtpd_timeout: bad time value: \"10x\""},
        {"smtpd_timeout = 0\n", "main.cf, line 1: parameter smtpd_timeout: value 0 is less than the minimum 1"},
        {"soft_bounce = maybe\n", "main.cf, line 1: parameter soft_bounce: bad boolean value: \"maybe\" (use yes or no)"},
        {"default_process_limit = 99999999999999999999\n",
         "main.cf, line 1: parameter default_process_limit: bad numerical value: \"99999999999999999999\""},
        {"x = abc\nmessage_size_limit = $x\n", "main.cf, line 2: parameter message_size_limit: bad numerical value"},
        {"smtp_destination_concurrency_limit = two\n", "main.cf, line 1: parameter smtp_destination_concurrency_limit"},
        {"foo_destination_concurrency_limit = two\n", "main.cf, line 1: parameter foo_destination_concurrency_limit"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        auto r = parsed(c.text).validate();
        REQUIRE(!r);
        CHECK(r.error().text.find(c.error) == 0);
    }
    auto n = parsed("message_size_limit = abc\n").bytes("message_size_limit");
    REQUIRE(!n);
    CHECK(n.error().text.find("parameter message_size_limit") != std::string::npos);
}

TEST_CASE("time values and units", "[config]") {
    const Config cfg = parsed(
        "smtpd_timeout = 5m\nmaximal_queue_lifetime = 2\ndelay_warning_time = 4h\nipc_timeout = 1w\n"
        "minimal_backoff_time = 300\n");
    CHECK(*cfg.seconds("smtpd_timeout") == 300);
    CHECK(*cfg.seconds("maximal_queue_lifetime") == 2 * 86400);  // bare number: days, as Postfix
    CHECK(*cfg.seconds("delay_warning_time") == 4 * 3600);
    CHECK(*cfg.seconds("ipc_timeout") == 604800);
    CHECK(*cfg.seconds("minimal_backoff_time") == 300);
    CHECK(!tern::parse_time_value("", 's'));
    CHECK(!tern::parse_time_value("s", 's'));
    CHECK(!tern::parse_time_value("-1s", 's'));
    CHECK(!tern::parse_time_value("99999999999999999w", 's'));
    CHECK(*tern::parse_time_value("0", 'd') == 0);
}

TEST_CASE("booleans are yes or no in any case", "[config]") {
    const Config cfg = parsed("soft_bounce = YES\nbiff = No\n");
    CHECK(*cfg.boolean("soft_bounce"));
    CHECK(!*cfg.boolean("biff"));
    CHECK(cfg.validate());
}

TEST_CASE("unknown parameters are reported once each", "[config]") {
    const Config cfg = parsed(
        "foo = 1\nfoo = 2\nbar = x\nmy_nets = 10.0.0.0/8\nmynetworks = $my_nets\n"
        "smtp_destination_concurrency_limit = 3\ndovecot_destination_recipient_limit = 1\n");
    const auto unknown = cfg.unknown_entries();
    REQUIRE(unknown.size() == 2);
    CHECK(unknown[0]->name == "foo");
    CHECK(unknown[0]->value == "2");
    CHECK(unknown[0]->line == 2);
    CHECK(unknown[1]->name == "bar");
    CHECK(cfg.validate());
    CHECK(cfg.get("mynetworks") == "10.0.0.0/8");
    CHECK(*cfg.integer("dovecot_destination_recipient_limit") == 1);
    CHECK(*cfg.integer("lmtp_destination_concurrency_limit") == 20);
    CHECK(*cfg.integer("dovecot_destination_concurrency_limit") == 20);
}

TEST_CASE("lists keep braces together", "[config]") {
    CHECK(tern::split_config_list("a, b\tc\n d,,") == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(tern::split_config_list("check_x inline:{ a=b, c=d }, y") ==
          std::vector<std::string>{"check_x", "inline:{ a=b, c=d }", "y"});
    CHECK(tern::split_config_list("").empty());
}

TEST_CASE("the parameter table is sorted and consistent", "[config]") {
    const auto params = tern::all_params();
    REQUIRE(params.size() > 100);
    for (const char* name : {"myhostname", "mydomain", "myorigin", "mydestination", "mynetworks", "inet_interfaces",
                             "relayhost", "queue_directory", "alias_maps", "smtpd_tls_security_level",
                             "smtp_sasl_password_maps", "lmtp_destination_concurrency_limit", "maillog_file",
                             "header_checks", "delay_warning_time", "config_directory", "daemon_directory",
                             "smtpd_forbid_bare_newline", "virtual_minimum_uid", "mail_version"})
        CHECK(tern::find_param(name) != nullptr);
    CHECK(tern::find_param("no_such_parameter") == nullptr);
    CHECK(tern::find_param("_recipient_limit") == nullptr);
    const Config cfg = parsed("");
    for (const tern::ParamSpec& p : params) {
        INFO(p.name);
        CHECK(cfg.checked(p.name));
    }
}

TEST_CASE("8-bit bytes and NUL in values are kept", "[config]") {
    const std::string text = std::string("smtpd_banner = caf\xc3\xa9 \x01x\n") + "relayhost = a" + '\0' + "b\n";
    const Config cfg = parsed(text);
    CHECK(cfg.get("smtpd_banner") == "caf\xc3\xa9 \x01x");
    CHECK(cfg.raw("relayhost").size() == 3);
}

TEST_CASE("load reads DIR/main.cf and applies overrides", "[config]") {
    const tern_test::TempDir temp;
    const std::string dir = temp.path().string();
    const std::string path = temp.file("main.cf");
    auto missing = Config::load(dir);
    REQUIRE(!missing);
    CHECK(missing.error().text == "open " + path);
    tern_test::write_file(path, "myhostname = mx.example.com\nmessage_size_limit = 1000\n");
    auto cfg = Config::load(dir, {{"message_size_limit", "2000"}});
    REQUIRE(cfg);
    CHECK(*cfg->bytes("message_size_limit") == 2000);
    CHECK(cfg->get("config_directory") == dir);
    CHECK(cfg->main_cf_path() == path);
    auto bad = Config::load(dir, {{"message_size_limit", "x"}});
    REQUIRE(!bad);
    CHECK(bad.error().text.find("command line: parameter message_size_limit: bad numerical value") == 0);
}

TEST_CASE("default_config_dir honours MAIL_CONFIG", "[config]") {
    setenv("MAIL_CONFIG", "/tmp/elsewhere", 1);
    CHECK(tern::default_config_dir() == "/tmp/elsewhere");
    unsetenv("MAIL_CONFIG");
    CHECK(tern::default_config_dir() == TERN_SYSCONFDIR);
}
