// tests/unit/account_test.cpp - lib/base/account: user and group lookups
#include "lib/base/account.h"

#include <catch2/catch.hpp>

TEST_CASE("lookup_account finds root by name and by uid", "[account]") {
    const auto by_name = tern::lookup_account("root");
    REQUIRE(by_name);
    CHECK(by_name->uid == 0);
    const auto by_uid = tern::lookup_account(uid_t{0});
    REQUIRE(by_uid);
    CHECK(by_uid->name == "root");
}

TEST_CASE("unknown users and groups are permanent errors naming them", "[account]") {
    const auto user = tern::lookup_account("no-such-user-tern-test");
    REQUIRE_FALSE(user);
    CHECK_FALSE(user.error().temporary());
    CHECK(user.error().text.find("no-such-user-tern-test") != std::string::npos);
    const auto group = tern::lookup_group("no-such-group-tern-test");
    REQUIRE_FALSE(group);
    CHECK(group.error().text.find("no-such-group-tern-test") != std::string::npos);
}

TEST_CASE("enter_chroot names a missing directory", "[account]") {
    const auto status = tern::enter_chroot("/nonexistent-tern-chroot");
    REQUIRE_FALSE(status);
    CHECK(status.error().describe().find("/nonexistent-tern-chroot") != std::string::npos);
}
