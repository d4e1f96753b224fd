// tests/unit/postmap_test.cpp - postmap's modules: options, build, -i, -d, queries
#include <catch2/catch.hpp>

#include "tests/unit/test_support.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "lib/mail/tables/db_table.h"
#include "lib/mail/tables/table.h"
#include "tools/postmap/build.h"
#include "tools/postmap/options.h"
#include "tools/postmap/query.h"

namespace {

using tern_test::TempDir;

tern::Result<postmap::Options> parse(std::vector<std::string> args) {
    args.insert(args.begin(), "postmap");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    return postmap::parse_options(static_cast<int>(args.size()), argv.data());
}

postmap::Options options_for(std::vector<std::string> args) {
    auto options = parse(std::move(args));
    REQUIRE(options);
    return *options;
}

std::string lookup(const std::string& spec, std::string_view key, bool fold = true) {
    tern::TableOptions options;
    options.fold_keys = fold;
    auto table = tern::open_table(spec, options);
    REQUIRE(table);
    auto value = (*table)->lookup(key);
    REQUIRE(value);
    return value->value_or("<none>");
}

using FilePtr = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

// Runs f with a temporary FILE and returns what it wrote.
template <class F>
std::string captured(F&& f) {
    FilePtr out(std::tmpfile(), std::fclose);
    REQUIRE(out);
    f(out.get());
    std::fflush(out.get());
    std::rewind(out.get());
    std::string text;
    char chunk[4096];
    std::size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, out.get())) > 0) text.append(chunk, n);
    return text;
}

}  // namespace

TEST_CASE("postmap options", "[postmap]") {
    auto plain = options_for({"/etc/x"});
    CHECK(plain.mode == postmap::Mode::Build);
    CHECK(plain.fold_keys);
    CHECK(plain.include_null);
    CHECK(plain.maps == std::vector<std::string>{"/etc/x"});
    auto query = options_for({"-f", "-n", "-q", "Key", "hash:/a", "cidr:/b"});
    CHECK(query.mode == postmap::Mode::Query);
    CHECK(query.key == "Key");
    CHECK_FALSE(query.fold_keys);
    CHECK_FALSE(query.include_null);
    CHECK(query.maps.size() == 2);
    CHECK(options_for({"-n", "-N", "x"}).include_null);
    CHECK(options_for({"-s", "x"}).mode == postmap::Mode::Dump);
    CHECK(options_for({"-d", "-", "x"}).key == "-");
    CHECK(options_for({"-r", "x"}).duplicates == postmap::Duplicates::Replace);
    CHECK(options_for({"-w", "x"}).duplicates == postmap::Duplicates::Ignore);
    CHECK(options_for({"-o", "-p", "-v", "-v", "-u", "x"}).verbose == 2);

    auto both = parse({"-s", "-q", "k", "x"});
    REQUIRE_FALSE(both);
    CHECK(both.error().text == "specify only one of -s or -q or -d");
    CHECK(parse({}).error().text == postmap::kUsage);
    CHECK(parse({"-q", "k"}).error().text == postmap::kUsage);
    CHECK(parse({"-b", "x"}).error().text == postmap::kUsage);
    CHECK(parse({"-q"}).error().text == postmap::kUsage);
    CHECK(parse({"-c", "relative", "x"}).error().text == "-c requires absolute pathname");
    CHECK_FALSE(parse({"-i", "-q", "k", "x"}));
}

TEST_CASE("postmap map_spec adds the default type", "[postmap]") {
    CHECK(postmap::map_spec("/etc/x", "hash").type == "hash");
    CHECK(postmap::map_spec("/etc/x", "btree").name == "/etc/x");
    CHECK(postmap::map_spec("cidr:/etc/x", "hash").type == "cidr");
    CHECK(postmap::map_spec("inline:{a=b}", "hash").name == "{a=b}");
    CHECK(postmap::db_type_of("btree") == tern::DbType::Btree);
    CHECK_FALSE(postmap::db_type_of("cidr"));
}

TEST_CASE("postmap builds hash and btree tables", "[postmap]") {
    TempDir dir;
    const std::string source = dir.write("t", "Foo first\nfoo second\nBar x\n  y\nbad\n");
    for (const char* type : {"hash", "btree"}) {
        INFO(type);
        REQUIRE(postmap::build_map({type, source}, options_for({source})));
        CHECK(lookup(std::string(type) + ":" + source, "FOO") == "first");
        CHECK(lookup(std::string(type) + ":" + source, "bar") == "x  y");
    }
    REQUIRE(postmap::build_map({"hash", source}, options_for({"-r", source})));
    CHECK(lookup("hash:" + source, "foo") == "second");
    REQUIRE(postmap::build_map({"hash", source}, options_for({"-f", source})));
    CHECK(lookup("hash:" + source, "Foo", false) == "first");
    CHECK(lookup("hash:" + source, "foo", false) == "second");
    CHECK(lookup("hash:" + source, "Foo") == "second");  // folded lookups find only the lower-case key

    auto cidr = postmap::build_map({"cidr", source}, options_for({source}));
    REQUIRE_FALSE(cidr);
    CHECK(cidr.error().text.find("unsupported dictionary type for writing: cidr") != std::string::npos);
    auto missing = postmap::build_map({"hash", dir.file("none")}, options_for({"x"}));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().temporary());
}

TEST_CASE("postmap: the trailing NUL follows -N / -n", "[postmap]") {
    TempDir dir;
    const std::string source = dir.write("t", "k v\n");
    REQUIRE(postmap::build_map({"hash", source}, options_for({"-n", source})));
    auto raw = tern::DbHandle::open_read(source + ".db", tern::DbType::Hash);
    REQUIRE(raw);
    CHECK(raw->get("k").value() == "v");
    REQUIRE(postmap::build_map({"hash", source}, options_for({source})));
    raw = tern::DbHandle::open_read(source + ".db", tern::DbType::Hash);
    REQUIRE(raw);
    CHECK(raw->get(std::string("k\0", 2)).value() == std::string("v\0", 2));
}

TEST_CASE("postmap: a new table takes the source's mode unless -p", "[postmap]") {
    TempDir dir;
    const std::string source = dir.write("t", "k v\n");
    REQUIRE(::chmod(source.c_str(), 0640) == 0);
    REQUIRE(postmap::build_map({"hash", source}, options_for({source})));
    struct stat st {};
    REQUIRE(::stat((source + ".db").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    REQUIRE(::chmod(source.c_str(), 0600) == 0);
    REQUIRE(postmap::build_map({"hash", source}, options_for({source})));
    REQUIRE(::stat((source + ".db").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);  // an existing table keeps its mode
    std::filesystem::remove(source + ".db");
    REQUIRE(postmap::build_map({"hash", source}, options_for({"-p", source})));
    REQUIRE(::stat((source + ".db").c_str(), &st) == 0);
    CHECK((st.st_mode & 0077) != 0);  // 0644 minus the umask, not the source's 0600
}

TEST_CASE("postmap -i adds, -d deletes", "[postmap]") {
    TempDir dir;
    const std::string source = dir.write("t", "a 1\nb 2\n");
    const postmap::Options options = options_for({source});
    REQUIRE(postmap::build_map({"hash", source}, options));
    REQUIRE(postmap::add_to_map({"hash", source}, "C 3\na 9\n", options));
    CHECK(lookup("hash:" + source, "c") == "3");
    CHECK(lookup("hash:" + source, "a") == "1");
    CHECK(postmap::delete_keys({"hash", source}, {"A", "zz"}, options).value());
    CHECK(lookup("hash:" + source, "a") == "<none>");
    CHECK(lookup("hash:" + source, "b") == "2");
    CHECK_FALSE(postmap::delete_keys({"hash", source}, {"a"}, options).value());
    CHECK_FALSE(postmap::delete_keys({"hash", dir.file("none")}, {"a"}, options));
    REQUIRE(postmap::add_to_map({"hash", dir.file("fresh")}, "x y\n", options));  // -i creates
    CHECK(lookup("hash:" + dir.file("fresh"), "x") == "y");
    std::size_t leftovers = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
        if (entry.path().string().find(".tmp") != std::string::npos) ++leftovers;
    CHECK(leftovers == 0);
}

TEST_CASE("postmap queries: -q, -q -, -s", "[postmap]") {
    TempDir dir;
    const std::string source = dir.write("t", "a 1\nb 2\n");
    const postmap::Options options = options_for({source});
    REQUIRE(postmap::build_map({"hash", source}, options));
    const std::vector<tern::TableSpec> specs{{"hash", source}, {"inline", "{ c=3, a=shadowed }"}};
    int status = -1;
    CHECK(captured([&](std::FILE* out) { status = postmap::query_key(specs, "A", options, out); }) == "1\n");
    CHECK(status == 0);
    CHECK(captured([&](std::FILE* out) { status = postmap::query_key(specs, "c", options, out); }) == "3\n");
    CHECK(captured([&](std::FILE* out) { status = postmap::query_key(specs, "x", options, out); }).empty());
    CHECK(status == 1);
    CHECK(captured([&](std::FILE* out) { status = postmap::query_stream(specs, "B\r\nx\n\nc", options, out); }) ==
          "B\t2\nc\t3\n");
    CHECK(status == 0);
    CHECK(captured([&](std::FILE* out) { status = postmap::query_stream(specs, "", options, out); }).empty());
    CHECK(status == 1);
    const std::string all = captured([&](std::FILE* out) { status = postmap::dump_maps(specs, options, out); });
    CHECK(status == 0);
    CHECK(all.find("a\t1\n") != std::string::npos);
    CHECK(all.find("c\t3\n") != std::string::npos);
    CHECK(all.find("a\tshadowed\n") != std::string::npos);
}

TEST_CASE("postmap split_lines", "[postmap]") {
    CHECK(postmap::split_lines("").empty());
    CHECK(postmap::split_lines("a\r\nb\n\nc") == std::vector<std::string_view>{"a", "b", "", "c"});
    CHECK(postmap::split_lines("\n") == std::vector<std::string_view>{""});
}
