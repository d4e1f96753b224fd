// tests/unit/tables_test.cpp - lookup tables: every type, hits and misses, folding, bad lines, limits
#include <catch2/catch.hpp>

#include "tests/unit/test_support.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "lib/base/text.h"
#include "lib/mail/tables/db_table.h"
#include "lib/mail/tables/db_writer.h"
#include "lib/mail/tables/posix_regex.h"
#include "lib/mail/tables/regex_cost.h"
#include "lib/mail/tables/table.h"
#include "lib/mail/tables/table_text.h"

using namespace std::string_view_literals;
using tern::TableOptions;
using tern::TablePtr;

namespace {

using tern_test::TempDir;

TableOptions quiet() {
    TableOptions options;
    options.log_warnings = false;
    return options;
}

std::string get(const TablePtr& table, std::string_view key) {
    auto value = table->lookup(key);
    REQUIRE(value);
    return value->value_or("<none>");
}

TablePtr must(tern::Result<TablePtr> table) {
    if (!table) FAIL(table.error().describe());
    return std::move(*table);
}

bool has_warning(const TablePtr& table, std::string_view text) {
    for (const std::string& w : table->warnings())
        if (w.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("split_table_spec wants type:name", "[tables]") {
    auto spec = tern::split_table_spec("hash:/etc/x");
    REQUIRE(spec);
    CHECK(spec->type == "hash");
    CHECK(spec->name == "/etc/x");
    CHECK_FALSE(tern::split_table_spec("/etc/x"));
    CHECK_FALSE(tern::split_table_spec(":x"));
    CHECK_FALSE(tern::split_table_spec("hash:"));
    auto unknown = tern::open_table("nosuch:x", quiet());
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().text == "unsupported dictionary type: nosuch");
}

TEST_CASE("logical lines follow Postfix readlline", "[tables]") {
    std::vector<std::string> warnings;
    tern::LogicalLineReader reader("  lead x\na b\n  # comment\n  c\n\n\td\ne f\r\ng\0h i\nlast"sv,
                                   [&](int line, const std::string& why) {
                                       warnings.push_back(std::to_string(line) + ": " + why);
                                   });
    std::vector<std::pair<int, std::string>> lines;
    while (auto l = reader.next()) lines.emplace_back(l->line, l->text);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == std::pair<int, std::string>{2, "a b  c\td"});
    CHECK(lines[1] == std::pair<int, std::string>{7, "e f\r"});
    CHECK(lines[2] == std::pair<int, std::string>{8, "g"});  // NUL ends the physical line
    CHECK(lines[3] == std::pair<int, std::string>{9, "last"});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] == "1: logical line must not start with whitespace: \"  lead x\"");
}

TEST_CASE("logical lines longer than the limit are skipped", "[tables][limits]") {
    std::vector<std::string> warnings;
    const auto warn = [&](int, const std::string& why) { warnings.push_back(why); };
    tern::LogicalLineReader at_limit("abcd\nx y\n", warn, 4);
    CHECK(at_limit.next()->text == "abcd");
    tern::LogicalLineReader past("abcde\nabc\n  de\nx y\n", warn, 4);
    auto l = past.next();
    REQUIRE(l);
    CHECK(l->text == "x y");
    CHECK(warnings.size() == 2);
}

TEST_CASE("split_key_value", "[tables]") {
    auto kv = tern::split_key_value("key \t value with  spaces \r");
    REQUIRE(kv);
    CHECK(kv->key == "key");
    CHECK(kv->value == "value with  spaces");
    CHECK_FALSE(tern::split_key_value("lonely"));
    CHECK_FALSE(tern::split_key_value("lonely   "));
    CHECK_FALSE(tern::split_key_value(""));
}

TEST_CASE("texthash: hit, miss, folding, duplicates, bad lines", "[tables]") {
    TempDir dir;
    const std::string path = dir.write("t", "Foo bar baz\n# c\nfoo second\n  cont\nx\n\nKEY2\tVal2  \n8bit\xe9 v\n");
    TablePtr t = must(tern::open_table("texthash:" + path, quiet()));
    CHECK(get(t, "foo") == "bar baz");
    CHECK(get(t, "FOO") == "bar baz");
    CHECK(get(t, "key2") == "Val2");
    CHECK(get(t, "8BIT\xe9") == "v");
    CHECK(get(t, "nope") == "<none>");
    CHECK(get(t, "") == "<none>");
    CHECK(has_warning(t, path + ", line 3: duplicate entry: \"foo\""));
    CHECK(has_warning(t, path + ", line 5: expected format: key whitespace value"));
    std::vector<std::string> keys;
    REQUIRE(t->for_each([&](std::string_view k, std::string_view) { keys.emplace_back(k); return true; }));
    CHECK(keys == std::vector<std::string>{"foo", "key2", "8bit\xe9"});
    TableOptions exact = quiet();
    exact.fold_keys = false;
    TablePtr f = must(tern::open_table("texthash:" + path, exact));
    CHECK(get(f, "Foo") == "bar baz");
    CHECK(get(f, "foo") == "second  cont");
    CHECK(get(f, "key2") == "<none>");
}

TEST_CASE("texthash: missing and oversized files", "[tables][limits]") {
    TempDir dir;
    auto missing = tern::open_table("texthash:" + dir.file("none"), quiet());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().temporary());
    const std::string path = dir.write("big", "k 123456\n");
    TableOptions small = quiet();
    small.max_file_bytes = 9;
    CHECK(tern::open_table("texthash:" + path, small));
    small.max_file_bytes = 8;
    CHECK_FALSE(tern::open_table("texthash:" + path, small));
    CHECK_FALSE(tern::open_table("texthash:" + dir.path().string(), quiet()));  // a directory
}

TEST_CASE("lookup keys longer than the limit never match", "[tables][limits]") {
    TableOptions options = quiet();
    options.max_key_bytes = 4;
    TablePtr t = must(tern::open_table("static:yes", options));
    CHECK(get(t, "abcd") == "yes");
    CHECK(get(t, "abcde") == "<none>");
    TablePtr r = must(tern::parse_regexp_table("/./ any\n", "r", options));
    CHECK(get(r, std::string(4, 'a')) == "any");
    CHECK(get(r, std::string(5, 'a')) == "<none>");
}

TEST_CASE("inline: parsing", "[tables]") {
    TablePtr t = must(tern::open_table("inline:{ Foo=bar, { key = value with spaces, and comma }, x=y,e= }", quiet()));
    CHECK(get(t, "foo") == "bar");
    CHECK(get(t, "FOO") == "bar");
    CHECK(get(t, "key") == "value with spaces, and comma");
    CHECK(get(t, "x") == "y");
    CHECK(get(t, "e") == "");
    CHECK(get(t, "nope") == "<none>");
    CHECK(must(tern::open_table("inline:{a=b,c=d}", quiet()))->lookup("c").value() == "d");
    for (const char* bad : {"inline:{}", "inline:{ }", "inline:{", "inline:{a=b", "inline:{a=b}x", "inline:a=b",
                            "inline:{ a = b }", "inline:{a}", "inline:{=b}", "inline:{a=b,{c=d}"}) {
        INFO(bad);
        auto r = tern::open_table(bad, quiet());
        REQUIRE_FALSE(r);
        CHECK_FALSE(r.error().temporary());
        CHECK(r.error().text.find("need \"inline:{name=value...}\"") != std::string::npos);
    }
    auto no_equals = tern::open_table("inline:{a}", quiet());
    CHECK(no_equals.error().text.rfind("missing '=' after attribute name: \"inline:{a}\"", 0) == 0);
}

TEST_CASE("static: every key, braces", "[tables]") {
    TablePtr t = must(tern::open_table("static:OK", quiet()));
    CHECK(get(t, "anything") == "OK");
    CHECK(get(t, "") == "OK");
    CHECK(get(must(tern::open_table("static:{ hello world }", quiet())), "x") == "hello world");
    CHECK_FALSE(tern::open_table("static:{ unclosed", quiet()));
    CHECK_FALSE(t->for_each([](std::string_view, std::string_view) { return true; }));
}

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

namespace {

// Builds NAME.db the way postmap does: keys folded, first value kept.
void build_db(tern::DbType type, const std::string& name, std::string_view text, bool include_null = true) {
    tern::DbWriteOptions options;
    options.include_null = include_null;
    auto writer = tern::DbWriter::begin(tern::db_file_path(name), type, options);
    REQUIRE(writer);
    tern::LogicalLineReader reader(text, [](int, const std::string&) {});
    while (auto line = reader.next()) {
        auto kv = tern::split_key_value(line->text);
        if (!kv) continue;
        auto added = writer->add(tern::to_lower(kv->key), kv->value);
        REQUIRE(added);
    }
    REQUIRE(writer->commit());
}

}  // namespace

TEST_CASE("hash and btree: built from text, then looked up", "[tables][db]") {
    TempDir dir;
    for (const char* type : {"hash", "btree"}) {
        INFO(type);
        const tern::DbType db_type = std::string(type) == "hash" ? tern::DbType::Hash : tern::DbType::Btree;
        const std::string name = dir.file(type);
        build_db(db_type, name, "Foo bar baz\nfoo second\nkey2 val2\n");
        TablePtr t = must(tern::open_table(std::string(type) + ":" + name, quiet()));
        CHECK(t->type() == type);
        CHECK(get(t, "foo") == "bar baz");
        CHECK(get(t, "FOO") == "bar baz");
        CHECK(get(t, "key2") == "val2");
        CHECK(get(t, "nope") == "<none>");
        std::map<std::string, std::string> all;
        REQUIRE(t->for_each([&](std::string_view k, std::string_view v) { all.emplace(k, v); return true; }));
        CHECK(all == std::map<std::string, std::string>{{"foo", "bar baz"}, {"key2", "val2"}});
        CHECK_FALSE(t->changed());
        build_db(db_type, name, "other x\n");
        CHECK(t->changed());
        CHECK(get(t, "foo") == "bar baz");  // the open handle still reads the old file
    }
}

TEST_CASE("hash: keys stored without NUL (postmap -n) are found too", "[tables][db]") {
    TempDir dir;
    const std::string name = dir.file("nonul");
    build_db(tern::DbType::Hash, name, "k v\n", false);
    TablePtr t = must(tern::open_table("hash:" + name, quiet()));
    CHECK(get(t, "k") == "v");
    auto raw = tern::DbHandle::open_read(name + ".db", tern::DbType::Hash);
    REQUIRE(raw);
    CHECK(raw->get("k").value() == "v");
    CHECK_FALSE(raw->get(std::string("k\0", 2)).value());
}

TEST_CASE("hash: missing file, wrong type", "[tables][db]") {
    TempDir dir;
    auto missing = tern::open_table("hash:" + dir.file("none"), quiet());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().temporary());
    build_db(tern::DbType::Btree, dir.file("b"), "k v\n");
    auto wrong = tern::open_table("hash:" + dir.file("b"), quiet());
    REQUIRE_FALSE(wrong);
    CHECK_FALSE(wrong.error().temporary());
    (void)dir.write("junk.db", "this is not a database");
    CHECK_FALSE(tern::open_table("hash:" + dir.file("junk"), quiet()));
}

TEST_CASE("db writer: delete, copy, abandoned writers leave no files", "[tables][db]") {
    TempDir dir;
    const std::string name = dir.file("t");
    build_db(tern::DbType::Hash, name, "a 1\nb 2\n");
    {
        auto writer = tern::DbWriter::begin(name + ".db", tern::DbType::Hash, {});
        REQUIRE(writer);
        REQUIRE(writer->copy_existing());
        CHECK(writer->remove("a").value());
        CHECK_FALSE(writer->remove("zz").value());
        CHECK_FALSE(writer->add("b", "3").value());  // first kept
        REQUIRE(writer->replace("c", "4"));
        REQUIRE(writer->commit());
    }
    TablePtr t = must(tern::open_table("hash:" + name, quiet()));
    CHECK(get(t, "a") == "<none>");
    CHECK(get(t, "b") == "2");
    CHECK(get(t, "c") == "4");
    {
        auto abandoned = tern::DbWriter::begin(name + ".db", tern::DbType::Hash, {});
        REQUIRE(abandoned);
        CHECK(abandoned->add("x", "y").value());
    }
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++files;
    CHECK(files == 1);  // only t.db: no temporary left behind
}
