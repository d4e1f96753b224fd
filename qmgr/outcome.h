// qmgr/outcome.h - settle recipients: from an agent's reply, or by qmgr itself (defer, bounce)
//
// SYNOPSIS
//     qmgr::apply_reply(message, batch.recipients, reply);
//     qmgr::defer_recipients(message, indices, "4.3.0", "mail transport unavailable", now);
//     qmgr::bounce_recipient(message, index, "5.1.3", "bad address syntax", soft_bounce, now);
// DESCRIPTION
//     An agent's reply only updates qmgr's memory: the agent has logged,
//     written the delivery logs and marked the file. When qmgr settles a
//     recipient itself (no agent reachable, an agent that died or
//     refused the request, a dead destination or transport, a resolver
//     error) it does the agent's part: the defer log record (action
//     delayed) or the bounce log record (action failed, fsync'ed before
//     the recipient is marked done, then the queue file fsync'ed), and
//     the "ID: to=<...>, relay=none, ..., status=deferred (REASON)" line.
//     soft_bounce turns qmgr's own bounces into deferrals (5.x.x -> 4.x.x).
// ERRORS
//     A delivery log that cannot be written is logged as a warning; a
//     bounce that cannot be recorded becomes a deferral, never a loss.
#pragma once

#include <sys/time.h>

#include <cstddef>
#include <span>
#include <string_view>

#include "lib/mail/delivery_protocol.h"
#include "qmgr/message.h"

namespace qmgr {

inline constexpr std::string_view kQmgrDeferDsn = "4.3.0";

void apply_reply(ActiveMessage& message, std::span<const std::size_t> indices, const tern::DeliveryReply& reply);
void defer_recipients(ActiveMessage& message, std::span<const std::size_t> indices, std::string_view dsn,
                      std::string_view reason, const timeval& now);
void bounce_recipient(ActiveMessage& message, std::size_t index, std::string_view dsn, std::string_view reason,
                      bool soft_bounce, const timeval& now);

}  // namespace qmgr
