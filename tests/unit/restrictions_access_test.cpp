// tests/unit/restrictions_access_test.cpp - check_*_access: access(5) lookup order, actions, reply texts
#include <catch2/catch.hpp>

#include "lib/base/text.h"
#include "smtpd/restriction_reply.h"
#include "tests/unit/restrictions_test_support.h"
#include "tests/unit/test_support.h"

using restrictions_test::Policy;
using restrictions_test::Session;
using smtpd::Stage;

namespace {

// "k1=v 1|k2=v 2" -> "inline:{ { k1=v 1 }, { k2=v 2 } }": values may hold spaces.
std::string inline_table(std::string_view entries) {
    std::string table = "inline:{ ";
    for (const std::string& entry : tern::split_on(entries, "|")) table += "{ " + entry + " }, ";
    return table + "}";
}

// smtpd_recipient_restrictions = check_recipient_access inline:{ KEY=VALUE }, then the relay guard.
std::string recipient_with(std::string_view entry, std::string_view recipient, std::string_view extra = "") {
    const Policy policy(std::string("smtpd_relay_restrictions =\nlocal_recipient_maps =\n") +
                        "smtpd_recipient_restrictions = check_recipient_access " + inline_table(entry) +
                        ", reject_unauth_destination\n" + std::string(extra));
    return policy.rcpt(recipient);
}

std::string sender_with(std::string_view entry, std::string_view sender, std::string_view extra = "") {
    const Policy policy("smtpd_sender_restrictions = check_sender_access " + inline_table(entry) + "\n" +
                        std::string(extra));
    Session s;
    s.sender = std::string(sender);
    return policy.rcpt(s);
}

}  // namespace

TEST_CASE("check_client_access: name, parent domains, address, octets removed", "[restrictions]") {
    const Policy policy(
        "smtpd_client_restrictions = check_client_access " +
        inline_table("spam.example=REJECT go away|192.0.2=REJECT|2001:db8:=DEFER|198.51.100.7=OK|198.51.100.8=DUNNO") +
        ", reject\n");
    Session s;
    CHECK(policy.rcpt(s) == "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied");
    s.client_name = "mail.spam.example";
    s.client_address = "203.0.113.1";
    CHECK(policy.rcpt(s) == "554 5.7.1 <mail.spam.example[203.0.113.1]>: Client host rejected: go away");
    s.client_name = "unknown";
    s.client_address = "2001:db8::1";
    CHECK(policy.rcpt(s) == "450 4.7.1 <unknown[2001:db8::1]>: Client host rejected: Access denied");
    s.client_address = "198.51.100.7";
    CHECK(policy.rcpt(s).empty());
    s.client_address = "198.51.100.8";  // DUNNO: on to the final reject
    CHECK(policy.rcpt(s) == "554 5.7.1 <unknown[198.51.100.8]>: Client host rejected: Access denied");

    // Without smtpd_access_maps in parent_domain_matches_subdomains only ".domain" matches subdomains.
    const Policy dotted("parent_domain_matches_subdomains =\n"
                        "smtpd_client_restrictions = check_client_access inline:{ spam.example=REJECT, "
                        ".dot.example=REJECT }\n");
    s.client_address = "203.0.113.1";
    s.client_name = "mail.spam.example";
    CHECK(dotted.rcpt(s).empty());
    s.client_name = "spam.example";
    CHECK_FALSE(dotted.rcpt(s).empty());
    s.client_name = "mail.dot.example";
    CHECK_FALSE(dotted.rcpt(s).empty());

    // A bare table in a list is that list's check_*_access.
    tern_test::TempDir dir;
    const std::string cidr = dir.write("clients.cidr", "192.0.2.0/24 REJECT cidr says no\n");
    const Policy bare("smtpd_client_restrictions = cidr:" + cidr + "\n");
    Session t;
    CHECK(bare.rcpt(t) == "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: cidr says no");
    t.client_address = "192.0.3.1";
    CHECK(bare.rcpt(t).empty());
}

TEST_CASE("check_helo_access and check_sender_access lookup order", "[restrictions]") {
    const Policy helo("smtpd_helo_restrictions = check_helo_access inline:{ { example.net=REJECT 5.7.0 bad helo } }\n");
    Session s;
    CHECK(helo.rcpt(s) == "554 5.7.0 <client.example.net>: Helo command rejected: bad helo");
    s.helo = "[192.0.2.1]";
    CHECK(helo.rcpt(s).empty());

    const std::string full = "554 5.7.1 <u+x@a.example.org>: Sender address rejected: ";
    const std::string extra = "recipient_delimiter = +\n";
    CHECK(sender_with("u+x@a.example.org=REJECT 1|u@a.example.org=REJECT 2", "u+x@a.example.org", extra) == full + "1");
    CHECK(sender_with("u@a.example.org=REJECT 2|a.example.org=REJECT 3", "u+x@a.example.org", extra) == full + "2");
    CHECK(sender_with("a.example.org=REJECT 3|example.org=REJECT 4", "u+x@a.example.org", extra) == full + "3");
    CHECK(sender_with("example.org=REJECT 4|u+x@=REJECT 5", "u+x@a.example.org", extra) == full + "4");
    CHECK(sender_with("org=REJECT 4b|u+x@=REJECT 5", "u+x@a.example.org", extra) == full + "4b");
    CHECK(sender_with("u+x@=REJECT 5|u@=REJECT 6", "u+x@a.example.org", extra) == full + "5");
    CHECK(sender_with("u@=REJECT 6", "u+x@a.example.org", extra) == full + "6");
    CHECK(sender_with("u@=REJECT 6", "u+x@a.example.org").empty());  // no delimiter: no extension
    CHECK(sender_with("U@A.EXAMPLE.ORG=REJECT", "u@a.example.org") ==
          "554 5.7.1 <u@a.example.org>: Sender address rejected: Access denied");
    // The null sender is looked up as smtpd_null_access_lookup_key.
    CHECK(sender_with("<>=REJECT no bounces", "") == "554 5.7.1 <>: Sender address rejected: no bounces");
    CHECK(sender_with("none=REJECT", "", "smtpd_null_access_lookup_key = none\n") ==
          "554 5.7.1 <>: Sender address rejected: Access denied");
    // A sender without a domain gets @$myorigin for the lookup.
    CHECK(sender_with("example.com=REJECT", "user") == "554 5.7.1 <user>: Sender address rejected: Access denied");
}

TEST_CASE("pattern tables are asked the full key only", "[restrictions]") {
    tern_test::TempDir dir;
    const std::string regexp = dir.write("senders.re", "/^example\\.org$/ REJECT domain\n/^u@/ REJECT full\n");
    const Policy policy("smtpd_sender_restrictions = check_sender_access regexp:" + regexp + "\n");
    Session s;
    s.sender = "u@example.org";
    CHECK(policy.rcpt(s) == "554 5.7.1 <u@example.org>: Sender address rejected: full");
    s.sender = "v@example.org";  // "example.org" alone is never asked of a regexp table
    CHECK(policy.rcpt(s).empty());
}

TEST_CASE("access table actions", "[restrictions]") {
    const std::string rcpt = "x@gmail.com";
    const std::string what = "<x@gmail.com>: Recipient address rejected: ";
    CHECK(recipient_with("x@gmail.com=OK", rcpt).empty());
    CHECK(recipient_with("gmail.com=RELAY", rcpt).empty());
    CHECK(recipient_with("x@gmail.com=12345", rcpt).empty());
    CHECK(recipient_with("x@gmail.com=permit", rcpt).empty());
    CHECK(recipient_with("x@gmail.com=DUNNO", rcpt) == "554 5.7.1 <x@gmail.com>: Relay access denied");
    CHECK(recipient_with("x@gmail.com=REJECT", rcpt) == "554 5.7.1 " + what + "Access denied");
    CHECK(recipient_with("x@gmail.com=REJECT", rcpt, "access_map_reject_code = 550\n") == "550 5.7.1 " + what + "Access denied");
    CHECK(recipient_with("x@gmail.com=DEFER", rcpt) == "450 4.7.1 " + what + "Access denied");
    CHECK(recipient_with("x@gmail.com=DEFER 4.2.2 full", rcpt, "access_map_defer_code = 452\n") ==
          "452 4.2.2 " + what + "full");
    CHECK(recipient_with("x@gmail.com=550 no such user", rcpt) == "550 5.7.1 " + what + "no such user");
    CHECK(recipient_with("x@gmail.com=550 5.1.1 no such user", rcpt) == "550 5.1.1 " + what + "no such user");
    CHECK(recipient_with("x@gmail.com=421 closing", rcpt) == "421 4.7.1 " + what + "closing");
    CHECK(recipient_with("x@gmail.com=reject", rcpt) == "554 5.7.1 " + what + "Access denied");  // a restriction name
    CHECK(recipient_with("x@gmail.com=WARN watch this", rcpt) == "554 5.7.1 <x@gmail.com>: Relay access denied");
    CHECK(recipient_with("x@gmail.com=HOLD", rcpt) == "554 5.7.1 <x@gmail.com>: Relay access denied");
    CHECK(recipient_with("alice@example.com=DEFER_IF_PERMIT later", "alice@example.com") ==
          "450 4.7.1 <alice@example.com>: Recipient address rejected: later");
    CHECK(recipient_with("x@gmail.com=DEFER_IF_REJECT maybe", rcpt) == "450 4.7.1 " + what + "maybe");
    CHECK(recipient_with("x@gmail.com=reject_unauth_destination, permit", "x@gmail.com") ==
          "554 5.7.1 <x@gmail.com>: Relay access denied");
    // Misconfigurations: Postfix's "451 4.3.5 Server configuration error".
    CHECK(recipient_with("x@gmail.com=FOO", rcpt) == "451 4.3.5 Server configuration error");
    CHECK(recipient_with("x@gmail.com=123 text", rcpt) == "451 4.3.5 Server configuration error");
    CHECK(recipient_with("x@gmail.com=554", rcpt).empty());  // all digits: OK, before the code check
    // DUNNO found for the client name ends the client lookup: the address is not tried.
    const Policy dunno("smtpd_client_restrictions = check_client_access inline:{ unknown=DUNNO, 192.0.2.1=OK }, reject\n");
    CHECK(dunno.rcpt(Session{}) == "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied");
    CHECK(recipient_with("x@gmail.com=hash:/etc/x", rcpt) == "451 4.3.5 Server configuration error");
    CHECK(recipient_with("x@gmail.com=check_client_access", rcpt) == "451 4.3.5 Server configuration error");
    CHECK(recipient_with("x@gmail.com=REJECT", rcpt, "access_map_reject_code = 250\n") ==
          "450 4.7.1 Service unavailable");
    CHECK(recipient_with("x@gmail.com=REJECT", rcpt, "soft_bounce = yes\n") == "454 4.7.1 " + what + "Access denied");
    // OK never lets sender-specified routing through.
    CHECK(recipient_with("gmail.com=OK", "x@elsewhere.example@gmail.com") ==
          "554 5.7.1 <x@elsewhere.example@gmail.com>: Relay access denied");
}

TEST_CASE("access tables in the data stages and unreadable tables", "[restrictions]") {
    const Policy bare_data("smtpd_data_restrictions = inline:{ x=REJECT }\n");
    CHECK(bare_data.reply(Stage::Data, Session{}) == "451 4.3.5 Server configuration error");
    const Policy client_in_data("smtpd_data_restrictions = check_client_access inline:{ 192.0.2.1=REJECT }\n");
    CHECK(client_in_data.reply(Stage::Data, Session{}) ==
          "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied");
    CHECK(client_in_data.reply(Stage::EndOfData, Session{}).empty());

    tern_test::TempDir dir;
    const std::string path = dir.write("access", "x REJECT\n");
    const Policy policy("smtpd_client_restrictions = check_client_access texthash:" + path + "\n");
    CHECK(policy.rcpt(Session{}).empty());  // read into memory at load: later changes need a restart
}

TEST_CASE("reply formatting as smtpd_check_reject", "[restrictions]") {
    CHECK(smtpd::format_reply(554, "5.7.1", "<a@b>: Relay access denied", false) == "554 5.7.1 <a@b>: Relay access denied");
    CHECK(smtpd::format_reply(454, "5.7.1", "text", false) == "454 4.7.1 text");
    CHECK(smtpd::format_reply(550, "5.7.1", "text", true) == "450 4.7.1 text");
    CHECK(smtpd::format_reply(250, "2.0.0", "text", false) == "450 4.7.1 Service unavailable");
    CHECK(smtpd::format_reply(600, "5.0.0", "text", false) == "450 4.7.1 Service unavailable");
    CHECK(smtpd::format_reply(550, "5.7", "text", false) == "450 4.7.1 Service unavailable");
    CHECK(smtpd::format_reply(550, "5.7.1", std::string("a\r\nb\0c\xff", 7), false) == "550 5.7.1 a  b c ");
    const std::string long_reply = smtpd::format_reply(550, "5.7.1", std::string(1000, 'x'), false);
    CHECK(long_reply.size() == smtpd::kMaxReplyBytes);

    CHECK(smtpd::is_valid_dsn("5.7.1"));
    CHECK(smtpd::is_valid_dsn("4.999.999"));
    CHECK_FALSE(smtpd::is_valid_dsn("5.7.1000"));
    CHECK_FALSE(smtpd::is_valid_dsn("3.7.1"));
    CHECK_FALSE(smtpd::is_valid_dsn("5..1"));
    CHECK_FALSE(smtpd::is_valid_dsn(""));

    smtpd::DsnText split = smtpd::split_dsn("5.7.1", "4.2.2  mailbox full");
    CHECK(split.dsn == "4.2.2");
    CHECK(split.text == "mailbox full");
    split = smtpd::split_dsn("5.7.1", "go away");
    CHECK(split.dsn == "5.7.1");
    CHECK(split.text == "go away");
    split = smtpd::split_dsn("5.7.1", "5.7.0");
    CHECK(split.dsn == "5.7.0");
    CHECK(split.text.empty());
    CHECK(smtpd::split_dsn("5.7.1", "2.0.0 ok").dsn == "5.7.1");

    CHECK(smtpd::fix_dsn("5.1.1", smtpd::ReplyClass::Sender) == "5.1.0");
    CHECK(smtpd::fix_dsn("5.1.2", smtpd::ReplyClass::Sender) == "5.1.8");
    CHECK(smtpd::fix_dsn("5.1.1", smtpd::ReplyClass::Recipient) == "5.1.1");
    CHECK(smtpd::fix_dsn("5.1.8", smtpd::ReplyClass::Recipient) == "5.1.2");
    CHECK(smtpd::fix_dsn("5.1.1", smtpd::ReplyClass::Client) == "5.7.1");
    CHECK(smtpd::fix_dsn("4.7.1", smtpd::ReplyClass::Helo) == "4.7.1");
}
