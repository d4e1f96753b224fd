// tests/unit/sendmail_options_test.cpp - sendmail's command line
#include "tools/sendmail/options.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using sendmail::Mode;
using sendmail::parse_options;
using Args = std::vector<std::string>;

TEST_CASE("sendmail defaults and recipients", "[sendmail]") {
    auto o = parse_options(Args{"/usr/sbin/sendmail", "a@x", "b@y, Joe <c@z>"});
    REQUIRE(o);
    CHECK(o->mode == Mode::Deliver);
    CHECK(o->dot_ends_input);
    CHECK_FALSE(o->extract_recipients);
    CHECK_FALSE(o->sender);
    CHECK(o->recipients == Args{"a@x", "b@y", "c@z"});
    auto none = parse_options(Args{"sendmail"});
    REQUIRE(none);
    CHECK(none->recipients.empty());
}

TEST_CASE("sendmail flags", "[sendmail]") {
    auto o = parse_options(Args{"sendmail", "-ti", "-f", "<s@x>", "-Ffull name", "-N", "success,delay",
                                "-R", "hdrs", "-Venv1", "-B", "8bitmime", "-oem", "-v", "-v", "-L", "lbl",
                                "-h", "3", "-C", "/etc/x/main.cf", "--", "-r@x"});
    REQUIRE(o);
    CHECK(o->extract_recipients);
    CHECK_FALSE(o->dot_ends_input);
    CHECK(o->sender == "s@x");
    CHECK(o->full_name == "full name");
    CHECK(o->notify == (tern::kDsnNotifySuccess | tern::kDsnNotifyDelay));
    CHECK(o->ret == tern::DsnRet::Headers);
    CHECK(o->envid == "env1");
    CHECK(o->body_type == "8BITMIME");
    CHECK(o->verbose == 2);
    CHECK(o->config_path == "/etc/x/main.cf");
    CHECK(o->recipients == Args{"-r@x"});
}

TEST_CASE("sendmail -oi, -r, null sender, -N never", "[sendmail]") {
    auto o = parse_options(Args{"sendmail", "-oi", "-r", "<>", "-N", "never", "a"});
    REQUIRE(o);
    CHECK_FALSE(o->dot_ends_input);
    CHECK(o->sender == "");
    CHECK(o->notify == tern::kDsnNotifyNever);
    auto e = parse_options(Args{"sendmail", "-f", "", "a"});
    REQUIRE(e);
    CHECK(e->sender == "");
}

TEST_CASE("sendmail modes by flag and by name", "[sendmail]") {
    CHECK(parse_options(Args{"sendmail", "-bs"})->mode == Mode::Smtp);
    CHECK(parse_options(Args{"sendmail", "-bp"})->mode == Mode::ListQueue);
    CHECK(parse_options(Args{"sendmail", "-bi"})->mode == Mode::Aliases);
    CHECK(parse_options(Args{"sendmail", "-I"})->mode == Mode::Aliases);
    CHECK(parse_options(Args{"sendmail", "-q"})->mode == Mode::Flush);
    CHECK(parse_options(Args{"sendmail", "-q30m"})->mode == Mode::Flush);
    CHECK(parse_options(Args{"sendmail", "-bm", "a"})->mode == Mode::Deliver);
    CHECK(parse_options(Args{"/usr/bin/mailq"})->mode == Mode::ListQueue);
    CHECK(parse_options(Args{"newaliases"})->mode == Mode::Aliases);
}

TEST_CASE("sendmail refuses bad flags", "[sendmail]") {
    CHECK_FALSE(parse_options(Args{"sendmail", "-k", "a"}));
    CHECK_FALSE(parse_options(Args{"sendmail", "-bz"}));
    CHECK_FALSE(parse_options(Args{"sendmail", "-f"}));
    CHECK_FALSE(parse_options(Args{"sendmail", "-N", "sometimes"}));
    CHECK_FALSE(parse_options(Args{"sendmail", "-N", ""}));
    CHECK_FALSE(parse_options(Args{"sendmail", "-R", "most"}));
    CHECK_FALSE(parse_options(Args{"sendmail", "-B", "binary"}));
    auto bad = parse_options(Args{"sendmail", "-k"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().text.find("usage: sendmail") != std::string::npos);
}
