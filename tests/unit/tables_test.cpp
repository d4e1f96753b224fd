// tests/unit/tables_test.cpp - lookup tables: specs, line reading, texthash, inline, static
//     (regexp and cidr: tables_pattern_test.cpp; hash and btree: tables_db_test.cpp)
#include <catch2/catch.hpp>

#include "tests/unit/table_test_support.h"

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

