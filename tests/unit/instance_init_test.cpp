// tests/unit/instance_init_test.cpp - tern init's main.cf and master.cf
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "lib/mail/config.h"
#include "lib/mail/instance_init.h"
#include "lib/mail/instance_templates.h"
#include "lib/mail/master_cf.h"
#include "tests/unit/test_support.h"

using tern_test::read_file;
using tern_test::TempDir;

TEST_CASE("the templates parse and have no unknown parameters", "[instance_init]") {
    auto cfg = tern::Config::parse(tern::kMainCfTemplate, "main.cf");
    REQUIRE(cfg);
    CHECK(cfg->validate());
    CHECK(cfg->unknown_entries().empty());
    CHECK(cfg->parse_warnings().empty());
    CHECK(!cfg->is_set("myhostname"));  // the host's own name is the default
    auto services = tern::parse_master_cf(tern::kMasterCfTemplate, "master.cf", *cfg);
    REQUIRE(services);
}

TEST_CASE("overrides replace template lines or are appended", "[instance_init]") {
    auto text = tern::instance_main_cf({{"relayhost", "[smtp.example.net]:587"},
                                        {"myhostname", "mx1.example.com"},
                                        {"smtpd_tls_security_level", "may"},
                                        {"my_own_thing", "x y"},
                                        {"relayhost", "[last.example.net]"}});
    REQUIRE(text);
    auto cfg = tern::Config::parse(*text, "main.cf");
    REQUIRE(cfg);
    CHECK(cfg->raw("relayhost") == "[last.example.net]");
    CHECK(cfg->get("myhostname") == "mx1.example.com");
    CHECK(cfg->get("myorigin") == "mx1.example.com");
    CHECK(cfg->raw("smtpd_tls_security_level") == "may");
    CHECK(text->find("#myhostname") == std::string::npos);  // the example line became the setting
    CHECK(text->find("\nrelayhost = [last.example.net]\n") != std::string::npos);
    CHECK(text->ends_with("my_own_thing = x y\n"));
    int relayhost_lines = 0;
    for (const auto& e : cfg->entries()) relayhost_lines += e.name == "relayhost";
    CHECK(relayhost_lines == 1);
}

TEST_CASE("bad overrides are refused", "[instance_init]") {
    CHECK(!tern::instance_main_cf({{"", "x"}}));
    CHECK(!tern::instance_main_cf({{"a b", "x"}}));
    CHECK(!tern::instance_main_cf({{"a=b", "x"}}));
    CHECK(!tern::instance_main_cf({{"relayhost", "x\nmyhostname = evil"}}));
    CHECK(!tern::instance_main_cf({{"relayhost", std::string("x\0y", 3)}}));
    auto bad = tern::instance_main_cf({{"message_size_limit", "lots"}});
    REQUIRE(!bad);
    CHECK(bad.error().text.find("parameter message_size_limit") != std::string::npos);
}

TEST_CASE("init_instance writes both files and refuses to overwrite", "[instance_init]") {
    TempDir tmp;
    const std::string dir = tmp.file("sub/deeper");
    REQUIRE(tern::init_instance(dir, {{"myhostname", "mx.example.com"}}));
    CHECK(read_file(dir + "/master.cf") == tern::kMasterCfTemplate);
    auto cfg = tern::Config::load(dir);
    REQUIRE(cfg);
    CHECK(cfg->get("myhostname") == "mx.example.com");
    struct stat st {};
    REQUIRE(stat((dir + "/main.cf").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);

    const std::string before = read_file(dir + "/main.cf");
    auto again = tern::init_instance(dir, {{"myhostname", "other.example.com"}});
    REQUIRE(!again);
    CHECK(again.error().text == dir + "/main.cf exists; refusing to overwrite it");
    CHECK(read_file(dir + "/main.cf") == before);

    std::remove((dir + "/main.cf").c_str());
    auto master_left = tern::init_instance(dir, {});
    REQUIRE(!master_left);
    CHECK(master_left.error().text == dir + "/master.cf exists; refusing to overwrite it");
    CHECK(access((dir + "/main.cf").c_str(), F_OK) != 0);  // nothing half-written
}

TEST_CASE("init_instance refuses a file where the directory should be", "[instance_init]") {
    TempDir tmp;
    tern_test::write_file(tmp.file("main.cf"), "");
    auto r = tern::init_instance(tmp.file("main.cf"), {});
    REQUIRE(!r);
}
