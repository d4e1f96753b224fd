// tests/unit/text_test.cpp - lib/base/text: trimming, lists, printable, numbers
#include "lib/base/text.h"

#include <catch2/catch.hpp>

using namespace tern;

TEST_CASE("trim removes white space at both ends only") {
    CHECK(trim("  a b \t\r\n") == "a b");
    CHECK(trim("") == "");
    CHECK(trim(" \t ") == "");
    CHECK(trim("x") == "x");
}

TEST_CASE("split_list splits on commas and white space like Postfix lists") {
    CHECK(split_list("a, b c,,\td") == std::vector<std::string>{"a", "b", "c", "d"});
    CHECK(split_list("").empty());
    CHECK(split_list(" , ").empty());
}

TEST_CASE("printable replaces control and 8-bit bytes and cuts at the limit") {
    CHECK(printable(std::string_view("a\0b\x7f\xff\r\n", 7)) == "a?b????");
    CHECK(printable("abcdef", 3) == "abc");
    CHECK(printable("", 3) == "");
}

TEST_CASE("parse_integer accepts whole decimal numbers only") {
    CHECK(parse_integer("42") == 42);
    CHECK(parse_integer("-7") == -7);
    CHECK_FALSE(parse_integer(""));
    CHECK_FALSE(parse_integer("4x"));
    CHECK_FALSE(parse_integer(" 4"));
    CHECK_FALSE(parse_integer("99999999999999999999999"));
}

TEST_CASE("iequals and to_lower fold ASCII only") {
    CHECK(iequals("EHLO", "ehlo"));
    CHECK_FALSE(iequals("EHLO", "ehl"));
    CHECK(to_lower("MiXeD\xC3\x84") == "mixed\xC3\x84");
}
