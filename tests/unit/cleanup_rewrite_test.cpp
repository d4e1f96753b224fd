// tests/unit/cleanup_rewrite_test.cpp - cleanup/rewrite.h: myorigin, canonical maps, virtual aliases
#include "cleanup/rewrite.h"

#include <catch2/catch.hpp>

#include <utility>

namespace {

tern::TablePtr inline_table(std::string_view spec) {
    tern::Result<tern::TablePtr> t = tern::parse_inline_table(spec);
    REQUIRE(t);
    return std::move(*t);
}

tern::TablePtr text_table(std::string_view text) {
    tern::Result<tern::TablePtr> t = tern::parse_texthash_table(text, "test");
    REQUIRE(t);
    return std::move(*t);
}

cleanup::Settings base_settings() {
    cleanup::Settings s;
    s.myhostname = "mx.example.org";
    s.myorigin = "example.org";
    s.mydestination = {"mx.example.org", "localhost"};
    return s;
}

}  // namespace

TEST_CASE("rewrite: an address without domain gets @myorigin, <> stays empty", "[cleanup]") {
    const cleanup::Settings s = base_settings();
    const cleanup::Rewriter rw(s);
    CHECK(rw.complete("root") == "root@example.org");
    CHECK(rw.complete("a@b") == "a@b");
    CHECK(rw.complete("").empty());
    CHECK(*rw.rewrite_sender("") == "");
}

TEST_CASE("rewrite: canonical maps, sender first, with Postfix's partial keys", "[cleanup]") {
    cleanup::Settings s = base_settings();
    s.sender_canonical_maps.push_back(inline_table("{ root@example.org=admin }"));
    s.canonical_maps.push_back(text_table("admin@example.org boss@example.com\n@old.example new@example.com\n"
                                          "joe joe.public@example.com\n"));
    const cleanup::Rewriter rw(s);
    CHECK(*rw.rewrite_sender("root") == "boss@example.com");
    CHECK(*rw.rewrite_recipient("root") == "root@example.org");
    CHECK(*rw.rewrite_recipient("x@old.example") == "new@example.com");
    CHECK(*rw.rewrite_recipient("joe@localhost") == "joe.public@example.com");  // local domain: "user" key
    CHECK(*rw.rewrite_recipient("joe@remote.example") == "joe@remote.example");
}

TEST_CASE("rewrite: virtual aliases expand recursively, keep self-references and loops", "[cleanup]") {
    cleanup::Settings s = base_settings();
    s.virtual_alias_maps.push_back(text_table("list@example.com a@example.com, b@example.com\n"
                                              "a@example.com a@example.com, c@example.com\n"
                                              "x@example.com y@example.com\ny@example.com x@example.com\n"
                                              "@catch.example all@example.com\n"));
    const cleanup::Rewriter rw(s);
    auto r = rw.expand_virtual("list@example.com");
    REQUIRE(r);
    CHECK(*r == std::vector<std::string>{"a@example.com", "b@example.com", "c@example.com"});
    r = rw.expand_virtual("x@example.com");
    REQUIRE(r);
    CHECK(*r == std::vector<std::string>{"x@example.com"});
    CHECK(*rw.expand_virtual("who@catch.example") == std::vector<std::string>{"all@example.com"});
    CHECK(*rw.expand_virtual("none@example.com") == std::vector<std::string>{"none@example.com"});
}

TEST_CASE("rewrite: virtual alias limits are temporary errors", "[cleanup]") {
    cleanup::Settings s = base_settings();
    s.virtual_alias_maps.push_back(text_table("a1@x a2@x\na2@x a3@x\na3@x a4@x\nwide@x w1@x w2@x w3@x\n"));
    s.virtual_alias_recursion_limit = 2;
    s.virtual_alias_expansion_limit = 2;
    const cleanup::Rewriter rw(s);
    auto deep = rw.expand_virtual("a1@x");
    REQUIRE_FALSE(deep);
    CHECK(deep.error().temporary());
    CHECK(deep.error().text.find("nesting") != std::string::npos);
    auto wide = rw.expand_virtual("wide@x");
    REQUIRE_FALSE(wide);
    CHECK(wide.error().text.find("expansion") != std::string::npos);
    s.virtual_alias_recursion_limit = 3;
    CHECK(*cleanup::Rewriter(s).expand_virtual("a1@x") == std::vector<std::string>{"a4@x"});
}

TEST_CASE("rewrite: the duplicate filter keys on address, ORCPT and NOTIFY", "[cleanup]") {
    cleanup::RecipientSet set;
    CHECK(set.insert("a@x", "", 0));
    CHECK_FALSE(set.insert("a@x", "", 0));
    CHECK(set.insert("a@x", "rfc822;b@x", 0));
    CHECK(set.insert("a@x", "", 4));
    CHECK(set.size() == 3);
}
