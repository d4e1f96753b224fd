// smtp/settings.h - the smtp_* (or lmtp_*) parameters one client process works with
//
// SYNOPSIS
//     smtp::Settings s = smtp::load_settings(smtp::Dialect::Lmtp, tern::config());   // lmtp_* names
//     long long ms = s.timeout_ms(smtp::Stage::Rcpt);                                // lmtp_rcpt_timeout
// DESCRIPTION
//     Postfix's smtp(8) reads smtp_* parameters, and the same program run
//     as lmtp(8) reads the lmtp_* ones (lmtp_lhlo_name, lmtp_lhlo_timeout
//     instead of *_helo_*). Read once, after main.cf is loaded and before
//     the loop; a value that does not parse keeps the built-in default
//     (main.cf was checked against the table at load).
// LIMITS
//     A timeout of 0 (lmtp_connect_timeout's default) means kNoTimeoutS.
#pragma once

#include <string>

#include "lib/mail/config.h"
#include "lib/mail/dns.h"
#include "smtp/nexthop.h"
#include "smtp/protocol.h"

namespace smtp {

inline constexpr long long kNoTimeoutS = 3600;

struct Settings {
    Dialect dialect = Dialect::Smtp;
    std::string prefix = "smtp";
    std::string helo_name;
    std::string default_port = "smtp";
    std::string myhostname;
    std::string queue_directory;
    std::string socket_base;  // prefix for relative unix: paths; "" when chrooted into the queue
    bool skip_5xx_greeting = true;
    long long connect_timeout_s = 30, helo_timeout_s = 300, mail_timeout_s = 300, rcpt_timeout_s = 300;
    long long data_init_timeout_s = 120, data_xfer_timeout_s = 180, data_done_timeout_s = 600;
    long long rset_timeout_s = 20, quit_timeout_s = 300;
    long long mx_address_limit = 5, mx_session_limit = 2;
    bool cache_on_demand = true;
    long long cache_time_limit_s = 2, reuse_time_limit_s = 300, reuse_count_limit = 0;
    bool ipv4 = true, ipv6 = true;
    tern::ResolverConfig resolver;

    [[nodiscard]] long long timeout_ms(Stage stage) const noexcept;
};

[[nodiscard]] Settings load_settings(Dialect dialect, const tern::Config& config);

}  // namespace smtp
