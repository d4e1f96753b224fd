// tests/unit/local_settings_test.cpp - local/settings: allow_mail_to_* values
#include <catch2/catch.hpp>

#include "local/settings.h"

TEST_CASE("parse_permissions", "[local]") {
    CHECK(local::parse_permissions("alias, forward") == local::Permissions{true, true, false});
    CHECK(local::parse_permissions("Include") == local::Permissions{false, false, true});
    CHECK(local::parse_permissions("") == local::Permissions{});
    CHECK(local::parse_permissions("aliases, bogus") == local::Permissions{});
}
