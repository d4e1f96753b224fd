// tests/unit/address_test.cpp - lib/mail/address: RFC 5321 paths, quoting, domains, limits
#include "lib/mail/address.h"

#include <catch2/catch.hpp>

#include <string>

using namespace tern;

namespace {

constexpr PathOptions kSender{.allow_empty = true};
constexpr PathOptions kRecipient{};

std::string parsed(std::string_view text, const PathOptions& options = kRecipient) {
    auto path = parse_path(text, options);
    REQUIRE(path);
    return path->address;
}

bool refused(std::string_view text, const PathOptions& options = kRecipient) {
    return !parse_path(text, options).has_value();
}

}  // namespace

TEST_CASE("parse_path: plain, null and local-only paths", "[address]") {
    CHECK(parsed("<user@example.com>") == "user@example.com");
    CHECK(parsed("<User.Name+tag@Example.COM>") == "User.Name+tag@Example.COM");
    CHECK(parsed("<>", kSender).empty());
    CHECK(refused("<>"));
    CHECK(refused(""));
    CHECK(parsed("<postmaster>") == "postmaster");
    CHECK(parsed("<a@[192.0.2.1]>") == "a@[192.0.2.1]");
    CHECK(parsed("<a@[IPv6:2001:db8::1]>") == "a@[IPv6:2001:db8::1]");
    CHECK(parsed("<a@[ipv6:::1]>") == "a@[ipv6:::1]");
    CHECK(parsed("<a@under_score.example>") == "a@under_score.example");
    auto path = parse_path("<a@b.c>", kRecipient);
    REQUIRE(path);
    CHECK(path->had_angle_brackets);
    CHECK_FALSE(path->had_source_route);
    CHECK_FALSE(path->exceeds_rfc5321);
}

TEST_CASE("parse_path: quoted local parts", "[address]") {
    CHECK(parsed("<\"a b\"@x.example>") == "a b@x.example");
    CHECK(parsed("<\"a\\\"b\"@x>") == "a\"b@x");
    CHECK(parsed("<\"a@b\"@x>") == "a@b@x");
    CHECK(parsed("<\"\"@x>") == "@x");
    CHECK(refused("<\"\">"));
    CHECK(refused("<\"\">", kSender));
    CHECK(refused("<\"a b@x>"));
    CHECK(refused("<\"a\"b@x>"));
    CHECK(refused("<\"a\rb\"@x>"));
    CHECK(refused(std::string("<\"a\0b\"@x>", 9)));
}

TEST_CASE("parse_path: source routes are dropped as Postfix does", "[address]") {
    CHECK(parsed("<@a.example,@b.example:u@d.example>") == "u@d.example");
    CHECK(parsed("<@a:u@d>") == "u@d");
    auto path = parse_path("<@a:u@d>", kRecipient);
    REQUIRE(path);
    CHECK(path->had_source_route);
    CHECK(refused("<@a,u@d>"));
    CHECK(refused("<@:u@d>"));
    CHECK(refused("<@a,:u@d>"));
    CHECK(refused("<@a:>"));
    CHECK(refused("<@a.example>"));
}

TEST_CASE("parse_path: missing brackets and strict_rfc821_envelopes", "[address]") {
    CHECK(parsed("user@x.example") == "user@x.example");
    auto path = parse_path("user@x", kRecipient);
    REQUIRE(path);
    CHECK_FALSE(path->had_angle_brackets);
    const PathOptions strict{.strict_rfc821 = true};
    CHECK(refused("user@x.example", strict));
    CHECK(parsed("<user@x.example>", strict) == "user@x.example");
    CHECK(refused("<user@x.example"));
    CHECK(refused("<user@x.example>junk"));
    CHECK(refused("<"));
    CHECK(refused(">"));
}

TEST_CASE("parse_path: refuses malformed addresses", "[address]") {
    for (const char* text : {"<a b@x>", "<a@>", "<@>", "<a@b@c>", "<a@-x.example>", "<a@x-.example>", "<a@x..y>",
                             "<a@.x>", "<a@x.>", "<a@[1.2.3]>", "<a@[1.2.3.256]>", "<a@[IPv6:zz]>", "<a@[x]>",
                             "<a@x y>", "<(c)a@x>", "<a@x>>", "<<a@x>", "<a\\b@x>", "<a@x\r>", "<a,b@x>"}) {
        INFO(text);
        CHECK(refused(text));
    }
    CHECK(parsed("<.a..b.@x>") == ".a..b.@x");  // Postfix-lenient dots
}

TEST_CASE("parse_path: 8-bit only with SMTPUTF8, and then only UTF-8", "[address]") {
    CHECK(refused("<caf\xc3\xa9@x>"));
    const PathOptions utf8{.allow_8bit = true};
    CHECK(parsed("<caf\xc3\xa9@x>", utf8) == "caf\xc3\xa9@x");
    CHECK(parsed("<a@b\xc3\xbc" "cher.example>", utf8) == "a@b\xc3\xbc" "cher.example");
    CHECK(parsed("<\"caf\xc3\xa9 x\"@x>", utf8) == "caf\xc3\xa9 x@x");
    CHECK(refused("<caf\xe9@x>", utf8));
    CHECK(refused("<a@x\xff>", utf8));
}

TEST_CASE("parse_path: RFC 5321 length limits", "[address]") {
    const std::string local64(64, 'l');
    const std::string local65(65, 'l');
    auto path = parse_path("<" + local64 + "@x>", kRecipient);
    REQUIRE(path);
    CHECK_FALSE(path->exceeds_rfc5321);
    path = parse_path("<" + local65 + "@x>", kRecipient);
    REQUIRE(path);  // accepted, as Postfix does
    CHECK(path->exceeds_rfc5321);

    const std::string label63(63, 'd');
    CHECK(parsed("<a@" + label63 + ".x>") == "a@" + label63 + ".x");
    CHECK(refused("<a@" + label63 + "d.x>"));
    // A 255-byte domain: four labels of 63 and one of 3 (4*63 + 3 + 4 dots = 259 > 255), so build exactly.
    std::string domain255 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'e');
    REQUIRE(domain255.size() == 253);
    domain255 += ".f";
    REQUIRE(domain255.size() == 255);
    CHECK(parsed("<a@" + domain255 + ">") == "a@" + domain255);
    CHECK(refused("<a@" + domain255 + "f>"));

    // Whole path: 256 bytes with the brackets is the RFC's limit.
    const std::string at_limit =
        "<" + std::string(64, 'l') + "@" + label63 + "." + label63 + "." + std::string(61, 'e') + ">";
    REQUIRE(at_limit.size() == 256);
    path = parse_path(at_limit, kRecipient);
    REQUIRE(path);
    CHECK_FALSE(path->exceeds_rfc5321);
    path = parse_path("<" + std::string(64, 'l') + "@" + label63 + "." + label63 + "." + std::string(62, 'e') + ">",
                      kRecipient);
    REQUIRE(path);
    CHECK(path->exceeds_rfc5321);
}

TEST_CASE("quote_address and unquote_address", "[address]") {
    CHECK(quote_address("") == "");
    CHECK(quote_address("user@x") == "user@x");
    CHECK(quote_address("a b@x") == "\"a b\"@x");
    CHECK(quote_address("a\"b@x") == "\"a\\\"b\"@x");
    CHECK(quote_address("a\\b@x") == "\"a\\\\b\"@x");
    CHECK(quote_address("a@b@x") == "\"a@b\"@x");
    CHECK(quote_address(".a@x") == "\".a\"@x");
    CHECK(quote_address("a.@x") == "\"a.\"@x");
    CHECK(quote_address("a..b@x") == "\"a..b\"@x");
    CHECK(quote_address("@x") == "\"\"@x");
    CHECK(quote_address("caf\xc3\xa9@x") == "caf\xc3\xa9@x");  // 8-bit clean
    CHECK(quote_address("postmaster") == "postmaster");
    CHECK(quote_address("a b") == "\"a b\"");
    for (const char* internal : {"user@x", "a b@x", "a\"b@x", "a\\b@x", "a@b@x", ".a@x", "@x", "a b", "x"})
        CHECK(unquote_address(quote_address(internal)) == internal);
    CHECK(unquote_address("\"a b\"@x") == "a b@x");
    CHECK(unquote_address("a\\") == "a");
}

TEST_CASE("quoting round-trips through parse_path", "[address]") {
    for (const char* internal : {"user@x.example", "a b@x.example", "a\"b@x", "a@b@x", ".a@x", "@x"}) {
        INFO(internal);
        CHECK(parsed("<" + quote_address(internal) + ">") == internal);
    }
}

TEST_CASE("domain_of, local_part_of", "[address]") {
    CHECK(domain_of("u@Example.COM") == "Example.COM");
    CHECK(local_part_of("u@Example.COM") == "u");
    CHECK(domain_of("a@b@c") == "c");
    CHECK(local_part_of("a@b@c") == "a@b");
    CHECK(domain_of("postmaster").empty());
    CHECK(local_part_of("postmaster") == "postmaster");
    CHECK(domain_of("").empty());
    CHECK(local_part_of("").empty());
    CHECK(domain_of("u@").empty());
}

TEST_CASE("domain checks", "[address]") {
    CHECK(is_valid_hostname("a", false));
    CHECK(is_valid_hostname("mx-1.example.com", false));
    CHECK_FALSE(is_valid_hostname("", false));
    CHECK_FALSE(is_valid_hostname("a..b", false));
    CHECK_FALSE(is_valid_hostname("b\xc3\xbc.example", false));
    CHECK(is_valid_hostname("b\xc3\xbc.example", true));
    CHECK(is_address_literal("[127.0.0.1]"));
    CHECK(is_address_literal("[IPv6:::1]"));
    CHECK_FALSE(is_address_literal("[IPv6:127.0.0.1]"));
    CHECK_FALSE(is_address_literal("127.0.0.1"));
    CHECK_FALSE(is_address_literal("[]"));
    // inet_pton would stop at the NUL and accept the prefix (found by fuzz_smtp_command).
    CHECK_FALSE(is_address_literal(std::string_view("[1.2.3.4\0@]", 11)));
    CHECK_FALSE(parse_path(std::string_view("<a@[1.2.3.4\0@]>", 15), {}).has_value());
    CHECK_FALSE(is_address_literal("[" + std::string(100, '1') + "]"));
    CHECK(is_fqdn("mail.example.com"));
    CHECK(is_fqdn("[192.0.2.1]"));
    CHECK_FALSE(is_fqdn("localhost"));
    CHECK_FALSE(is_fqdn("example.com."));
    CHECK_FALSE(is_fqdn(""));
    CHECK_FALSE(is_fqdn("bad_-.example"));
}
