// tests/unit/virtual_lookup_test.cpp - virtual(8) lookup order, uid parsing, settings
#include "virtual/lookup.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lib/mail/config.h"
#include "virtual/settings.h"

namespace {

virt::Maps maps_of(std::vector<std::string> specs) {
    virt::Maps maps{"virtual_mailbox_maps", {}};
    for (const std::string& spec : specs) {
        tern::Result<tern::TablePtr> t = tern::open_table(spec);
        REQUIRE(t);
        maps.tables.push_back(std::move(*t));
    }
    return maps;
}

std::string found(const virt::Maps& maps, std::string_view address, std::string_view delimiters = "+") {
    tern::Result<std::optional<std::string>> hit = virt::find_address(maps, address, delimiters);
    REQUIRE(hit);
    return hit->value_or("(none)");
}

}  // namespace

TEST_CASE("lookup keys: full address, without extension, @domain; lower-cased", "[virtual]") {
    CHECK(virt::lookup_keys("Joe+Box@Example.COM", "+") ==
          std::vector<std::string>{"joe+box@example.com", "joe@example.com", "@example.com"});
    CHECK(virt::lookup_keys("joe@example.com", "+") == std::vector<std::string>{"joe@example.com", "@example.com"});
    CHECK(virt::lookup_keys("joe+x@example.com", "") ==
          std::vector<std::string>{"joe+x@example.com", "@example.com"});
    CHECK(virt::lookup_keys("a-b+c@d", "+-") == std::vector<std::string>{"a-b+c@d", "a@d", "@d"});
    CHECK(virt::lookup_keys("+x@d", "+") == std::vector<std::string>{"+x@d", "@d"});  // nothing left: no cut
    CHECK(virt::lookup_keys("joe", "+") == std::vector<std::string>{"joe"});
    CHECK(virt::lookup_keys("", "+") == std::vector<std::string>{""});
    CHECK(virt::lookup_keys("joe@", "+") == std::vector<std::string>{"joe@"});
}

TEST_CASE("find_address: first key wins over later tables, catch-all last", "[virtual]") {
    const virt::Maps maps = maps_of({"inline:{ @example.com=catchall/, joe@example.com=joe/ }",
                                     "inline:{ joe+box@example.com=box/, ann@example.com=ann }"});
    CHECK(found(maps, "joe@example.com") == "joe/");
    CHECK(found(maps, "JOE+box@example.com") == "box/");      // full address in the second table
    CHECK(found(maps, "joe+other@example.com") == "joe/");    // extension dropped
    CHECK(found(maps, "ann@example.com") == "ann");
    CHECK(found(maps, "zed@example.com") == "catchall/");
    CHECK(found(maps, "joe@example.net") == "(none)");
    CHECK(found(maps, "joe+other@example.com", "") == "catchall/");  // no delimiter: no cut
}

TEST_CASE("parse_id: decimal with blanks, no sign", "[virtual]") {
    CHECK(virt::parse_id("5000") == 5000);
    CHECK(virt::parse_id(" 42 ") == 42);
    CHECK_FALSE(virt::parse_id("-1"));
    CHECK_FALSE(virt::parse_id(""));
    CHECK_FALSE(virt::parse_id("12x"));
    CHECK_FALSE(virt::parse_id("99999999999999999999999"));
}

TEST_CASE("settings: base must be absolute; locking words; maps opened", "[virtual]") {
    tern::Result<tern::Config> relative = tern::Config::parse("virtual_mailbox_base = var/mail\n", "main.cf");
    REQUIRE(relative);
    CHECK_FALSE(virt::load_settings(*relative));
    tern::Result<tern::Config> good = tern::Config::parse(
        "virtual_mailbox_base = /var/vmail\nvirtual_uid_maps = static:5000\nvirtual_gid_maps = static:5000\n"
        "virtual_mailbox_maps = inline:{ a@b=a/ }\nvirtual_mailbox_lock = dotlock\nrecipient_delimiter = +\n",
        "main.cf");
    REQUIRE(good);
    tern::Result<virt::Settings> s = virt::load_settings(*good);
    REQUIRE(s);
    CHECK(s->uid_maps.tables.size() == 1);
    CHECK(s->mailbox_maps.tables.size() == 1);
    CHECK(s->locking.dotlock);
    CHECK_FALSE(s->locking.fcntl_lock);
    CHECK(s->recipient_delimiter == "+");
    CHECK(s->minimum_uid == 100);
    CHECK(s->mailbox_limit == 51200000);
    CHECK(virt::parse_locking("fcntl, dotlock").fcntl_lock);
    CHECK(virt::parse_locking("FLOCK").fcntl_lock);
    CHECK_FALSE(virt::parse_locking("").dotlock);
}
