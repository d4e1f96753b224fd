// qmgr/backoff.cpp - back-off and expiry arithmetic (see backoff.h)
#include "qmgr/backoff.h"

#include <algorithm>

namespace qmgr {

std::int64_t backoff_delay_s(std::int64_t now_s, std::int64_t arrival_s, const BackoffPolicy& policy) noexcept {
    const std::int64_t in_queue_s = arrival_s > 0 && now_s > arrival_s ? now_s - arrival_s : 0;
    const std::int64_t floor_s = std::max<std::int64_t>(policy.minimal_s, 0);
    const std::int64_t ceiling_s = std::max(policy.maximal_s, floor_s);
    return std::clamp(in_queue_s, floor_s, ceiling_s);
}

tern::Schedule next_schedule(std::int64_t now_s, std::int64_t arrival_s, const tern::Schedule& previous,
                             const BackoffPolicy& policy) noexcept {
    const std::int64_t delay_s = backoff_delay_s(now_s, arrival_s, policy);
    const std::int64_t next_s =
        now_s > tern::kMaxScheduleSeconds - delay_s ? tern::kMaxScheduleSeconds : std::max<std::int64_t>(now_s + delay_s, 0);
    const std::uint32_t attempts =
        previous.attempts >= tern::kMaxScheduleAttempts ? tern::kMaxScheduleAttempts : previous.attempts + 1;
    return {.next_attempt_s = next_s, .attempts = attempts};
}

bool is_bounce_sender(std::string_view sender, std::string_view double_bounce_sender) noexcept {
    if (sender.empty()) return true;
    if (double_bounce_sender.empty() || !sender.starts_with(double_bounce_sender)) return false;
    return sender.size() == double_bounce_sender.size() || sender[double_bounce_sender.size()] == '@';
}

std::int64_t queue_lifetime_s(std::string_view sender, const Lifetimes& lifetimes) noexcept {
    return is_bounce_sender(sender, lifetimes.double_bounce_sender) ? lifetimes.bounce_s : lifetimes.maximal_s;
}

bool is_expired(std::int64_t now_s, std::int64_t arrival_s, std::int64_t lifetime_s) noexcept {
    if (lifetime_s <= 0) return true;
    if (arrival_s > 0 && lifetime_s > INT64_MAX - arrival_s) return false;
    return now_s >= arrival_s + lifetime_s;
}

bool delay_warning_due(std::int64_t now_s, const tern::QueueFile& file, std::int64_t delay_warning_s,
                       const Lifetimes& lifetimes) noexcept {
    if (delay_warning_s <= 0 || file.warning_offset == 0 || file.warning_sent_s != 0) return false;
    if (is_bounce_sender(file.sender, lifetimes.double_bounce_sender)) return false;
    const std::int64_t arrival_s = file.arrival.tv_sec;
    if (arrival_s > 0 && delay_warning_s > INT64_MAX - arrival_s) return false;
    return now_s >= arrival_s + delay_warning_s;
}

}  // namespace qmgr
