// tests/unit/local_recipient_test.cpp - local/recipient: splitting and local(8) macros
#include <catch2/catch.hpp>

#include "local/recipient.h"

TEST_CASE("split_recipient folds case and splits the extension", "[local]") {
    const local::RecipientParts p = local::split_recipient("Joe+Tag@Example.COM", "+");
    CHECK(p.address == "joe+tag@example.com");
    CHECK(p.local == "joe+tag");
    CHECK(p.user == "joe");
    CHECK(p.extension == "tag");
    CHECK(p.delimiter == "+");
    CHECK(p.domain == "example.com");
}

TEST_CASE("split_recipient edges", "[local]") {
    SECTION("no delimiter configured") {
        const auto p = local::split_recipient("joe+tag@x", "");
        CHECK(p.user == "joe+tag");
        CHECK(p.extension.empty());
    }
    SECTION("no domain") {
        const auto p = local::split_recipient("joe", "+");
        CHECK(p.domain.empty());
        CHECK(p.user == "joe");
    }
    SECTION("first of several delimiters") {
        const auto p = local::split_recipient("a-b+c@x", "+-");
        CHECK(p.user == "a");
        CHECK(p.extension == "b+c");
        CHECK(p.delimiter == "-");
    }
    SECTION("owner- and -request keep their dash") {
        CHECK(local::split_recipient("owner-list@x", "-").user == "owner-list");
        CHECK(local::split_recipient("list-request@x", "-").user == "list-request");
    }
    SECTION("an extension with a slash is dropped") {
        const auto p = local::split_recipient("joe+../x@h", "+");
        CHECK(p.user == "joe");
        CHECK(p.extension.empty());
        CHECK(p.local == "joe");
    }
    SECTION("empty user") {
        CHECK(local::split_recipient("+tag@x", "+").user.empty());
        CHECK(local::split_recipient("", "+").user.empty());
    }
    SECTION("the last @ splits") {
        const auto p = local::split_recipient("\"a@b\"@c", "");
        CHECK(p.domain == "c");
    }
}

TEST_CASE("expand_local_macros", "[local]") {
    const local::MacroValues v{{"home", "/home/joe"}, {"recipient_delimiter", "+"}, {"extension", "x"}};
    CHECK(local::expand_local_macros("$home/.forward${recipient_delimiter}${extension}", v) == "/home/joe/.forward+x");
    CHECK(local::expand_local_macros("${extension?+$extension}", v) == "+x");
    CHECK(local::expand_local_macros("${user:nobody}", v) == "nobody");
    CHECK(local::expand_local_macros("${home:none}", v) == "/home/joe");
    CHECK(local::expand_local_macros("${user?yes}", v).empty());
    CHECK(local::expand_local_macros("$unknown/x", v) == "/x");
    CHECK(local::expand_local_macros("cost $", v) == "cost $");
    CHECK(local::expand_local_macros("${home", v) == "${home");
    const local::MacroValues empty_ext{{"home", "/h"}, {"recipient_delimiter", ""}, {"extension", ""}};
    CHECK(local::expand_local_macros("$home/.forward${recipient_delimiter}${extension}", empty_ext) == "/h/.forward");
    const std::string big(local::kMaxExpansionBytes + 10, 'a');
    CHECK(local::expand_local_macros(big, v).size() == local::kMaxExpansionBytes);
}

TEST_CASE("find_user knows root and not a made-up name", "[local]") {
    auto root = local::find_user("root");
    REQUIRE(root);
    REQUIRE(*root);
    CHECK((*root)->uid == 0);
    auto none = local::find_user("no-such-user-tern-x");
    REQUIRE(none);
    CHECK(!*none);
    auto empty = local::find_user(std::string());
    REQUIRE(empty);
    CHECK(!*empty);
}
