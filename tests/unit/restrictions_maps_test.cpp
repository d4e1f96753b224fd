// tests/unit/restrictions_maps_test.cpp - reject_unlisted_recipient/_sender and the recipient tables
#include <catch2/catch.hpp>

#include "lib/mail/tables/table.h"
#include "tests/unit/restrictions_test_support.h"
#include "tests/unit/test_support.h"

using restrictions_test::Policy;
using restrictions_test::Session;

TEST_CASE("local recipients: smtpd_reject_unlisted_recipient", "[restrictions]") {
    const Policy policy("recipient_delimiter = +\n");
    CHECK(policy.rcpt("alice@example.com").empty());
    CHECK(policy.rcpt("ALICE@example.com").empty());
    CHECK(policy.rcpt("alice+tag@example.com").empty());
    CHECK(policy.rcpt("nobody@example.com") ==
          "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table");
    CHECK(policy.rcpt("nobody") ==
          "550 5.1.1 <nobody>: Recipient address rejected: User unknown in local recipient table");
    // qmgr and bounce absorb these themselves.
    CHECK(policy.rcpt("postmaster@example.com").empty());
    CHECK(policy.rcpt("MAILER-DAEMON@example.com").empty());
    CHECK(policy.rcpt("double-bounce@example.com").empty());

    const Policy off("smtpd_reject_unlisted_recipient = no\n");
    CHECK(off.rcpt("nobody@example.com").empty());
    const Policy off_explicit("smtpd_reject_unlisted_recipient = no\n"
                              "smtpd_recipient_restrictions = reject_unlisted_recipient\n");
    CHECK(off_explicit.rcpt("nobody@example.com") ==
          "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table");
    const Policy empty_maps("local_recipient_maps =\n");
    CHECK(empty_maps.rcpt("nobody@example.com").empty());
    const Policy codes("unknown_local_recipient_reject_code = 450\nshow_user_unknown_table_name = no\n");
    CHECK(codes.rcpt("nobody@example.com") == "450 4.1.1 <nobody@example.com>: Recipient address rejected: User unknown");
    // The implicit check runs even after a permit.
    const Policy permitted("smtpd_recipient_restrictions = permit\n");
    CHECK_FALSE(permitted.rcpt("nobody@example.com").empty());
}

TEST_CASE("rewriting tables make an address known", "[restrictions]") {
    const Policy policy("virtual_alias_maps = inline:{ info@example.com=alice, @alias.example=bob }\n"
                        "canonical_maps = inline:{ sales@example.com=bob }\n");
    CHECK(policy.rcpt("info@example.com").empty());
    CHECK(policy.rcpt("sales@example.com").empty());
    CHECK_FALSE(policy.rcpt("other@example.com").empty());
}

TEST_CASE("virtual alias, virtual mailbox and relay recipients", "[restrictions]") {
    const Policy policy(
        "virtual_alias_domains = alias.example\n"
        "virtual_alias_maps = inline:{ a@alias.example=alice }\n"
        "virtual_mailbox_domains = box.example\n"
        "virtual_mailbox_maps = inline:{ m@box.example=box/m/ }\n"
        "relay_domains = relay.example\n"
        "relay_recipient_maps = inline:{ r@relay.example=1 }\n");
    CHECK(policy.rcpt("a@alias.example").empty());
    CHECK(policy.rcpt("b@alias.example") ==
          "550 5.1.1 <b@alias.example>: Recipient address rejected: User unknown in virtual alias table");
    CHECK(policy.rcpt("m@box.example").empty());
    CHECK(policy.rcpt("n@box.example") ==
          "550 5.1.1 <n@box.example>: Recipient address rejected: User unknown in virtual mailbox table");
    CHECK(policy.rcpt("r@relay.example").empty());
    CHECK(policy.rcpt("z@relay.example") ==
          "550 5.1.1 <z@relay.example>: Recipient address rejected: User unknown in relay recipient table");
    CHECK(policy.rcpt("z@sub.relay.example") ==
          "550 5.1.1 <z@sub.relay.example>: Recipient address rejected: User unknown in relay recipient table");

    const Policy no_relay_maps("relay_domains = relay.example\n");
    CHECK(no_relay_maps.rcpt("anyone@relay.example").empty());
}

TEST_CASE("reject_unlisted_sender", "[restrictions]") {
    Session s;
    s.sender = "ghost@example.com";
    const Policy off;
    CHECK(off.rcpt(s).empty());
    const Policy on("smtpd_reject_unlisted_sender = yes\n");
    CHECK(on.rcpt(s) == "550 5.1.0 <ghost@example.com>: Sender address rejected: User unknown in local recipient table");
    s.sender = "alice@example.com";
    CHECK(on.rcpt(s).empty());
    s.sender = "";
    CHECK(on.rcpt(s).empty());
    s.sender = "someone@remote.example";
    CHECK(on.rcpt(s).empty());
    const Policy explicit_check("smtpd_sender_restrictions = reject_unlisted_sender\n");
    s.sender = "ghost@example.com";
    CHECK(explicit_check.rcpt(s) ==
          "550 5.1.0 <ghost@example.com>: Sender address rejected: User unknown in local recipient table");
    const Policy now("smtpd_delay_reject = no\nsmtpd_reject_unlisted_sender = yes\n");
    CHECK(now.reply(smtpd::Stage::Sender, s) ==
          "550 5.1.0 <ghost@example.com>: Sender address rejected: User unknown in local recipient table");
}

TEST_CASE("unix:passwd.byname and unavailable tables", "[restrictions]") {
    const Policy passwd("local_recipient_maps = proxy:unix:passwd.byname $alias_maps\n");
    CHECK(passwd.rcpt("root@example.com").empty());
    CHECK(passwd.rcpt("Root@example.com").empty());
    CHECK(passwd.rcpt("no-such-user-here@example.com") ==
          "550 5.1.1 <no-such-user-here@example.com>: Recipient address rejected: User unknown in local recipient "
          "table");

    // A missing indexed file defers local mail instead of refusing the whole configuration.
    const Policy missing("local_recipient_maps = hash:/nonexistent/aliases\n");
    CHECK(missing.rcpt("alice@example.com") == "451 4.3.0 <alice@example.com>: Temporary lookup failure");
    CHECK(missing.rcpt("x@gmail.com") == "454 4.7.1 <x@gmail.com>: Relay access denied");
    CHECK(restrictions_test::load_error("local_recipient_maps = nosuchtype:/x\n").find("local_recipient_maps") !=
          std::string::npos);
}

TEST_CASE("unix: and proxy: table types", "[restrictions]") {
    tern::Result<tern::TablePtr> passwd = tern::open_table("proxy:proxy:unix:passwd.byname");
    REQUIRE(passwd);
    tern::Result<std::optional<std::string>> root = (*passwd)->lookup("ROOT");
    REQUIRE(root);
    REQUIRE(root->has_value());
    CHECK(root->value().rfind("root:", 0) == 0);
    tern::Result<std::optional<std::string>> none = (*passwd)->lookup("no-such-user-here");
    REQUIRE(none);
    CHECK_FALSE(none->has_value());
    tern::Result<tern::TablePtr> group = tern::open_table("unix:group.byname");
    REQUIRE(group);
    tern::Result<std::optional<std::string>> root_group = (*group)->lookup("root");
    REQUIRE(root_group);
    REQUIRE(root_group->has_value());
    CHECK(root_group->value().rfind("root:", 0) == 0);
    CHECK_FALSE(tern::open_table("unix:shadow.byname"));
    CHECK_FALSE(tern::open_table("proxy:"));
}

TEST_CASE("recipients that resolve to the error transport are refused with its text", "[restrictions]") {
    const Policy policy(
        "virtual_alias_domains = alias.example\n"
        "transport_maps = inline:{ { gone@example.com = error:5.1.6 moved to gone.example }, "
        "{ dead.example = error:no mail here }, alias.example=smtp:, bob@example.com=error: }\n"
        "mynetworks = 192.0.2.0/24\n");
    CHECK(policy.rcpt("gone@example.com") ==
          "550 5.1.6 <gone@example.com>: Recipient address rejected: moved to gone.example");
    CHECK(policy.rcpt("x@dead.example") == "550 5.1.1 <x@dead.example>: Recipient address rejected: no mail here");
    CHECK(policy.rcpt("bob@example.com") ==
          "550 5.1.1 <bob@example.com>: Recipient address rejected: Address is undeliverable");
    // transport_maps never take a virtual alias domain away from the error transport (Postfix 3.7, measured).
    CHECK(policy.rcpt("anyone@alias.example") ==
          "550 5.1.1 <anyone@alias.example>: Recipient address rejected: User unknown in virtual alias table");
    CHECK(policy.rcpt("alice@example.com").empty());

    const Policy codes("virtual_alias_domains = alias.example\nunknown_virtual_alias_reject_code = 450\n"
                       "show_user_unknown_table_name = no\n");
    CHECK(codes.rcpt("b@alias.example") == "450 4.1.1 <b@alias.example>: Recipient address rejected: User unknown");
    const Policy outbound("default_transport = error:5.7.1 outbound mail disabled\n"
                          "mynetworks = 192.0.2.0/24\n");
    CHECK(outbound.rcpt("x@remote.example") ==
          "550 5.7.1 <x@remote.example>: Recipient address rejected: outbound mail disabled");
}

TEST_CASE("recipient tables strip extensions as qmgr's resolver does", "[restrictions]") {
    const Policy dash("recipient_delimiter = -\n"
                      "local_recipient_maps = inline:{ alice=1, owner=1, list=1 }\n");
    CHECK(dash.rcpt("alice-tag@example.com").empty());
    CHECK(dash.rcpt("list-request@example.com") ==
          "550 5.1.1 <list-request@example.com>: Recipient address rejected: User unknown in local recipient table");
    CHECK(dash.rcpt("owner-list@example.com") ==
          "550 5.1.1 <owner-list@example.com>: Recipient address rejected: User unknown in local recipient table");
    const Policy several("recipient_delimiter = +-\n");
    CHECK(several.rcpt("alice-x@example.com").empty());
    CHECK(several.rcpt("bob+y@example.com").empty());
    CHECK_FALSE(several.rcpt("+alice@example.com").empty());
}

TEST_CASE("a transport_maps table that cannot be read defers recipients", "[restrictions]") {
    const Policy missing("transport_maps = hash:/nonexistent/transport\n");
    CHECK(missing.rcpt("nobody@example.com") == "451 4.3.0 <nobody@example.com>: Temporary lookup failure");
    CHECK(restrictions_test::load_error("transport_maps = nosuchtype:/x\n").find("transport_maps") != std::string::npos);
}
