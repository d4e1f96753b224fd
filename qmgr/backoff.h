// qmgr/backoff.h - when a deferred message is tried again, when it expires, when its sender is warned
//
// SYNOPSIS
//     std::int64_t delay_s = qmgr::backoff_delay_s(now_s, arrival_s, {.minimal_s = 300, .maximal_s = 4000});
//     tern::Schedule next = qmgr::next_schedule(now_s, arrival_s, file.schedule, policy);
//     std::int64_t life_s = qmgr::queue_lifetime_s(sender, lifetimes);
//     bool gone = qmgr::is_expired(now_s, arrival_s, life_s);
//     bool warn = qmgr::delay_warning_due(now_s, file, settings.delay_warning_s, lifetimes);
// DESCRIPTION
//     Postfix's rule (qmgr_active.c): a message that still has recipients
//     to try waits as long as it has been in the queue, at least
//     minimal_backoff_time and at most maximal_backoff_time. So the
//     waits roughly double from one attempt to the next, and messages
//     that were deferred together drift apart instead of coming back as
//     one spike. The next attempt time goes into the queue file's
//     schedule record (with the attempt count) and, as Postfix does,
//     into the deferred file's mtime, which the deferred scan compares.
//     A message expires when now >= arrival + lifetime: maximal_queue_lifetime,
//     or bounce_queue_lifetime for mail from the null sender or from
//     double_bounce_sender (a bounce must not wait days to fail again).
//     A lifetime of 0 returns the message after its first attempt.
//     A deferred message is due for its one delay notice (Postfix's
//     delay_warning_time) when delay_warning_time is not 0, now >= arrival
//     + delay_warning_time, its file has a delay warning record
//     (queue_record.h) that says none was sent, and its sender is not a
//     bounce sender (no notice about a notice).
// LIMITS
//     Pure arithmetic, no I/O; results are clamped to what a schedule
//     record can hold (tern::kMaxScheduleSeconds, kMaxScheduleAttempts).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/mail/queue_file.h"
#include "lib/mail/queue_record.h"

namespace qmgr {

struct BackoffPolicy {
    std::int64_t minimal_s = 300;  // minimal_backoff_time
    std::int64_t maximal_s = 4000; // maximal_backoff_time
};

struct Lifetimes {
    std::int64_t maximal_s = 5 * 86400;      // maximal_queue_lifetime
    std::int64_t bounce_s = 5 * 86400;       // bounce_queue_lifetime
    std::string double_bounce_sender = "double-bounce";
};

// Seconds until the next attempt: time in queue clamped to [minimal, maximal].
[[nodiscard]] std::int64_t backoff_delay_s(std::int64_t now_s, std::int64_t arrival_s,
                                           const BackoffPolicy& policy) noexcept;
// {now + delay, attempts + 1}, clamped to the schedule record's range.
[[nodiscard]] tern::Schedule next_schedule(std::int64_t now_s, std::int64_t arrival_s, const tern::Schedule& previous,
                                           const BackoffPolicy& policy) noexcept;
// True for the null sender and for double_bounce_sender (bare or with a domain).
[[nodiscard]] bool is_bounce_sender(std::string_view sender, std::string_view double_bounce_sender) noexcept;
[[nodiscard]] std::int64_t queue_lifetime_s(std::string_view sender, const Lifetimes& lifetimes) noexcept;
[[nodiscard]] bool is_expired(std::int64_t now_s, std::int64_t arrival_s, std::int64_t lifetime_s) noexcept;
[[nodiscard]] bool delay_warning_due(std::int64_t now_s, const tern::QueueFile& file, std::int64_t delay_warning_s,
                                     const Lifetimes& lifetimes) noexcept;

}  // namespace qmgr
