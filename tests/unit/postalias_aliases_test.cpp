// tests/unit/postalias_aliases_test.cpp - aliases(5) entries (tools/postalias/aliases.h)
#include "tools/postalias/aliases.h"

#include <catch2/catch.hpp>

#include <string>

using postalias::AliasEntry;
using postalias::parse_alias_line;

namespace {

AliasEntry entry_of(std::string_view line, bool fold = true) {
    const postalias::AliasLine parsed = parse_alias_line(line, fold);
    REQUIRE(parsed.entry);
    return *parsed.entry;
}

std::string problem_of(std::string_view line) {
    const postalias::AliasLine parsed = parse_alias_line(line, true);
    REQUIRE_FALSE(parsed.entry);
    return parsed.problem;
}

}  // namespace

// Expected values are what Postfix 3.7's postalias stored for these lines.
TEST_CASE("alias names: folded, trimmed, unquoted, local only", "[postalias]") {
    CHECK(entry_of("Postmaster: root") == AliasEntry{"postmaster", "root"});
    CHECK(entry_of("Postmaster: root", false).name == "Postmaster");
    CHECK(entry_of("t9 : a") == AliasEntry{"t9", "a"});
    CHECK(entry_of("t8:a") == AliasEntry{"t8", "a"});
    CHECK(entry_of("\"Quoted Name\": x") == AliasEntry{"quoted name", "x"});
    CHECK(entry_of("\"a:b\": x").name == "a:b");
    CHECK(problem_of("\"t 10\"@x: y") == "name must be local");
    CHECK(entry_of("\"t@10\": y").name == "t@10");
}

TEST_CASE("alias values: Postfix's list normal form", "[postalias]") {
    CHECK(entry_of("t1: a,b").value == "a, b");
    CHECK(entry_of("t2: a  ,  b").value == "a, b");
    CHECK(entry_of("t14: a\t,\tb  ").value == "a, b");
    CHECK(entry_of("t7: a b").value == "a b");
    CHECK(entry_of("t3: \"|/usr/bin/prog arg\"").value == "\"|/usr/bin/prog arg\"");
    CHECK(entry_of("t4: /file/name").value == "/file/name");
    CHECK(entry_of("t5: :include:/etc/x").value == ":include:/etc/x");
    CHECK(entry_of("t6: a (comment), b").value == "a (comment), b");
    CHECK(entry_of("t11: \"quoted local\"@example.com , <angle@x>").value == "\"quoted local\"@example.com, <angle@x>");
    CHECK(entry_of("foo: bar,   baz").value == "bar, baz");       // "bar, " + "  baz" continued
    CHECK(entry_of("x: a,,b,").value == "a, b");
    CHECK(entry_of("x: \"a,  b\", (c, d), <e,f>").value == "\"a,  b\", (c, d), <e,f>");
    CHECK(entry_of("x: caf\xc3\xa9").value == "caf\xc3\xa9");
}

TEST_CASE("alias lines without a name or a value", "[postalias]") {
    CHECK(problem_of("") == "need name:value pair");
    CHECK(problem_of("nocolon here") == "need name:value pair");
    CHECK(problem_of("T12:") == "need name:value pair");
    CHECK(problem_of("T12:  , ,") == "need name:value pair");
    CHECK(problem_of(": value") == "need name:value pair");
    CHECK(problem_of("\"\": value") == "need name:value pair");
    CHECK(problem_of("\"unterminated: value") == "need name:value pair");
    CHECK(problem_of(std::string("a\0b", 3)) == "need name:value pair");
}
