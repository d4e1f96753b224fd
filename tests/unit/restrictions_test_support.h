// tests/unit/restrictions_test_support.h - a throw-away policy and session for the restrictions tests
//
// SYNOPSIS
//     restrictions_test::Policy policy("smtpd_recipient_restrictions = reject_unauth_destination\n");
//     restrictions_test::Session s;           // unknown[192.0.2.1], EHLO client.example.net, MAIL FROM s@remote.example
//     s.recipient = "x@gmail.com";
//     CHECK(policy.reply(smtpd::Stage::Recipient, s) == "554 5.7.1 <x@gmail.com>: Relay access denied");
// DESCRIPTION
//     Policy loads smtpd::Restrictions from kBaseMainCf plus the given
//     lines (later lines win); load_error() returns the load error text.
//     reply() is the verdict's reply, "" when accepted.
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "lib/mail/config.h"
#include "smtpd/restrictions.h"

namespace restrictions_test {

inline constexpr std::string_view kBaseMainCf =
    "myhostname = mx.example.com\n"
    "mydomain = example.com\n"
    "myorigin = example.com\n"
    "mydestination = $myhostname, localhost, example.com\n"
    "inet_interfaces = loopback-only\n"
    "alias_maps =\n"
    "local_recipient_maps = inline:{ alice=1, bob=1 }\n";

struct Session {
    std::string client_name = "unknown";
    std::string client_address = "192.0.2.1";
    std::string helo = "client.example.net";
    std::string sender = "s@remote.example";
    bool sender_given = true;
    std::string recipient = "alice@example.com";
    bool sasl = false;

    [[nodiscard]] smtpd::PolicyContext context() const {
        smtpd::PolicyContext c;
        c.client_name = client_name;
        c.client_address = client_address;
        c.helo_name = helo;
        c.sender = sender;
        c.sender_given = sender_given;
        c.recipient = recipient;
        c.protocol = "ESMTP";
        c.sasl_authenticated = sasl;
        return c;
    }
};

inline tern::Config make_config(std::string_view extra) {
    tern::Result<tern::Config> config = tern::Config::parse(std::string(kBaseMainCf) + std::string(extra), "main.cf");
    REQUIRE(config);
    return std::move(*config);
}

class Policy {
public:
    explicit Policy(std::string_view extra = "") {
        tern::Result<smtpd::Restrictions> loaded = smtpd::Restrictions::load(make_config(extra));
        if (!loaded) FAIL("load: " << loaded.error().describe());
        restrictions_.emplace(std::move(*loaded));
    }
    [[nodiscard]] std::string reply(smtpd::Stage stage, const Session& session) const {
        return restrictions_->check(stage, session.context()).reply;
    }
    [[nodiscard]] std::string rcpt(const Session& session) const { return reply(smtpd::Stage::Recipient, session); }
    [[nodiscard]] std::string rcpt(std::string_view recipient) const {
        Session session;
        session.recipient = std::string(recipient);
        return rcpt(session);
    }

private:
    std::optional<smtpd::Restrictions> restrictions_;
};

inline std::string load_error(std::string_view extra) {
    tern::Result<smtpd::Restrictions> loaded = smtpd::Restrictions::load(make_config(extra));
    REQUIRE_FALSE(loaded);
    return loaded.error().describe();
}

}  // namespace restrictions_test
