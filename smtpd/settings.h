// smtpd/settings.h - the main.cf parameters smtpd reads, checked once at start
//
// SYNOPSIS
//     tern::Result<smtpd::Settings> s = smtpd::load_settings(tern::config());
//     s->timeout_ms; s->banner; s->message_size_limit; ...
// DESCRIPTION
//     One place that turns every parameter smtpd uses into a typed value
//     (man/man8/smtpd.8 lists them): the protocol and session code never
//     look at main.cf themselves, so unit tests build a Settings by hand.
//     Parameters tern's table does not know yet
//     (smtpd_client_event_limit_exceptions,
//     smtpd_forbid_bare_newline_reject_code) get Postfix's default here.
// ERRORS
//     A value the table refuses gives the config's "FILE, line N:
//     parameter NAME: reason" error; smtpd stops at start.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/smtp_command.h"

namespace smtpd {

struct Settings {
    std::string myhostname = "localhost";
    std::string banner = "localhost ESMTP tern";     // smtpd_banner, expanded
    std::uint64_t message_size_limit = 10240000;     // 0: none
    std::size_t line_length_limit = 2048;
    long long recipient_limit = 1000;
    long long timeout_ms = 300000;
    long long soft_error_limit = 10;
    long long hard_error_limit = 20;
    long long error_sleep_ms = 1000;
    bool disable_vrfy = false;
    bool helo_required = false;
    bool smtputf8_enable = true;
    bool strict_rfc821_envelopes = false;
    bool strict_smtputf8 = false;
    bool forbid_bare_newline = true;
    std::vector<std::string> bare_newline_exclusions;  // networks
    long long connection_count_limit = 50;             // 0: none
    long long connection_rate_limit = 0;               // 0: none
    long long rate_time_unit_s = 60;
    std::vector<std::string> event_limit_exceptions;   // networks
    std::vector<std::string> discard_ehlo_keywords;
    std::string queue_directory = "/var/spool/tern";
};

[[nodiscard]] tern::Result<Settings> load_settings(const tern::Config& config);

// What the command parser needs to know from the settings.
[[nodiscard]] tern::CommandOptions command_options(const Settings& settings) noexcept;

}  // namespace smtpd
