// tests/unit/master_cf_test.cpp - master.cf parsing, overrides, covered services
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "lib/mail/master_cf.h"
#include "tests/unit/test_support.h"

using tern::MasterService;
using tern::ServiceType;

namespace {

tern::Config main_cf(std::string_view text = "") {
    auto cfg = tern::Config::parse(text, "main.cf");
    REQUIRE(cfg);
    return *cfg;
}

std::vector<MasterService> parsed(std::string_view text, std::string_view main = "") {
    auto services = tern::parse_master_cf(text, "master.cf", main_cf(main));
    if (!services) FAIL(services.error().text);
    return *services;
}

std::string parse_error(std::string_view text) {
    auto services = tern::parse_master_cf(text, "master.cf", main_cf());
    REQUIRE(!services);
    return services.error().text;
}

const MasterService* find(const std::vector<MasterService>& services, std::string_view key) {
    for (const MasterService& s : services)
        if (s.key() == key) return &s;
    return nullptr;
}

std::string source_dir() {
    if (const char* src = std::getenv("TERN_SRC")) return src;
    const std::string file = __FILE__;  // ".../tests/unit/master_cf_test.cpp", absolute or relative
    const std::size_t at = file.rfind("tests/unit/");
    return at == std::string::npos || at == 0 ? "." : file.substr(0, at - 1);
}

}  // namespace

TEST_CASE("master.cf columns and defaults", "[master_cf]") {
    const auto services = parsed(
        "# comment\n"
        "smtp      inet  n       -       y       -       -       smtpd\n"
        "pickup    unix  n       -       y       60      1       pickup\n"
        "tlsmgr    unix  -       -       y       1000?   1       tlsmgr\n"
        "local     unix  -       n       n       -       -       local\n",
        "default_process_limit = 7\n");
    REQUIRE(services.size() == 4);
    const MasterService& smtp = services[0];
    CHECK(smtp.key() == "smtp/inet");
    CHECK(!smtp.private_access);
    CHECK(smtp.unprivileged);
    CHECK(smtp.chroot);
    CHECK(smtp.wakeup_s == 0);
    CHECK(smtp.max_processes == 7);
    CHECK(smtp.command == "smtpd");
    CHECK(smtp.args.empty());
    CHECK(smtp.covered_by.empty());
    CHECK(smtp.line == 2);
    CHECK(services[1].wakeup_s == 60);
    CHECK(!services[1].wakeup_when_used);
    CHECK(services[1].max_processes == 1);
    CHECK(services[1].private_access == false);
    CHECK(services[2].wakeup_s == 1000);
    CHECK(services[2].wakeup_when_used);
    CHECK(services[2].private_access);
    CHECK(services[2].covered_by == "smtpd/smtp (in-process TLS cache)");
    CHECK(!services[3].unprivileged);
    CHECK(!services[3].chroot);
}

TEST_CASE("master.cf -o overrides in short and long form", "[master_cf]") {
    const auto services = parsed(
        "submission inet n - n - - smtpd\n"
        "  -o syslog_name=postfix/submission\n"
        "  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
        "  -osmtpd_tls_security_level=encrypt\n"
        "  -o smtpd_helo_restrictions=$mua_helo_restrictions\n"
        "  -v {  an argument  } $myhostname ${recipient} -o {x=}\n",
        "myhostname = mx.example.com\n");
    REQUIRE(services.size() == 1);
    const MasterService& s = services[0];
    const tern::Overrides expected = {
        {"syslog_name", "postfix/submission"},
        {"smtpd_client_restrictions", "permit_sasl_authenticated, reject"},
        {"smtpd_tls_security_level", "encrypt"},
        {"smtpd_helo_restrictions", "$mua_helo_restrictions"},
        {"x", ""},
    };
    CHECK(s.overrides == expected);
    const std::vector<std::string> args = {
        "-o", "syslog_name=postfix/submission",
        "-o", "{ smtpd_client_restrictions = permit_sasl_authenticated, reject }",
        "-o", "smtpd_tls_security_level=encrypt",
        "-o", "smtpd_helo_restrictions=$mua_helo_restrictions",
        "-v", "an argument", "mx.example.com", "${recipient}",
        "-o", "{x=}",
    };
    CHECK(s.args == args);
}

TEST_CASE("master.cf errors name file and line", "[master_cf]") {
    CHECK(parse_error("\nsmtp inet n - n - - \n") == "master.cf, line 2: field count 7 is less than 8 in \"smtp inet n - n - -\"");
    CHECK(parse_error("smtp tcp n - n - - smtpd\n") == "master.cf, line 1: invalid transport type: \"tcp\"");
    CHECK(parse_error("smtp inet yes - n - - smtpd\n").find("master.cf, line 1: bad private value") == 0);
    CHECK(parse_error("smtp inet y - n - - smtpd\n") == "master.cf, line 1: inet service cannot be private");
    CHECK(parse_error("smtp inet n - n x - smtpd\n").find("bad wakeup value") != std::string::npos);
    CHECK(parse_error("smtp inet n - n -1 - smtpd\n").find("bad wakeup value") != std::string::npos);
    CHECK(parse_error("smtp inet n - n ? - smtpd\n").find("bad wakeup value") != std::string::npos);
    CHECK(parse_error("smtp inet n - n - 1x smtpd\n").find("bad maxproc value") != std::string::npos);
    CHECK(parse_error("smtp inet n - n - 99999999999 smtpd\n").find("bad maxproc value") != std::string::npos);
    CHECK(parse_error("smtp inet n - n - - smtpd -o\n").find("-o without name=value") != std::string::npos);
    CHECK(parse_error("smtp inet n - n - - smtpd -o novalue\n").find("missing '='") != std::string::npos);
    CHECK(parse_error("smtp inet n - n - - smtpd { open\n").find("missing '}'") != std::string::npos);
    CHECK(parse_error("a unix - - n - - x\nb unix - - n - - x\na unix - - n - - y\n") ==
          "master.cf, line 3: duplicate service name/type entry: a/unix");
    auto loop = tern::parse_master_cf("smtp inet n - n - - smtpd $a\n", "master.cf", main_cf("a = $b\nb = $a\n"));
    REQUIRE(!loop);
    CHECK(loop.error().text.find("master.cf, line 1: macro loop via $") == 0);
}

TEST_CASE("the same name with another type is a different service", "[master_cf]") {
    const auto services = parsed("smtp inet n - n - - smtpd\nsmtp unix - - n - - smtp\n");
    REQUIRE(services.size() == 2);
    CHECK(find(services, "smtp/unix") != nullptr);
}

TEST_CASE("empty master.cf and 8-bit bytes", "[master_cf]") {
    CHECK(parsed("").empty());
    CHECK(parsed("# only comments\n\n   \n").empty());
    const auto services = parsed("caf\xc3\xa9 unix - - n - - local\n");
    REQUIRE(services.size() == 1);
    CHECK(services[0].name == "caf\xc3\xa9");
}

TEST_CASE("Debian's Postfix 3.7 master.cf parses", "[master_cf]") {
    std::ifstream in(source_dir() + "/tests/data/postfix-3.7-master.cf");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const auto services = parsed(text.str());
    CHECK(services.size() == 31);
    const struct {
        const char* key;
        const char* covered_by;
    } expected[] = {
        {"smtp/inet", ""},
        {"pickup/unix", ""},
        {"cleanup/unix", ""},
        {"qmgr/unix", ""},
        {"tlsmgr/unix", "smtpd/smtp (in-process TLS cache)"},
        {"rewrite/unix", "qmgr (in-process resolver)"},
        {"bounce/unix", ""},
        {"defer/unix", ""},
        {"trace/unix", ""},
        {"verify/unix", "not supported yet"},
        {"flush/unix", "qmgr (postqueue -f)"},
        {"proxymap/unix", "each daemon opens its tables itself"},
        {"proxywrite/unix", "each daemon opens its tables itself"},
        {"smtp/unix", ""},
        {"relay/unix", ""},
        {"showq/unix", ""},
        {"error/unix", ""},
        {"retry/unix", ""},
        {"discard/unix", ""},
        {"local/unix", ""},
        {"virtual/unix", ""},
        {"lmtp/unix", ""},
        {"anvil/unix", "smtpd (in-process connection limits)"},
        {"scache/unix", "smtp (in-process connection cache)"},
        {"postlog/unix-dgram", "every daemon writes maillog_file itself"},
        {"maildrop/unix", "pipe (not supported yet)"},
        {"uucp/unix", "pipe (not supported yet)"},
        {"ifmail/unix", "pipe (not supported yet)"},
        {"bsmtp/unix", "pipe (not supported yet)"},
        {"scalemail-backend/unix", "pipe (not supported yet)"},
        {"mailman/unix", "pipe (not supported yet)"},
    };
    for (const auto& e : expected) {
        INFO(e.key);
        const MasterService* s = find(services, e.key);
        REQUIRE(s != nullptr);
        CHECK(s->covered_by == e.covered_by);
    }
    const MasterService* relay = find(services, "relay/unix");
    REQUIRE(relay != nullptr);
    CHECK(relay->command == "smtp");
    CHECK(relay->overrides == tern::Overrides{{"syslog_name", "postfix/$service_name"}});
    const MasterService* maildrop = find(services, "maildrop/unix");
    REQUIRE(maildrop != nullptr);
    CHECK(maildrop->args.back() == "${recipient}");
    const MasterService* postlog = find(services, "postlog/unix-dgram");
    REQUIRE(postlog != nullptr);
    CHECK(postlog->max_processes == 1);
    CHECK(find(services, "qmgr/unix")->wakeup_s == 300);
}

TEST_CASE("load_master_cf reads config_dir/master.cf", "[master_cf]") {
    const tern_test::TempDir temp;
    const std::string dir = temp.path().string();
    tern_test::write_file(temp.file("main.cf"), "");
    auto cfg = tern::Config::load(dir);
    REQUIRE(cfg);
    auto missing = tern::load_master_cf(*cfg);
    REQUIRE(!missing);
    CHECK(missing.error().text == "open " + std::string(dir) + "/master.cf");
    tern_test::write_file(temp.file("master.cf"), "smtp inet n - n - - smtpd\n");
    auto services = tern::load_master_cf(*cfg);
    REQUIRE(services);
    CHECK(services->size() == 1);
    CHECK(services->at(0).file == std::string(dir) + "/master.cf");
}
