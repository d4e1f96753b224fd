// tests/unit/delivery_dsn_text_test.cpp - lib/mail/dsn_text: status codes in front of reason texts
#include "lib/mail/dsn_text.h"

#include <catch2/catch.hpp>

using tern::DsnText;
using tern::split_dsn_text;

TEST_CASE("a leading status code is split off", "[delivery_dsn_text]") {
    CHECK(split_dsn_text("5.1.1 User unknown", "5.0.0") == DsnText{"5.1.1", "User unknown"});
    CHECK(split_dsn_text("  5.7.1\t  Go away  ", "5.0.0") == DsnText{"5.7.1", "Go away"});
    CHECK(split_dsn_text("5.123.456 x", "5.0.0") == DsnText{"5.123.456", "x"});
    CHECK(split_dsn_text("2.0.0 example.com", "2.0.0") == DsnText{"2.0.0", "example.com"});
    CHECK(split_dsn_text("5.1.1", "5.0.0") == DsnText{"5.1.1", ""});
}

TEST_CASE("without a code the default is used", "[delivery_dsn_text]") {
    CHECK(split_dsn_text("User unknown", "5.0.0") == DsnText{"5.0.0", "User unknown"});
    CHECK(split_dsn_text("", "5.0.0") == DsnText{"5.0.0", ""});
    CHECK(split_dsn_text("5.1.1User", "5.0.0") == DsnText{"5.0.0", "5.1.1User"});
    CHECK(split_dsn_text("5.1 x", "5.0.0") == DsnText{"5.0.0", "5.1 x"});
    CHECK(split_dsn_text("3.1.1 x", "5.0.0") == DsnText{"5.0.0", "3.1.1 x"});
    CHECK(split_dsn_text("5.1234.1 x", "5.0.0") == DsnText{"5.0.0", "5.1234.1 x"});
    CHECK(split_dsn_text("5..1 x", "5.0.0") == DsnText{"5.0.0", "5..1 x"});
    CHECK(split_dsn_text("example.com", "2.0.0") == DsnText{"2.0.0", "example.com"});
}

TEST_CASE("a code of the wrong class gives way to the default", "[delivery_dsn_text]") {
    CHECK(split_dsn_text("4.4.1 try later", "5.0.0") == DsnText{"5.0.0", "try later"});
    CHECK(split_dsn_text("5.1.1 User unknown", "4.0.0") == DsnText{"4.0.0", "User unknown"});
    CHECK(split_dsn_text("5.1.1 gone", "2.0.0") == DsnText{"2.0.0", "gone"});
}

TEST_CASE("is_dsn_code", "[delivery_dsn_text]") {
    CHECK(tern::is_dsn_code("2.0.0"));
    CHECK(tern::is_dsn_code("4.999.999"));
    CHECK_FALSE(tern::is_dsn_code("4.9999.9"));
    CHECK_FALSE(tern::is_dsn_code("6.0.0"));
    CHECK_FALSE(tern::is_dsn_code("5.0."));
    CHECK_FALSE(tern::is_dsn_code(""));
    CHECK_FALSE(tern::is_dsn_code(std::string_view("5.0.\0", 5)));
}
