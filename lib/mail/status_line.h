// lib/mail/status_line.h - the "to=<...>, relay=..., status=..." log line of one recipient
//
// SYNOPSIS
//     tern::log_recipient_status({.queue_id = id, .recipient = "b@example.com", .orcpt = "rfc822;B@example.com",
//                                 .relay = "local", .arrival = a, .active_since = s, .received = r,
//                                 .conn_setup_s = 0, .transmit_s = 0.02, .dsn = "2.0.0",
//                                 .status = tern::DeliveryStatus::Sent, .reason = "delivered to maildir"});
// DESCRIPTION
//     Writes Postfix's line (DESIGN.md section 6) through lib/base/log.h at
//     info level:
//       ID: to=<b@example.com>, orig_to=<B@example.com>, relay=local, delay=0.12,
//           delays=0.01/0/0/0.11, dsn=2.0.0, status=sent (delivered to maildir)
//     orig_to appears when the ORCPT address (after "rfc822;", xtext
//     decoded) differs from the recipient. delay is now - arrival; delays
//     are a = active_since - arrival, b = received - active_since (time in
//     qmgr and on the way to the agent), c = conn_setup_s, d = transmit_s;
//     each printed with format_delay (lib/mail/delivery_agent.h): Postfix's
//     precision (0 as "0", under 0.1 with two significant digits such as
//     "0.01", under 10 with one decimal, else whole seconds). Negative
//     values print as 0. Used by the agent skeleton for every recipient and
//     by qmgr for recipients it defers itself.
#pragma once

#include <sys/time.h>

#include <string_view>

#include "lib/mail/delivery_protocol.h"

namespace tern {

struct RecipientStatusLine {
    std::string_view queue_id;
    std::string_view recipient;
    std::string_view orcpt;  // "" when none
    std::string_view relay;  // "none" when there was no connection
    timeval arrival{};
    timeval active_since{};
    timeval received{};
    double conn_setup_s = 0;
    double transmit_s = 0;
    std::string_view dsn;
    DeliveryStatus status = DeliveryStatus::Deferred;
    std::string_view reason;
};

void log_recipient_status(const RecipientStatusLine& line);

}  // namespace tern
