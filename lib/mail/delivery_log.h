// lib/mail/delivery_log.h - per-message logs of recipient delivery status: bounce/ID and defer/ID
//
// SYNOPSIS
//     tern::DeliveryRecord r{.recipient = "b@example.com", .offset = 123, .action = "failed",
//                            .status = "5.1.1", .reason = "unknown user", ...};
//     tern::Status s = tern::append_delivery_records("", tern::DeliveryLog::Bounce, id, {&r, 1}, true);
//     tern::Result<std::vector<tern::DeliveryRecord>> all =
//         tern::read_delivery_log("", tern::DeliveryLog::Defer, id);
//     tern::Status gone = tern::remove_delivery_log("", tern::DeliveryLog::Bounce, id);
// DESCRIPTION
//     Two logs per message, named by queue ID below queue_directory:
//       bounce/ID  recipients that failed for good (action failed) and
//                  delivered ones that asked for NOTIFY=SUCCESS (action
//                  delivered, relayed or expanded): bounce(8) turns them
//                  into DSNs, then removes the log.
//       defer/ID   recipients that were deferred (action delayed), the
//                  newest record per recipient winning: mailq shows its
//                  reason, bounce(8) uses it for delay warnings and for
//                  the bounce when the message expires. Removed with the
//                  queue file.
//     A record is one lib/mail/attr.h message (names below); a log is the
//     records appended one after another. Every append is one write() to
//     a file opened O_APPEND, so agents delivering different recipients
//     of one message at the same time never interleave records; a torn
//     last record (crash mid-write) is ignored by the reader.
//     append with durable=true fsyncs before it returns: a bounce record
//     must be on disk before the recipient is marked done.
//     queue_directory "" means paths relative to the current directory
//     (chrooted daemons).
// LIMITS
//     read_delivery_log reads at most kMaxDeliveryLogBytes and
//     kMaxDeliveryLogRecords records.
// ERRORS
//     Temporary: open, write, fsync or read failed (errno kept), naming the
//     file. read_delivery_log on a missing log returns an empty vector;
//     remove_delivery_log on a missing log succeeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace tern {

inline constexpr std::size_t kMaxDeliveryLogBytes = 16 * 1024 * 1024;
inline constexpr std::size_t kMaxDeliveryLogRecords = 200'000;

enum class DeliveryLog { Bounce, Defer };

struct DeliveryRecord {
    std::string recipient;     // attr "recipient": the address delivered to
    std::string orcpt;         // "orcpt": DSN ORCPT, "" when none
    unsigned notify = 0;       // "notify": kDsnNotify* bits, 0 = none given
    std::uint64_t offset = 0;  // "offset": status record offset in the queue file
    std::string action;        // "action": failed, delayed, delivered, relayed, expanded
    std::string status;        // "status": RFC 3463 code, "5.1.1"
    std::string reason;        // "reason": text as in the log line's parentheses
    std::string remote_mta;    // "remote_mta": host name for Remote-MTA:, "" for none
    std::string diagnostic;    // "diagnostic": full Diagnostic-Code value "smtp; 550 5.1.1 ...", "" for none
    std::int64_t time_s = 0;   // "time": seconds since the epoch
    bool operator==(const DeliveryRecord&) const = default;
};

[[nodiscard]] std::string delivery_log_path(std::string_view queue_directory, DeliveryLog log,
                                            std::string_view queue_id);
[[nodiscard]] Status append_delivery_records(std::string_view queue_directory, DeliveryLog log,
                                             std::string_view queue_id, std::span<const DeliveryRecord> records,
                                             bool durable);
[[nodiscard]] Result<std::vector<DeliveryRecord>> read_delivery_log(std::string_view queue_directory,
                                                                    DeliveryLog log, std::string_view queue_id);
[[nodiscard]] Status remove_delivery_log(std::string_view queue_directory, DeliveryLog log,
                                         std::string_view queue_id);

// The newest record per recipient (by offset, then address), in first-seen order.
[[nodiscard]] std::vector<DeliveryRecord> newest_per_recipient(const std::vector<DeliveryRecord>& records);

}  // namespace tern
