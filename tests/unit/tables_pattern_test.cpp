// tests/unit/tables_pattern_test.cpp - regexp: and cidr: tables, and the regex cost guard
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/unit/table_test_support.h"

#include "lib/mail/tables/posix_regex.h"
#include "lib/mail/tables/regex_cost.h"

using namespace std::string_view_literals;

TEST_CASE("regexp: flags, negation, substitution", "[tables][regexp]") {
    TablePtr t = must(tern::parse_regexp_table(
        "# comment\n"
        "/^(.*)@Example\\.com$/  user=$1\n"
        "/^abc/i  casesensitive\n"
        "!/x/  no-x\n", "r", quiet()));
    CHECK(get(t, "JOE@EXAMPLE.com") == "user=JOE");  // i is on by default, key not folded
    CHECK(get(t, "abcx") == "casesensitive");
    CHECK(get(t, "ABCx") == "<none>");              // i toggled off
    CHECK(get(t, "ABC") == "no-x");
    CHECK(t->warnings().empty());
    CHECK_FALSE(t->for_each([](std::string_view, std::string_view) { return true; }));
}

TEST_CASE("regexp: $N forms, $$, unmatched groups", "[tables][regexp]") {
    TablePtr t = must(tern::parse_regexp_table(
        "/^x(y)?z$/ got $1 and ${1} and $(1) $$\n"
        "/^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)$/ $11$10\n"
        "/^p(.*)/!/q/ second $1\n", "r", quiet()));
    CHECK(get(t, "xyz") == "got y and y and y $");
    CHECK(get(t, "xz") == "got  and  and  $");
    CHECK(get(t, "abcdefghijk") == "kj");
    CHECK(get(t, "pizza") == "second izza");
    CHECK(get(t, "pq") == "<none>");
}

TEST_CASE("regexp: if/endif blocks", "[tables][regexp]") {
    TablePtr t = must(tern::parse_regexp_table(
        "if /^foo/\n"
        "/bar/ inside\n"
        "if !/baz/\n"
        "/./ nobaz\n"
        "endif\n"
        "endif\n"
        "/./ outside\n", "r", quiet()));
    CHECK(get(t, "foobar") == "inside");
    CHECK(get(t, "fooq") == "nobaz");
    CHECK(get(t, "foobaz") == "outside");
    CHECK(get(t, "other") == "outside");
    CHECK(t->warnings().empty());
}

TEST_CASE("regexp: bad lines are skipped with file and line", "[tables][regexp]") {
    TablePtr t = must(tern::parse_regexp_table(
        "/abc/I opt\n"      // 1
        "/bad(/ broken\n"   // 2
        "garbage\n"         // 3
        "/^def$/\n"         // 4
        "/unclosed\n"       // 5
        "/(a)/ $2\n"        // 6
        "!/(a)/ $1\n"       // 7
        "/a/ $x\n"          // 8
        "/a/ $\n"           // 9
        "/a/ ${1\n"         // 10
        "endif\n"           // 11
        "if /q/ extra\n"    // 12
        "/q/ q\n"           // 13
        "/a/ $0\n", "map", quiet()));  // 14
    CHECK(has_warning(t, "regexp map map, line 1: unknown regexp option \"I\": skipping this rule"));
    CHECK(has_warning(t, "regexp map map, line 2: "));
    CHECK(has_warning(t, "regexp map map, line 3: ignoring unrecognized request"));
    CHECK(has_warning(t, "regexp map map, line 4: no replacement text: using empty string"));
    CHECK(has_warning(t, "regexp map map, line 5: no closing regexp delimiter \"/\": skipping this rule"));
    CHECK(has_warning(t, "regexp map map, line 6: out of range replacement index \"2\": skipping this rule"));
    CHECK(has_warning(t, "regexp map map, line 7: $number found in negative match replacement text"));
    CHECK(has_warning(t, "regexp map map, line 8: non-numeric replacement index \"x\""));
    CHECK(has_warning(t, "regexp map map, line 9: empty macro name"));
    CHECK(has_warning(t, "regexp map map, line 10: truncated macro reference"));
    CHECK(has_warning(t, "regexp map map, line 11: ignoring ENDIF without matching IF"));
    CHECK(has_warning(t, "regexp map map, line 12: ignoring extra text after IF statement: \"extra\""));
    CHECK(has_warning(t, "regexp map map, line 12: IF has no matching ENDIF"));
    CHECK(has_warning(t, "regexp map map, line 14: out-of-range replacement index \"0\""));
    CHECK(get(t, "def") == "");       // rule 4 kept with an empty result
    CHECK(get(t, "q") == "q");        // inside the unclosed if
    CHECK(get(t, "zzz") == "<none>"); // unclosed if that does not match ends the search
}

TEST_CASE("regexp: other delimiters, escapes, x and m flags", "[tables][regexp]") {
    TablePtr t = must(tern::parse_regexp_table(
        "#comment\n"
        "|a/b| slash\n"
        "/c\\/d/ escaped\n"
        "/^e+$/x basic\n"
        "/^line2$/m multi\n", "r", quiet()));
    CHECK(get(t, "xa/by") == "slash");
    CHECK(get(t, "c/d") == "escaped");
    CHECK(get(t, "e+") == "basic");  // x off: basic syntax, + is literal
    CHECK(get(t, "ee") == "<none>");
    CHECK(get(t, "line1\nline2") == "multi");
}

TEST_CASE("regexp: continuation lines and 8-bit keys", "[tables][regexp]") {
    TablePtr t = must(tern::parse_regexp_table("/^multi/ first\n  continued\n/\xe9/ eight\n", "r", quiet()));
    CHECK(get(t, "multiline") == "first  continued");
    CHECK(get(t, "caf\xe9") == "eight");
    CHECK(get(t, std::string("multi\0x", 7)) == "first  continued");
}

TEST_CASE("regex cost: expansion of counted repetitions", "[tables][regexp][limits]") {
    const auto size = [](std::string_view p, bool extended = true) { return tern::estimate_regex_cost(p, extended).size; };
    CHECK(size("abc") == 3);
    CHECK(size("(ab){3}") == 6);
    CHECK(size("a{2,}") == 3);
    CHECK(size("a{,4}") == 4);
    CHECK(size("a+") == 2);
    CHECK(size("(ab)+c*d?") == 6);
    CHECK(size("[a-z{]{10}") == 10);
    CHECK(size("[[:alpha:]]{10}") == 10);
    CHECK(size("a|b|c") == 3);
    CHECK(size("\\(a\\{5\\}\\)\\{2\\}", false) == 10);
    CHECK(size("a\\+", false) == 2);
    CHECK(size("(a{5}){2}", false) == 9);  // basic syntax: all literal
    CHECK(size("((((((((((((((((((((a") == 1);
    CHECK(size("a{") == 2);
    CHECK(size("{5}") == 3);
    CHECK(size("^[a-z0-9.]{1,64}@([a-z0-9-]{1,63}\\.){1,10}[a-z]{2,63}$") < tern::kMaxRegexExpansion);
    CHECK(size("((a{1,255}){1,255}){1,255}") > tern::kMaxRegexExpansion);
    CHECK(size("a{99999999999999999999}") > tern::kMaxRegexExpansion);
}

TEST_CASE("regex cost: copies of empty-matching operands, stacked operators", "[tables][regexp][limits]") {
    const auto cost = [](std::string_view p) { return tern::estimate_regex_cost(p, true); };
    CHECK(cost("(.*)+").nullable_depth == 1);
    CHECK(cost("(.*)+").nullable_copies == 2);
    CHECK(cost("((.*)+)+").nullable_depth == 2);
    CHECK(cost("(.+)+").nullable_depth == 0);
    CHECK(cost("(a|)+").nullable_depth == 1);
    CHECK(cost("(a|b)+").nullable_depth == 0);
    CHECK(cost("(a*b*)+").nullable_depth == 1);
    CHECK(cost("(a*b)+").nullable_depth == 0);
    CHECK(cost("((.*)*)*").nullable_depth == 0);  // stars do not copy
    CHECK(cost("(.*){1,100}").nullable_copies == 100);
    CHECK(cost("a*+").stacked);
    CHECK(cost("a{2}{3}").stacked);
    CHECK_FALSE(cost("(a*)+").stacked);
    for (const char* fine : {"^(.*)@(.*)\\.(.*)$", "(((.*)+)+)+x", "((.*){1,8}){1,8}", "^Subject:.{200,}",
                             "(.?){64}", ".{1,1000}"}) {
        INFO(fine);
        CHECK_FALSE(tern::regex_cost_problem(fine, true));
    }
    for (const char* slow : {"^(.*)+++++x", "^.*++++++x", "((((.*)+)+)+)+x", "(.*){1,1000}x", "((.*)+){1,100}x",
                             ".{1,1001}", "((a{1,255}){1,255}){1,255}"}) {
        INFO(slow);
        CHECK(tern::regex_cost_problem(slow, true));
    }
}

TEST_CASE("regexp: patterns too costly to compile are skipped with a warning", "[tables][regexp][limits]") {
    CHECK(tern::PosixRegex::compile(".{1,1000}", REG_EXTENDED));
    auto big = tern::PosixRegex::compile("((a{1,255}){1,255}){1,255}", REG_EXTENDED);
    REQUIRE_FALSE(big);
    CHECK(big.error().text.rfind("regular expression too complex: counted repetitions expand", 0) == 0);
    TablePtr t = must(tern::parse_regexp_table("/((a{1,255}){1,255}){1,255}/ x\n/.*++/ z\n/a/ y\n", "r", quiet()));
    CHECK(has_warning(t, "regexp map r, line 1: regular expression too complex"));
    CHECK(has_warning(t, "regexp map r, line 2: regular expression too complex: repetition operators follow"));
    CHECK(get(t, "a") == "y");
}

TEST_CASE("cidr: IPv4 and IPv6 prefixes, first match wins", "[tables][cidr]") {
    TablePtr t = must(tern::parse_cidr_table(
        "# comment\n"
        "10.0.0.0/8  ten\n"
        "10.1.2.3  exact\n"
        "192.168.1.0/24 OK\n"
        "2001:db8::/32  v6net\n"
        "[2001:db9::1]  v6bracket\n"
        "[2001:dba::]/48  v6bracketnet\n"
        "::1 loop6\n"
        "!172.16.0.0/12 not172\n"
        "0.0.0.0/0 all4\n", "c", quiet()));
    CHECK(t->warnings().empty());
    CHECK(get(t, "10.1.2.3") == "ten");
    CHECK(get(t, "10.255.255.255") == "ten");
    CHECK(get(t, "192.168.1.7") == "OK");
    CHECK(get(t, "192.168.2.7") == "not172");
    CHECK(get(t, "172.16.5.5") == "all4");
    CHECK(get(t, "2001:db8::5") == "v6net");
    CHECK(get(t, "2001:DB8:ffff::1") == "v6net");
    CHECK(get(t, "2001:db9::1") == "v6bracket");
    CHECK(get(t, "2001:db9::2") == "<none>");
    CHECK(get(t, "2001:dba:1::") == "<none>");
    CHECK(get(t, "2001:dba::77") == "v6bracketnet");
    CHECK(get(t, "::1") == "loop6");
    CHECK(get(t, "fe80::1") == "<none>");
    CHECK(get(t, "foo") == "<none>");
    CHECK(get(t, "1.2.3") == "<none>");
    CHECK(get(t, "") == "<none>");
    CHECK(get(t, " 1.2.3.4") == "<none>");
    CHECK(get(t, std::string("1.2.3.4\0", 8)) == "<none>");
}

TEST_CASE("cidr: exact prefixes /32 /0 /128", "[tables][cidr]") {
    TablePtr t = must(tern::parse_cidr_table("1.2.3.4/32 host\n::/0 any6\n2001:db8::1/128 one\n", "c", quiet()));
    CHECK(get(t, "1.2.3.4") == "host");
    CHECK(get(t, "1.2.3.5") == "<none>");
    CHECK(get(t, "2001:db8::1") == "any6");  // first match wins
}

TEST_CASE("cidr: if/endif", "[tables][cidr]") {
    TablePtr t = must(tern::parse_cidr_table(
        "if 10.0.0.0/8\n"
        "if !10.2.0.0/16\n"
        "10.0.0.0/8 b\n"
        "endif\n"
        "10.2.3.0/24 c\n"
        "endif\n"
        "0.0.0.0/0 d\n", "c", quiet()));
    CHECK(t->warnings().empty());
    CHECK(get(t, "10.3.1.1") == "b");
    CHECK(get(t, "10.2.3.1") == "c");
    CHECK(get(t, "10.2.4.1") == "d");
    CHECK(get(t, "11.0.0.1") == "d");
    CHECK(get(t, "::1") == "<none>");
}

TEST_CASE("cidr: bad lines are skipped with file and line", "[tables][cidr]") {
    TablePtr t = must(tern::parse_cidr_table(
        "192.168.1.1/24 hostbits\n"  // 1
        "300.1.1.1 badaddr\n"        // 2
        "1.2.3.4/33 badlen\n"        // 3
        "10.0.0.0/8\n"               // 4
        "1.2.3.4/ novalue\n"         // 5
        "[1.2.3.4 open\n"            // 6
        "[1.2.3.5]x garbage\n"       // 7
        "endif\n"                    // 8
        "300.0.0.0/8 badnet\n"       // 9
        "if 5.0.0.0/8\n"             // 10
        "5.5.5.5 five\n", "c", quiet()));
    CHECK(has_warning(t, "cidr map c, line 1: non-null host address bits in \"192.168.1.1/24\", perhaps you "
                         "should use \"192.168.1.0/24\" instead: skipping this rule"));
    CHECK(has_warning(t, "cidr map c, line 2: bad address pattern: \"300.1.1.1\": skipping this rule"));
    CHECK(has_warning(t, "cidr map c, line 3: bad mask length in \"1.2.3.4/33\": skipping this rule"));
    CHECK(has_warning(t, "cidr map c, line 4: no lookup result: skipping this rule"));
    CHECK(has_warning(t, "cidr map c, line 5: bad mask value in \"1.2.3.4/\": skipping this rule"));
    CHECK(has_warning(t, "cidr map c, line 6: missing ']' character after \"[1.2.3.4\""));
    CHECK(has_warning(t, "cidr map c, line 7: garbage after \"[1.2.3.5]\""));
    CHECK(has_warning(t, "cidr map c, line 8: ENDIF without IF: skipping this rule"));
    CHECK(has_warning(t, "cidr map c, line 9: bad network value in \"300.0.0.0/8\""));
    CHECK(has_warning(t, "cidr map c, line 10: IF has no matching ENDIF"));
    CHECK(t->warnings().size() == 10);
    CHECK(get(t, "192.168.1.1") == "<none>");
    CHECK(get(t, "5.5.5.5") == "five");
}

TEST_CASE("cidr: opened from a file names the file", "[tables][cidr]") {
    TempDir dir;
    const std::string path = dir.write("x.cidr", "10.0.0.0/8 ten\nbogus value\n");
    TablePtr t = must(tern::open_table("cidr:" + path, quiet()));
    CHECK(get(t, "10.1.2.3") == "ten");
    CHECK(has_warning(t, "cidr map " + path + ", line 2: bad address pattern: \"bogus\""));
    CHECK_FALSE(t->changed());
    (void)dir.write("x.cidr.new", "10.0.0.0/8 eleven\n");
    std::filesystem::rename(path + ".new", path);
    CHECK(t->changed());
}
