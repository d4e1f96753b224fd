// tests/unit/restrictions_test.cpp - smtpd restrictions: relay control, stages, generic restrictions, recipient tables
#include <catch2/catch.hpp>

#include "tests/unit/restrictions_test_support.h"
#include "tests/unit/test_support.h"

using restrictions_test::load_error;
using restrictions_test::Policy;
using restrictions_test::Session;
using smtpd::Stage;

TEST_CASE("default configuration: no open relay", "[restrictions]") {
    const Policy policy;
    CHECK(policy.rcpt("x@gmail.com") == "454 4.7.1 <x@gmail.com>: Relay access denied");
    CHECK(policy.rcpt("alice@example.com").empty());
    CHECK(policy.rcpt("Alice@MX.Example.COM.").empty());
    CHECK(policy.rcpt("alice@[127.0.0.1]").empty());
    CHECK(policy.rcpt("x@[192.0.2.200]") == "454 4.7.1 <x@[192.0.2.200]>: Relay access denied");
    CHECK(policy.rcpt("postmaster").empty());
    CHECK(policy.rcpt("PostMaster").empty());
    // Sender-specified routing through one of our domains stays refused.
    CHECK(policy.rcpt("x@gmail.com@example.com") == "454 4.7.1 <x@gmail.com@example.com>: Relay access denied");
    CHECK(policy.rcpt("x%gmail.com@example.com") == "454 4.7.1 <x%gmail.com@example.com>: Relay access denied");
    CHECK(policy.rcpt("gmail.com!x@example.com") == "454 4.7.1 <gmail.com!x@example.com>: Relay access denied");

    Session inside;
    inside.client_address = "127.0.0.1";
    inside.recipient = "x@gmail.com";
    CHECK(policy.rcpt(inside).empty());
    inside.client_address = "::1";
    CHECK(policy.rcpt(inside).empty());
    Session authenticated;
    authenticated.recipient = "x@gmail.com";
    authenticated.sasl = true;
    CHECK(policy.rcpt(authenticated).empty());
    // The other stages have nothing to say by default.
    CHECK(policy.reply(Stage::Client, authenticated).empty());
    CHECK(policy.reply(Stage::Helo, authenticated).empty());
    CHECK(policy.reply(Stage::Sender, authenticated).empty());
    CHECK(policy.reply(Stage::Data, authenticated).empty());
    CHECK(policy.reply(Stage::EndOfData, authenticated).empty());
}

TEST_CASE("reject_unauth_destination, permit_auth_destination, relay_domains", "[restrictions]") {
    const Policy policy(
        "smtpd_relay_restrictions =\n"
        "smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination\n"
        "relay_domains = relay.example\n");
    CHECK(policy.rcpt("x@gmail.com") == "554 5.7.1 <x@gmail.com>: Relay access denied");
    CHECK(policy.rcpt("x@relay.example").empty());
    CHECK(policy.rcpt("x@sub.relay.example").empty());
    CHECK(policy.rcpt("x@relay.example.evil") == "554 5.7.1 <x@relay.example.evil>: Relay access denied");
    CHECK(policy.rcpt("x@gmail.com@relay.example") == "554 5.7.1 <x@gmail.com@relay.example>: Relay access denied");

    const Policy trusting("smtpd_relay_restrictions = reject_unauth_destination\nallow_untrusted_routing = yes\n"
                          "relay_domains = relay.example\n");
    CHECK(trusting.rcpt("x@gmail.com@relay.example").empty());

    const Policy codes("relay_domains_reject_code = 550\n"
                       "smtpd_relay_restrictions = permit_auth_destination, reject\n");
    CHECK(codes.rcpt("alice@example.com").empty());
    CHECK(codes.rcpt("x@gmail.com") == "554 5.7.1 <x@gmail.com>: Recipient address rejected: Access denied");
    const Policy relay_code("relay_domains_reject_code = 550\nsmtpd_relay_restrictions = reject_unauth_destination\n");
    CHECK(relay_code.rcpt("x@gmail.com") == "550 5.7.1 <x@gmail.com>: Relay access denied");
}

TEST_CASE("an open relay configuration does not load", "[restrictions]") {
    const std::string required =
        "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance "
        "of: reject_unauth_destination, defer_unauth_destination, reject, defer or defer_if_permit";
    CHECK(load_error("smtpd_relay_restrictions = permit_mynetworks\n") == required);
    CHECK(load_error("smtpd_relay_restrictions =\nsmtpd_recipient_restrictions = permit_mynetworks\n") == required);
    CHECK(load_error("smtpd_relay_restrictions = permit, reject_unauth_destination\n") == required);
    CHECK(load_error("smtpd_relay_restrictions = warn_if_reject reject_unauth_destination\n") == required);
    CHECK(load_error("smtpd_relay_restrictions = reject_unknown_client_hostname check_relay_domains\n") == required);
    // A class that holds one counts.
    const Policy with_class("smtpd_restriction_classes = guard\nguard = reject_unauth_destination\n"
                            "smtpd_relay_restrictions = permit_mynetworks, guard\n");
    CHECK(with_class.rcpt("x@gmail.com") == "554 5.7.1 <x@gmail.com>: Relay access denied");
}

TEST_CASE("configuration errors name the parameter", "[restrictions]") {
    CHECK(load_error("smtpd_client_restrictions = permit_everyone\n") ==
          "parameter smtpd_client_restrictions: unknown smtpd restriction: \"permit_everyone\"");
    CHECK(load_error("smtpd_sender_restrictions = check_sender_access\n") ==
          "parameter smtpd_sender_restrictions: restriction check_sender_access: missing maptype:mapname");
    CHECK(load_error("smtpd_sender_restrictions = check_sender_access permit\n") ==
          "parameter smtpd_sender_restrictions: restriction check_sender_access: missing maptype:mapname");
    CHECK(load_error("smtpd_helo_restrictions = reject_rbl_client\n") ==
          "parameter smtpd_helo_restrictions: restriction reject_rbl_client: missing argument");
    CHECK(load_error("smtpd_helo_restrictions = check_helo_access nosuch:/x\n").find(
              "parameter smtpd_helo_restrictions: ") == 0);
    CHECK(load_error("smtpd_helo_restrictions = check_helo_access hash:/nonexistent/access\n")
              .find("parameter smtpd_helo_restrictions: ") == 0);
    CHECK(load_error("smtpd_restriction_classes = undefined_class\n") ==
          "parameter smtpd_restriction_classes: restriction class `undefined_class' needs a definition");
    CHECK(load_error("relay_domains_reject_code = x\n").find("relay_domains_reject_code") != std::string::npos);
    CHECK(load_error("mynetworks = 192.0.2.1/24\n").find("perhaps you should use \"192.0.2.0/24\"") !=
          std::string::npos);
}

TEST_CASE("unsupported restrictions are skipped", "[restrictions]") {
    const Policy policy(
        "smtpd_client_restrictions = reject_unknown_client_hostname, reject_rbl_client zen.example\n"
        "smtpd_helo_restrictions = reject_unknown_helo_hostname, check_helo_mx_access inline:{ x=REJECT }\n"
        "smtpd_sender_restrictions = reject_unknown_sender_domain, reject_rhsbl_sender dbl.example\n"
        "smtpd_recipient_restrictions = reject_unknown_recipient_domain, check_policy_service inet:127.0.0.1:1\n");
    CHECK(policy.rcpt("alice@example.com").empty());
    CHECK(policy.rcpt("x@gmail.com") == "454 4.7.1 <x@gmail.com>: Relay access denied");
}

TEST_CASE("permit, reject, defer in every stage, with and without smtpd_delay_reject", "[restrictions]") {
    Session s;
    const Policy client("smtpd_client_restrictions = reject\n");
    CHECK(client.reply(Stage::Client, s).empty());  // delayed until RCPT
    CHECK(client.rcpt(s) == "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied");
    const Policy now("smtpd_delay_reject = no\nsmtpd_client_restrictions = reject\n");
    CHECK(now.reply(Stage::Client, s) == "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied");
    CHECK(now.rcpt(s).empty());  // smtpd keeps the client verdict; RCPT looks at its own lists

    s.client_name = "client.example.net";
    const Policy helo("smtpd_helo_restrictions = reject\n");
    CHECK(helo.rcpt(s) == "554 5.7.1 <client.example.net>: Helo command rejected: Access denied");
    s.helo.clear();
    CHECK(helo.rcpt(s).empty());  // no HELO given: nothing to reject
    s.helo = "client.example.net";

    const Policy sender("smtpd_sender_restrictions = defer\n");
    CHECK(sender.rcpt(s) == "450 4.3.2 <s@remote.example>: Sender address rejected: Try again later");
    const Policy sender_now("smtpd_delay_reject = no\nsmtpd_sender_restrictions = defer\ndefer_code = 421\n");
    CHECK(sender_now.reply(Stage::Sender, s) == "421 4.3.2 <s@remote.example>: Sender address rejected: Try again later");

    const Policy data("smtpd_data_restrictions = reject\nsmtpd_end_of_data_restrictions = defer\nreject_code = 550\n");
    CHECK(data.reply(Stage::Data, s) == "550 5.7.1 <DATA>: Data command rejected: Access denied");
    CHECK(data.reply(Stage::EndOfData, s) == "450 4.3.2 <END-OF-MESSAGE>: End-of-data rejected: Try again later");

    // "permit" ends its own list only.
    const Policy permit_then("smtpd_client_restrictions = permit\nsmtpd_recipient_restrictions = reject\n");
    CHECK(permit_then.rcpt(s) == "554 5.7.1 <alice@example.com>: Recipient address rejected: Access denied");
    const Policy permit_first("smtpd_recipient_restrictions = permit, reject\n");
    CHECK(permit_first.rcpt(s).empty());
}

TEST_CASE("defer_if_permit, defer_if_reject, warn_if_reject", "[restrictions]") {
    const Policy dip("smtpd_recipient_restrictions = defer_if_permit, permit\n");
    CHECK(dip.rcpt("alice@example.com") ==
          "450 4.7.0 <alice@example.com>: Recipient address rejected: defer_if_permit requested");
    const Policy dip_reject("smtpd_recipient_restrictions = defer_if_permit, reject\n");
    CHECK(dip_reject.rcpt("alice@example.com") ==
          "554 5.7.1 <alice@example.com>: Recipient address rejected: Access denied");
    // Raised in the client stage, it still turns the permitted recipient into a deferral.
    const Policy dip_client("smtpd_client_restrictions = defer_if_permit\n");
    CHECK(dip_client.rcpt("alice@example.com") ==
          "450 4.7.0 <unknown[192.0.2.1]>: Client host rejected: defer_if_permit requested");
    CHECK(dip_client.rcpt("x@gmail.com") == "454 4.7.1 <x@gmail.com>: Relay access denied");

    const Policy dir("smtpd_recipient_restrictions = defer_if_reject, reject\n");
    CHECK(dir.rcpt("alice@example.com") ==
          "450 4.7.0 <alice@example.com>: Recipient address rejected: defer_if_reject requested");
    const Policy dir_permit("smtpd_recipient_restrictions = defer_if_reject, permit\n");
    CHECK(dir_permit.rcpt("alice@example.com").empty());
    const Policy dir_defer("smtpd_recipient_restrictions = defer_if_reject, defer\n");
    CHECK(dir_defer.rcpt("alice@example.com") ==
          "450 4.3.2 <alice@example.com>: Recipient address rejected: Try again later");

    const Policy warn("smtpd_recipient_restrictions = warn_if_reject reject, warn_if_reject reject_non_fqdn_sender\n");
    CHECK(warn.rcpt("alice@example.com").empty());
    const Policy warn_once("smtpd_recipient_restrictions = warn_if_reject, reject_non_fqdn_recipient, reject\n");
    CHECK(warn_once.rcpt("alice@example.com") ==
          "554 5.7.1 <alice@example.com>: Recipient address rejected: Access denied");
}

TEST_CASE("permit_mynetworks, permit_inet_interfaces, permit_sasl_authenticated", "[restrictions]") {
    const Policy policy(
        "mynetworks = 198.51.100.0/24, [2001:db8::]/32\n"
        "smtpd_relay_restrictions = permit_mynetworks, permit_inet_interfaces, permit_sasl_authenticated, reject\n");
    Session s;
    s.recipient = "x@gmail.com";
    CHECK(policy.rcpt(s) == "554 5.7.1 <x@gmail.com>: Recipient address rejected: Access denied");
    s.client_address = "198.51.100.9";
    CHECK(policy.rcpt(s).empty());
    s.client_address = "2001:db8::25";
    CHECK(policy.rcpt(s).empty());
    s.client_address = "::ffff:198.51.100.9";
    CHECK(policy.rcpt(s).empty());
    s.client_address = "127.0.0.1";  // not mynetworks here, but our own interface
    CHECK(policy.rcpt(s).empty());
    s.client_address = "192.0.2.1";
    s.sasl = true;
    CHECK(policy.rcpt(s).empty());
}

TEST_CASE("reject_non_fqdn_sender, reject_non_fqdn_recipient", "[restrictions]") {
    const Policy policy(
        "smtpd_sender_restrictions = reject_non_fqdn_sender\n"
        "smtpd_recipient_restrictions = reject_non_fqdn_recipient\n"
        "relay_domains = localhost.localdomain\n");
    Session s;
    CHECK(policy.rcpt(s).empty());
    s.sender = "user@localhost";
    CHECK(policy.rcpt(s) == "504 5.5.2 <user@localhost>: Sender address rejected: need fully-qualified address");
    s.sender = "user";
    CHECK(policy.rcpt(s) == "504 5.5.2 <user>: Sender address rejected: need fully-qualified address");
    s.sender = "user@[192.0.2.1]";
    CHECK(policy.rcpt(s).empty());
    s.sender = "user@host.example.";
    CHECK(policy.rcpt(s).empty());
    s.sender = "";  // the null sender is fine
    CHECK(policy.rcpt(s).empty());
    s.recipient = "alice@localhost";
    CHECK(policy.rcpt(s) == "504 5.5.2 <alice@localhost>: Recipient address rejected: need fully-qualified address");
    s.recipient = "alice@localhost.localdomain";
    CHECK(policy.rcpt(s).empty());
}

TEST_CASE("reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname", "[restrictions]") {
    const Policy invalid("smtpd_helo_restrictions = reject_invalid_helo_hostname\n");
    const Policy fqdn("smtpd_helo_restrictions = reject_non_fqdn_helo_hostname\n");
    Session s;
    for (const char* good : {"client.example.net", "client.example.net.", "[192.0.2.1]", "[IPv6:2001:db8::1]"}) {
        s.helo = good;
        CHECK(invalid.rcpt(s).empty());
        CHECK(fqdn.rcpt(s).empty());
    }
    s.helo = "bad_host!";
    CHECK(invalid.rcpt(s) == "501 5.5.2 <bad_host!>: Helo command rejected: Invalid name");
    s.helo = "localhost";
    CHECK(invalid.rcpt(s).empty());
    CHECK(fqdn.rcpt(s) == "504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname");
    s.helo = "192.0.2.1";
    CHECK(invalid.rcpt(s).empty());
    CHECK(fqdn.rcpt(s) == "504 5.5.2 <192.0.2.1>: Helo command rejected: need fully-qualified hostname");
    s.helo = "[192.0.2.300]";
    CHECK(invalid.rcpt(s) == "501 5.5.2 <[192.0.2.300]>: Helo command rejected: invalid ip address");
    CHECK(fqdn.rcpt(s) == "501 5.5.2 <[192.0.2.300]>: Helo command rejected: invalid ip address");
    s.helo = "-bad.example";
    CHECK(invalid.rcpt(s) == "501 5.5.2 <-bad.example>: Helo command rejected: Invalid name");
    s.helo = std::string(64, 'a') + ".example";
    CHECK_FALSE(invalid.rcpt(s).empty());
    s.helo = "bad\x01name";
    CHECK(invalid.rcpt(s) == "501 5.5.2 <bad name>: Helo command rejected: Invalid name");
}

TEST_CASE("restriction classes", "[restrictions]") {
    const Policy policy(
        "smtpd_restriction_classes = strict, loop\n"
        "strict = reject_non_fqdn_sender, reject\n"
        "loop = loop\n"
        "smtpd_recipient_restrictions = check_recipient_access inline:{ bob@example.com=strict, "
        "carol@example.com=loop }\n"
        "local_recipient_maps =\n");
    CHECK(policy.rcpt("alice@example.com").empty());
    CHECK(policy.rcpt("bob@example.com") == "554 5.7.1 <bob@example.com>: Recipient address rejected: Access denied");
    CHECK(policy.rcpt("carol@example.com") == "451 4.3.5 Server configuration error");
}
