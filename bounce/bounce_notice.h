// bounce/bounce_notice.h - decide which notices a flush, expire or delay request sends, and to whom
//
// SYNOPSIS
//     bounce::Plan plan = bounce::plan_notices(bounce::RequestKind::Flush, queue_file,
//                                              bounce_log_records, defer_log_records, settings, now);
//     for (const bounce::Notice& n : plan.notices) send n.records to n.to from n.envelope_sender;
//     plan.append_to_bounce_log   // expire: the failed records to make durable first
//     plan.remove_bounce_log      // flush, expire: remove bounce/ID once every notice is queued
// DESCRIPTION
//     A pure function of the queue file's envelope and the two logs
//     (lib/mail/delivery_log.h), following lib/mail/bounce_protocol.h and
//     Postfix's bounce_notify_service.c:
//     - flush: the failed records of the bounce log whose NOTIFY allows it
//       (none given, or FAILURE) go to the sender in one failure report
//       with the null envelope sender; delivered/relayed/expanded records
//       that asked NOTIFY=SUCCESS go in one success report.
//     - expire: every recipient still to do fails with its newest defer
//       log record (status and reason kept, action failed; status 4.4.7
//       "message expired" when it has none), unless the bounce log holds it
//       already; those records are appended to the bounce log, then as flush.
//     - delay: the newest defer record of each recipient still to do whose
//       NOTIFY allows it (none given, or DELAY) in one delay report.
//     Null sender: the failure report goes to 2bounce_notice_recipient as
//     a postmaster copy with envelope sender double_bounce_sender@myorigin
//     and every failed record; no success or delay report. A message from
//     double_bounce_sender (bare or @myorigin/@myhostname) gets no notice
//     at all (discard_double_bounce is set): a notice about a notice
//     could loop. (Postfix sends that double bounce only when
//     notify_classes has bounce or 2bounce; the contract always sends it.)
//     notify_classes: "bounce" adds a postmaster copy of every sender
//     failure report (headers only) to bounce_notice_recipient, "delay" one
//     of every delay report to delay_notice_recipient, both from
//     double_bounce_sender, both optional: their failure is only logged.
// LIMITS
//     At most four notices per request; records come from logs already
//     bounded by kMaxDeliveryLogRecords.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bounce/bounce_dsn.h"
#include "lib/mail/delivery_log.h"
#include "lib/mail/queue_file.h"

namespace bounce {

enum class RequestKind { Flush, Expire, Delay };

struct NoticeSettings {
    std::string myhostname{};
    std::string myorigin{};
    std::string double_bounce_sender = "double-bounce";
    std::string double_bounce_recipient = "postmaster";  // 2bounce_notice_recipient
    std::string bounce_recipient = "postmaster";         // bounce_notice_recipient
    std::string delay_recipient = "postmaster";          // delay_notice_recipient
    bool notify_bounce = false;                          // notify_classes has "bounce"
    bool notify_delay = false;                           // notify_classes has "delay"
};

struct Notice {
    DsnKind kind = DsnKind::Failure;
    bool postmaster_copy = false;
    std::string envelope_sender{};  // "" (null) or double_bounce_sender@myorigin
    std::string to{};
    std::vector<tern::DeliveryRecord> records{};
    std::string log_label{};        // "sender non-delivery notification", ...
    bool headers_only = false;      // part 3 carries only the original's headers
    bool optional = false;          // a failure is logged, not retried (notify_classes copies)
};

struct Plan {
    std::vector<Notice> notices{};
    std::vector<tern::DeliveryRecord> append_to_bounce_log{};
    bool remove_bounce_log = false;
    bool discard_double_bounce = false;  // failures of a double bounce: only logged
};

[[nodiscard]] Plan plan_notices(RequestKind kind, const tern::QueueFile& file,
                                const std::vector<tern::DeliveryRecord>& bounce_log,
                                const std::vector<tern::DeliveryRecord>& defer_log, const NoticeSettings& settings,
                                std::int64_t now_s);

// True when sender is double_bounce_sender, bare or at myorigin or myhostname.
[[nodiscard]] bool is_double_bounce_sender(std::string_view sender, const NoticeSettings& settings);

// The address with "@myorigin" appended when it has no domain.
[[nodiscard]] std::string qualify(std::string_view address, std::string_view myorigin);

}  // namespace bounce
