// lib/mail/bounce_protocol.h - qmgr asks bounce(8) to send the delivery status notifications of a message
//
// SYNOPSIS
//     tern::AttrList ask;
//     ask.add(tern::kBounceRequest, tern::kBounceRequestFlush).add(tern::kBounceQueueId, id)
//        .add(tern::kBounceQueueName, "active");
//     // connect private/bounce, write, read the answer: status=0 or status=4 reason=...
// DESCRIPTION
//     bounce listens on private/bounce (master.cf "bounce unix - - n - 0
//     bounce"). One connection carries one request and one answer, both
//     lib/mail/attr.h messages. The queue file stays where qmgr has it
//     (queue_name/queue_id) while bounce reads it.
//       request=flush queue_name=Q queue_id=ID
//           The bounce log bounce/ID (lib/mail/delivery_log.h) holds
//           failed and delivered records. bounce sends one DSN for the
//           failed ones whose NOTIFY allows it (none given, or FAILURE)
//           and one for the delivered ones that asked NOTIFY=SUCCESS,
//           each through cleanup with the null sender, then removes the
//           log. Sender null: the failure report goes to
//           2bounce_notice_recipient instead (double bounce), unless the
//           message itself is a double bounce (sender
//           double_bounce_sender), which is only logged: never a loop.
//       request=expire queue_name=Q queue_id=ID
//           The message expired: every recipient still to do failed
//           with the newest defer log reason (status 4.4.7 kept as the
//           deferral said, action failed). Like flush, then bounce also
//           writes the failed records to the bounce log first so a crash
//           repeats the notice rather than losing it. qmgr then removes
//           the message and logs "ID: from=<S>, status=expired, returned
//           to sender".
//       request=delay queue_name=Q queue_id=ID
//           delay_warning_time passed: one "delayed" DSN for the
//           recipients in the defer log whose NOTIFY allows it (none
//           given, or DELAY). Nothing is removed.
//     Answer: status=0 when the notices are queued durably in incoming/
//     (or none were due); status=4 reason=TEXT when not (cleanup down,
//     log unreadable): qmgr keeps the message and asks again later.
//     bounce logs each notice as Postfix does:
//       "ID: sender non-delivery notification: NEWID"
//       "ID: sender delivery status notification: NEWID"
//       "ID: sender delay notification: NEWID"
//       "ID: postmaster non-delivery notification: NEWID"
// LIMITS
//     Answers and requests use kBounceAttrLimits.
#pragma once

#include <string_view>

#include "lib/mail/attr.h"

namespace tern {

inline constexpr std::string_view kBounceSocketPath = "private/bounce";
inline constexpr std::string_view kBounceRequest = "request";
inline constexpr std::string_view kBounceRequestFlush = "flush";
inline constexpr std::string_view kBounceRequestExpire = "expire";
inline constexpr std::string_view kBounceRequestDelay = "delay";
inline constexpr std::string_view kBounceQueueName = "queue_name";
inline constexpr std::string_view kBounceQueueId = "queue_id";
inline constexpr std::string_view kBounceStatus = "status";
inline constexpr std::string_view kBounceReason = "reason";

inline constexpr AttrLimits kBounceAttrLimits{
    .max_attributes = 8,
    .max_name_bytes = 20,
    .max_value_bytes = 4096,
    .max_message_bytes = 16 * 1024,
};

}  // namespace tern
