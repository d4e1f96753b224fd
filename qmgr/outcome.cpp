// qmgr/outcome.cpp - settling recipients (see outcome.h)
#include "qmgr/outcome.h"

#include <unistd.h>

#include <string>
#include <vector>

#include "lib/base/log.h"
#include "lib/mail/delivery_log.h"
#include "lib/mail/status_line.h"

namespace qmgr {

namespace {

tern::DeliveryRecord make_record(const ActiveMessage& message, std::size_t index, std::string_view action,
                                 std::string_view dsn, std::string_view reason, const timeval& now) {
    const tern::QueueRecipient& r = message.recipient(index);
    return {.recipient = r.address,
            .orcpt = r.orcpt,
            .notify = r.notify,
            .offset = r.status_offset,
            .action = std::string(action),
            .status = std::string(dsn),
            .reason = std::string(reason),
            .remote_mta = {},
            .diagnostic = {},
            .time_s = now.tv_sec};
}

void log_status(const ActiveMessage& message, std::size_t index, std::string_view dsn, tern::DeliveryStatus status,
                std::string_view reason, const timeval& now) {
    const tern::QueueRecipient& r = message.recipient(index);
    tern::log_recipient_status({.queue_id = message.id(),
                                .recipient = r.address,
                                .orcpt = r.orcpt,
                                .relay = "none",
                                .arrival = message.file().arrival,
                                .active_since = message.active_since(),
                                .received = now,
                                .conn_setup_s = 0,
                                .transmit_s = 0,
                                .dsn = dsn,
                                .status = status,
                                .reason = reason});
}

// "5.1.3" -> "4.1.3" for soft_bounce.
std::string soften(std::string_view dsn) {
    std::string soft(dsn.empty() ? std::string_view("4.0.0") : dsn);
    if (soft.front() == '5') soft.front() = '4';
    return soft;
}

}  // namespace

void apply_reply(ActiveMessage& message, std::span<const std::size_t> indices, const tern::DeliveryReply& reply) {
    for (std::size_t i = 0; i < indices.size(); ++i) {
        const bool deferred = i >= reply.outcomes.size() || reply.outcomes[i].status == tern::DeliveryStatus::Deferred;
        message.settle(indices[i], deferred ? Settled::Deferred : Settled::Done);
    }
}

void defer_recipients(ActiveMessage& message, std::span<const std::size_t> indices, std::string_view dsn,
                      std::string_view reason, const timeval& now) {
    if (indices.empty()) return;
    std::vector<tern::DeliveryRecord> records;
    records.reserve(indices.size());
    for (const std::size_t index : indices) records.push_back(make_record(message, index, "delayed", dsn, reason, now));
    if (tern::Status s = tern::append_delivery_records("", tern::DeliveryLog::Defer, message.id(), records, false); !s)
        tern::log_warning("%s: %s", message.id().c_str(), s.error().describe().c_str());
    for (const std::size_t index : indices) {
        log_status(message, index, dsn, tern::DeliveryStatus::Deferred, reason, now);
        message.settle(index, Settled::Deferred);
    }
}

void bounce_recipient(ActiveMessage& message, std::size_t index, std::string_view dsn, std::string_view reason,
                      bool soft_bounce, const timeval& now) {
    const std::size_t one[] = {index};
    if (soft_bounce) return defer_recipients(message, one, soften(dsn), reason, now);
    const tern::DeliveryRecord record = make_record(message, index, "failed", dsn, reason, now);
    tern::Status logged = tern::append_delivery_records("", tern::DeliveryLog::Bounce, message.id(), {&record, 1}, true);
    if (!logged) {
        tern::log_warning("%s: %s", message.id().c_str(), logged.error().describe().c_str());
        return defer_recipients(message, one, soften(dsn), reason, now);
    }
    const tern::QueueRecipient& r = message.recipient(index);
    tern::Result<tern::Fd> fd = message.open_file();
    tern::Status marked = fd ? tern::mark_recipient_done(fd->get(), r.status_offset, message.path())
                             : tern::Status(tl::unexpected(fd.error()));
    if (marked && ::fsync(fd->get()) != 0) marked = tern::fail(tern::Retry::Temporary, "fsync " + message.path(), errno);
    if (!marked) {
        // The bounce record is on disk, so bounce(8) reports it; the
        // recipient stays to do and is tried again: a duplicate, not a loss.
        tern::log_warning("%s: %s", message.id().c_str(), marked.error().describe().c_str());
    }
    log_status(message, index, dsn, tern::DeliveryStatus::Bounced, reason, now);
    message.settle(index, marked ? Settled::Done : Settled::Deferred);
}

}  // namespace qmgr
