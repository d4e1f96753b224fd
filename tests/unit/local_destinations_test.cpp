// tests/unit/local_destinations_test.cpp - local/destinations: aliases(5) right-hand sides
#include <catch2/catch.hpp>

#include "local/destinations.h"

using local::DestinationKind;

TEST_CASE("parse_destinations: each form", "[local]") {
    const auto l = local::parse_destinations("joe, |\"/bin/prog -x\", /tmp/f, :include:/etc/list, \\root, <a@b>");
    REQUIRE(l.items.size() == 6);
    CHECK(l.items[0] == local::Destination{DestinationKind::Address, "joe", false});
    CHECK(l.items[1] == local::Destination{DestinationKind::Command, "/bin/prog -x", false});
    CHECK(l.items[2] == local::Destination{DestinationKind::File, "/tmp/f", false});
    CHECK(l.items[3] == local::Destination{DestinationKind::Include, "/etc/list", false});
    CHECK(l.items[4] == local::Destination{DestinationKind::Address, "root", true});
    CHECK(l.items[5] == local::Destination{DestinationKind::Address, "a@b", false});
    CHECK(!l.truncated);
}

TEST_CASE("parse_destinations: quoting", "[local]") {
    SECTION("quoted command with a comma") {
        const auto l = local::parse_destinations("\"|cat >> /tmp/a,b\"");
        REQUIRE(l.items.size() == 1);
        CHECK(l.items[0].kind == DestinationKind::Command);
        CHECK(l.items[0].text == "cat >> /tmp/a,b");
    }
    SECTION("unquoted command runs to the comma") {
        const auto l = local::parse_destinations("|/usr/bin/prog a b, joe");
        REQUIRE(l.items.size() == 2);
        CHECK(l.items[0].text == "/usr/bin/prog a b");
    }
    SECTION("backslash in quotes") {
        const auto l = local::parse_destinations("\"|echo \\\"x\\\"\"");
        REQUIRE(l.items.size() == 1);
        CHECK(l.items[0].text == "echo \"x\"");
    }
    SECTION("unbalanced quote takes the rest") {
        const auto l = local::parse_destinations("\"|a, b");
        REQUIRE(l.items.size() == 1);
        CHECK(l.items[0].text == "a, b");
    }
    SECTION(":INCLUDE: any case") {
        const auto l = local::parse_destinations(":INCLUDE: /x");
        REQUIRE(l.items.size() == 1);
        CHECK(l.items[0].kind == DestinationKind::Include);
        CHECK(l.items[0].text == "/x");
    }
}

TEST_CASE("parse_destinations: edges", "[local]") {
    CHECK(local::parse_destinations("").items.empty());
    CHECK(local::parse_destinations(" , ,, ").items.empty());
    CHECK(local::parse_destinations("|").items.empty());
    CHECK(local::parse_destinations(":include:").items.empty());
    const auto eight = local::parse_destinations("j\xc3\xb6rg");
    REQUIRE(eight.items.size() == 1);
    CHECK(eight.items[0].text == "j\xc3\xb6rg");
    std::string many;
    for (std::size_t i = 0; i < local::kMaxDestinations + 1; ++i) many += "u" + std::to_string(i) + ",";
    const auto l = local::parse_destinations(many);
    CHECK(l.items.size() == local::kMaxDestinations);
    CHECK(l.truncated);
    const auto at_limit = local::parse_destinations(std::string(local::kMaxDestinationBytes, 'a'));
    CHECK(at_limit.items.size() == 1);
    const auto over = local::parse_destinations(std::string(local::kMaxDestinationBytes + 1, 'a'));
    CHECK(over.items.empty());
    CHECK(over.truncated);
}

TEST_CASE("parse_destination_file: lines and comments", "[local]") {
    const auto l = local::parse_destination_file("# mine\njoe, bob\n  carol\r\n\n|\"/bin/x\"\n  #|evil\n");
    REQUIRE(l.items.size() == 4);
    CHECK(l.items[0].text == "joe");
    CHECK(l.items[1].text == "bob");
    CHECK(l.items[2].text == "carol");
    CHECK(l.items[3].kind == DestinationKind::Command);
    CHECK(local::parse_destination_file("").items.empty());
    CHECK(local::parse_destination_file("no-newline").items.size() == 1);
}
