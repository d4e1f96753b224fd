// bounce/bounce_notice.cpp - which notices a request sends (see bounce_notice.h)
#include "bounce/bounce_notice.h"

#include <set>
#include <utility>

#include "lib/base/text.h"
#include "lib/mail/dsn.h"

namespace bounce {
namespace {

constexpr std::string_view kExpiredStatus = "4.4.7";
constexpr std::string_view kExpiredReason = "message expired before it could be delivered";

bool notify_allows(unsigned notify, unsigned bit) noexcept { return notify == 0 || (notify & bit) != 0; }

bool is_success_action(std::string_view action) noexcept {
    return action == "delivered" || action == "relayed" || action == "expanded";
}

// The newest defer record for a recipient: same status offset, else same address.
const tern::DeliveryRecord* find_deferral(const std::vector<tern::DeliveryRecord>& newest,
                                          const tern::QueueRecipient& r) {
    const tern::DeliveryRecord* by_address = nullptr;
    for (const tern::DeliveryRecord& d : newest) {
        if (d.offset == r.status_offset && d.recipient == r.address) return &d;
        if (d.recipient == r.address) by_address = &d;
    }
    return by_address;
}

std::vector<tern::DeliveryRecord> expired_records(const tern::QueueFile& file,
                                                  const std::vector<tern::DeliveryRecord>& bounced,
                                                  const std::vector<tern::DeliveryRecord>& defer_log,
                                                  std::int64_t now_s) {
    std::set<std::pair<std::uint64_t, std::string_view>> already;
    for (const tern::DeliveryRecord& b : bounced) already.emplace(b.offset, b.recipient);
    const std::vector<tern::DeliveryRecord> deferrals = tern::newest_per_recipient(defer_log);
    std::vector<tern::DeliveryRecord> out;
    for (const tern::QueueRecipient& r : file.recipients) {
        if (r.status != tern::RecipientStatus::Todo || already.contains({r.status_offset, r.address})) continue;
        tern::DeliveryRecord failed;
        failed.recipient = r.address;
        failed.orcpt = r.orcpt;
        failed.notify = r.notify;
        failed.offset = r.status_offset;
        failed.action = "failed";
        failed.status = kExpiredStatus;
        failed.reason = kExpiredReason;
        failed.time_s = now_s;
        if (const tern::DeliveryRecord* d = find_deferral(deferrals, r)) {
            failed.status = d->status.empty() ? std::string(kExpiredStatus) : d->status;
            failed.reason = d->reason.empty() ? std::string(kExpiredReason) : d->reason;
            failed.remote_mta = d->remote_mta;
            failed.diagnostic = d->diagnostic;
        }
        out.push_back(std::move(failed));
    }
    return out;
}

std::vector<tern::DeliveryRecord> still_todo(const tern::QueueFile& file,
                                             const std::vector<tern::DeliveryRecord>& records) {
    std::set<std::pair<std::uint64_t, std::string_view>> todo;
    for (const tern::QueueRecipient& r : file.recipients)
        if (r.status == tern::RecipientStatus::Todo) todo.emplace(r.status_offset, r.address);
    std::vector<tern::DeliveryRecord> out;
    for (const tern::DeliveryRecord& d : records)
        if (todo.contains({d.offset, d.recipient})) out.push_back(d);
    return out;
}

// Postfix's optional notify_classes copies: every record, headers only.
Notice postmaster_copy(DsnKind kind, const std::vector<tern::DeliveryRecord>& records, std::string_view to,
                       const NoticeSettings& settings, std::string label) {
    return {.kind = kind, .postmaster_copy = true,
            .envelope_sender = qualify(settings.double_bounce_sender, settings.myorigin),
            .to = qualify(to, settings.myorigin), .records = records, .log_label = std::move(label),
            .headers_only = true, .optional = true};
}

void add_failure_notice(Plan& plan, const tern::QueueFile& file, const std::vector<tern::DeliveryRecord>& failed,
                        const NoticeSettings& settings) {
    if (failed.empty()) return;
    if (is_double_bounce_sender(file.sender, settings)) {
        plan.discard_double_bounce = true;
        return;
    }
    if (file.sender.empty()) {  // a bounce bounced: postmaster gets every record (Postfix: DSN_NOTIFY_OVERRIDE)
        plan.notices.push_back({.kind = DsnKind::Failure, .postmaster_copy = true,
                                .envelope_sender = qualify(settings.double_bounce_sender, settings.myorigin),
                                .to = qualify(settings.double_bounce_recipient, settings.myorigin),
                                .records = failed, .log_label = "postmaster non-delivery notification"});
        return;
    }
    Notice n{.kind = DsnKind::Failure, .to = file.sender, .log_label = "sender non-delivery notification"};
    for (const tern::DeliveryRecord& r : failed)
        if (notify_allows(r.notify, tern::kDsnNotifyFailure)) n.records.push_back(r);
    if (!n.records.empty()) plan.notices.push_back(std::move(n));
    if (settings.notify_bounce)
        plan.notices.push_back(postmaster_copy(DsnKind::Failure, failed, settings.bounce_recipient, settings,
                                               "postmaster non-delivery notification"));
}

void add_success_notice(Plan& plan, const tern::QueueFile& file, const std::vector<tern::DeliveryRecord>& records,
                        const NoticeSettings& settings) {
    if (file.sender.empty() || is_double_bounce_sender(file.sender, settings)) return;
    Notice n{.kind = DsnKind::Success, .to = file.sender, .log_label = "sender delivery status notification"};
    for (const tern::DeliveryRecord& r : records)
        if (is_success_action(r.action) && (r.notify & tern::kDsnNotifySuccess) != 0) n.records.push_back(r);
    if (!n.records.empty()) plan.notices.push_back(std::move(n));
}

}  // namespace

bool is_double_bounce_sender(std::string_view sender, const NoticeSettings& settings) {
    if (sender.empty() || settings.double_bounce_sender.empty()) return false;
    if (tern::iequals(sender, settings.double_bounce_sender)) return true;
    const std::size_t at = sender.rfind('@');
    if (at == std::string_view::npos || !tern::iequals(sender.substr(0, at), settings.double_bounce_sender))
        return false;
    const std::string_view domain = sender.substr(at + 1);
    return tern::iequals(domain, settings.myorigin) || tern::iequals(domain, settings.myhostname);
}

std::string qualify(std::string_view address, std::string_view myorigin) {
    if (address.find('@') != std::string_view::npos || myorigin.empty()) return std::string(address);
    return std::string(address) + "@" + std::string(myorigin);
}

Plan plan_notices(RequestKind kind, const tern::QueueFile& file, const std::vector<tern::DeliveryRecord>& bounce_log,
                  const std::vector<tern::DeliveryRecord>& defer_log, const NoticeSettings& settings,
                  std::int64_t now_s) {
    Plan plan;
    switch (kind) {
        case RequestKind::Delay: {
            if (file.sender.empty() || is_double_bounce_sender(file.sender, settings)) return plan;
            Notice n{.kind = DsnKind::Delay, .to = file.sender, .log_label = "sender delay notification"};
            const std::vector<tern::DeliveryRecord> todo = still_todo(file, tern::newest_per_recipient(defer_log));
            for (const tern::DeliveryRecord& r : todo)
                if (notify_allows(r.notify, tern::kDsnNotifyDelay)) n.records.push_back(r);
            if (!n.records.empty()) plan.notices.push_back(std::move(n));
            if (settings.notify_delay && !todo.empty())
                plan.notices.push_back(postmaster_copy(DsnKind::Delay, todo, settings.delay_recipient, settings,
                                                       "postmaster delay notification"));
            return plan;
        }
        case RequestKind::Expire:
        case RequestKind::Flush:
            break;
    }
    std::vector<tern::DeliveryRecord> records = tern::newest_per_recipient(bounce_log);
    if (kind == RequestKind::Expire) {
        plan.append_to_bounce_log = expired_records(file, records, defer_log, now_s);
        records.insert(records.end(), plan.append_to_bounce_log.begin(), plan.append_to_bounce_log.end());
    }
    std::vector<tern::DeliveryRecord> failed;
    for (const tern::DeliveryRecord& r : records)
        if (r.action == "failed") failed.push_back(r);
    add_failure_notice(plan, file, failed, settings);
    add_success_notice(plan, file, records, settings);
    plan.remove_bounce_log = true;
    return plan;
}

}  // namespace bounce
