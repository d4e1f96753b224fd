// tests/unit/tables_db_test.cpp - hash: and btree: tables and the atomic DbWriter
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "tests/unit/table_test_support.h"

#include "lib/base/text.h"
#include "lib/mail/tables/db_table.h"
#include "lib/mail/tables/db_writer.h"
#include "lib/mail/tables/table_text.h"

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
