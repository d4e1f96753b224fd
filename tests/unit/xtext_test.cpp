// tests/unit/xtext_test.cpp - lib/mail/xtext: RFC 3461 xtext, RFC 6533 uxtext, UTF-8 check
#include "lib/mail/xtext.h"

#include <catch2/catch.hpp>

using namespace tern;

TEST_CASE("encode_xtext escapes +, = and non-printables", "[xtext]") {
    CHECK(encode_xtext("") == "");
    CHECK(encode_xtext("abc@x.y") == "abc@x.y");
    CHECK(encode_xtext("a+b=c") == "a+2Bb+3Dc");
    CHECK(encode_xtext("a b") == "a+20b");
    CHECK(encode_xtext(std::string("\0\x7f\xff", 3)) == "+00+7F+FF");
    CHECK(encode_xtext("~!") == "~!");
}

TEST_CASE("decode_xtext checks and decodes", "[xtext]") {
    CHECK(decode_xtext("") == std::string());
    CHECK(decode_xtext("a+2Bb+3Dc") == std::string("a+b=c"));
    CHECK(decode_xtext("a+2bb") == std::string("a+b"));  // lower-case hex, as Postfix accepts
    CHECK(decode_xtext("a=b") == std::string("a=b"));    // bare '=', as Postfix accepts
    CHECK(decode_xtext("+FF") == std::string("\xff"));
    CHECK_FALSE(decode_xtext("+"));
    CHECK_FALSE(decode_xtext("+2"));
    CHECK_FALSE(decode_xtext("a+2"));
    CHECK_FALSE(decode_xtext("+G0"));
    CHECK_FALSE(decode_xtext("+00"));
    CHECK_FALSE(decode_xtext("a b"));
    CHECK_FALSE(decode_xtext(std::string("a\0", 2)));
    CHECK_FALSE(decode_xtext("caf\xc3\xa9"));
    for (std::string text : {"", "a+b", "x y\tz", "\x01\x80\xff"}) CHECK(decode_xtext(encode_xtext(text)) == text);
}

TEST_CASE("decode_uxtext for ORCPT=utf-8", "[xtext]") {
    CHECK(decode_uxtext("caf\xc3\xa9@x") == std::string("caf\xc3\xa9@x"));
    CHECK(decode_uxtext("caf\\x{E9}@x") == std::string("caf\xc3\xa9@x"));
    CHECK(decode_uxtext("\\x{1F600}") == std::string("\xf0\x9f\x98\x80"));
    CHECK(decode_uxtext("\\x{2B}") == std::string("+"));
    CHECK_FALSE(decode_uxtext("a+b"));
    CHECK_FALSE(decode_uxtext("\\x{}"));
    CHECK_FALSE(decode_uxtext("\\x{0}"));
    CHECK_FALSE(decode_uxtext("\\x{D800}"));
    CHECK_FALSE(decode_uxtext("\\x{110000}"));
    CHECK_FALSE(decode_uxtext("\\x{E9"));
    CHECK_FALSE(decode_uxtext("\\"));
    CHECK_FALSE(decode_uxtext("\xc3"));
}

TEST_CASE("is_valid_utf8", "[xtext]") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
    CHECK_FALSE(is_valid_utf8("\xc3"));          // truncated
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
    CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xff"));
    CHECK_FALSE(is_valid_utf8("\x80"));
}
