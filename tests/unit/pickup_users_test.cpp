// tests/unit/pickup_users_test.cpp - login names for pickup's submit_user
#include "pickup/users.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/unit/test_support.h"

TEST_CASE("passwd text: entries, junk lines, first entry wins", "[pickup]") {
    const pickup::UserNames names = pickup::UserNames::parse(
        "root:x:0:0:root:/root:/bin/bash\n"
        "# comment\n"
        "\n"
        ":x:5:5::/:/bin/sh\n"
        "bad:x:notanumber:1::/:\n"
        "neg:x:-1:1::/:\n"
        "short:x\n"
        "ann:x:1000:1000:Ann:/home/ann:/bin/sh\n"
        "dup:x:1000:1000::/:\n"
        "last:x:65534:65534::/:");
    CHECK(names.lookup(0) == "root");
    CHECK(names.lookup(1000) == "ann");
    CHECK(names.lookup(65534) == "last");
    CHECK(names.lookup(5) == "unknown");
    CHECK(names.lookup(4242) == "unknown");
    CHECK(names.size() == 3);
}

TEST_CASE("passwd text: empty, NUL and overlong names", "[pickup]") {
    CHECK(pickup::UserNames::parse("").size() == 0);
    const std::string long_name(pickup::kMaxUserNameBytes + 1, 'a');
    const std::string at_limit(pickup::kMaxUserNameBytes, 'b');
    std::string text = long_name + ":x:1:1::/:\n" + at_limit + ":x:2:2::/:\n";
    text += std::string("n\0ul:x:3:3::/:\n", 15);
    const pickup::UserNames names = pickup::UserNames::parse(text);
    CHECK(names.lookup(1) == "unknown");
    CHECK(names.lookup(2) == at_limit);
    CHECK(names.lookup(3) == std::string("n\0ul", 4));
}

TEST_CASE("passwd file and live lookups", "[pickup]") {
    tern_test::TempDir dir;
    const std::string path = dir.write("passwd", "someone:x:4711:1::/:\n");
    auto names = pickup::UserNames::from_file(path);
    REQUIRE(names);
    CHECK(names->lookup(4711) == "someone");
    CHECK_FALSE(pickup::UserNames::from_file(dir.file("missing")));
    CHECK(pickup::UserNames::live().lookup(0) == "root");
    CHECK(pickup::UserNames::live().lookup(4'000'000'000u) == "unknown");
}
