// local/handoff.h - hand one recipient to another transport (mailbox_transport, fallback_transport)
//
// SYNOPSIS
//     local::TransportSpec t = local::parse_transport_spec("lmtp:unix:private/dovecot-lmtp", "example.com");
//     tern::AgentOutcome o = local::hand_off(settings, msg, recipient, "joe@example.com", t);
// DESCRIPTION
//     As Postfix's deliver_pass(): local sends a delivery request of
//     lib/mail/delivery_protocol.h for this one recipient to
//     QUEUE_DIRECTORY/private/TRANSPORT and waits for the answer. The
//     request names the same queue file and the recipient's status
//     record, so the other agent logs the recipient's line, writes the
//     bounce/defer records and marks it done; the outcome comes back with
//     recorded_elsewhere = true and local only reports it to qmgr.
//     "transport:nexthop" gives the next hop; without one it is the
//     request's own next hop (the recipient's domain).
// ERRORS
//     A transport that cannot be reached or answers badly defers the
//     recipient (recorded here, not elsewhere): "mail transport
//     unavailable".
// LIMITS
//     The wait is bounded by ipc_timeout.
#pragma once

#include <string>
#include <string_view>

#include "lib/mail/delivery_agent.h"
#include "local/context.h"
#include "local/settings.h"

namespace local {

struct TransportSpec {
    std::string transport;
    std::string nexthop;
    bool operator==(const TransportSpec&) const = default;
};

[[nodiscard]] TransportSpec parse_transport_spec(std::string_view value, std::string_view default_nexthop);
[[nodiscard]] tern::AgentOutcome hand_off(const Settings& settings, const MessageInfo& msg,
                                          const tern::DeliveryRecipient& recipient, const std::string& address,
                                          const TransportSpec& transport);

}  // namespace local
