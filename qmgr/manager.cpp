// qmgr/manager.cpp - the queue manager's flow (see manager.h)
#include "qmgr/manager.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/bounce_protocol.h"
#include "qmgr/backoff.h"
#include "qmgr/outcome.h"
#include "qmgr/queue_moves.h"

namespace qmgr {

namespace {

constexpr std::string_view kTransportUnavailable = "mail transport unavailable";
constexpr std::string_view kTransportError = "unknown mail transport error";
constexpr std::string_view kSuspended = "delivery temporarily suspended: ";
constexpr std::string_view kBadAddressDsn = "5.1.3";
constexpr std::size_t kMaxLoggedReasonBytes = 300;
// Activations per turn of the loop, so replies and triggers are not kept
// waiting behind a long scan.
constexpr std::size_t kFeedBatch = 100;

std::string reason_of(const tern::Error& error) { return tern::printable(error.describe(), kMaxLoggedReasonBytes); }

}  // namespace

timeval time_now() noexcept {
    timeval now{};
    ::gettimeofday(&now, nullptr);
    return now;
}

Manager::Manager(event_base* base, Settings settings, tern::Resolver resolver, Scheduler::LimitsFn limits)
    : base_(base), settings_(std::move(settings)), resolver_(std::move(resolver)), scheduler_(std::move(limits)) {
    auto run = tern::make_timer<&Manager::on_queue_run>(base_, this);
    auto kick = tern::make_timer<&Manager::on_kick>(base_, this);
    auto rescan = tern::make_timer<&Manager::on_incoming_rescan>(base_, this);
    if (!run || !kick || !rescan) tern::log_fatal("libevent: cannot make qmgr timers");
    incoming_rescan_timer_ = std::move(*rescan);
    queue_run_timer_ = std::move(*run);
    kick_timer_ = std::move(*kick);
}

void Manager::start() {
    const std::size_t recovered = requeue_active();
    if (recovered > 0) tern::log_info("moved %zu message(s) from active back to incoming", recovered);
    incoming_.request(false);
    deferred_.request(false);
    (void)tern::add_event(queue_run_timer_.get(), settings_.queue_run_delay_s * 1000);
    kick();
}

void Manager::on_trigger(std::string_view bytes) {
    const TriggerActions actions = parse_trigger(bytes);
    tern::log_debug("trigger \"%s\"", tern::printable(bytes, 20).c_str());
    if (actions.forget_dead) scheduler_.forget_dead();
    if (actions.scan_incoming) {
        incoming_.request(actions.ignore_times);
        arm_incoming_rescan();
    }
    if (!actions.flush_id.empty()) make_due_now(actions.flush_id);
    if (actions.scan_deferred) deferred_.request(actions.ignore_times);
    kick();
}

// postqueue -i: a deferred file's mtime is its due time (queue_scan.h).
void Manager::make_due_now(const std::string& id) noexcept {
    const std::string path = tern::queue_file_path("", tern::QueueName::Deferred, id);
    if (::utimensat(AT_FDCWD, path.c_str(), nullptr, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT)
        tern::log_warning("set time stamps of %s: %s", path.c_str(), std::strerror(errno));
}

void Manager::on_queue_run(evutil_socket_t, short) noexcept {
    deferred_.request(false);
    scheduler_.prune(time_now().tv_sec);
    (void)tern::add_event(queue_run_timer_.get(), settings_.queue_run_delay_s * 1000);
    feed();
    dispatch();
}

// Work is started from the loop, never from inside another callback's stack.
void Manager::kick() noexcept { (void)tern::add_event(kick_timer_.get(), 0); }

void Manager::on_kick(evutil_socket_t, short) noexcept {
    feed();
    dispatch();
}

void Manager::arm_incoming_rescan() noexcept {
    if (event_pending(incoming_rescan_timer_.get(), EV_TIMEOUT, nullptr) == 0)
        (void)tern::add_event(incoming_rescan_timer_.get(), kIncomingRescanMs);
}

void Manager::on_incoming_rescan(evutil_socket_t, short) noexcept {
    incoming_.request(false);
    feed();
    dispatch();
}

// Moves due files into active/ while the active set has room, taking
// turns between incoming/ and deferred/ so neither starves the other.
void Manager::feed() {
    for (std::size_t fed = 0; messages_.size() < settings_.active_limit && (incoming_.busy() || deferred_.busy());
         ++fed) {
        if (fed == kFeedBatch) return kick();
        const std::int64_t now_s = time_now().tv_sec;
        QueueScan& first = incoming_turn_ ? incoming_ : deferred_;
        QueueScan& second = incoming_turn_ ? deferred_ : incoming_;
        incoming_turn_ = !incoming_turn_;
        std::optional<std::string> id = first.next(now_s);
        QueueScan* from = &first;
        if (!id) {
            id = second.next(now_s);
            from = &second;
        }
        if (!id) break;
        if (from == &incoming_) arm_incoming_rescan();
        activate(from->queue(), *id);
    }
}

void Manager::activate(tern::QueueName from, const std::string& id) {
    tern::log_debug("activate %s from %.*s", id.c_str(), static_cast<int>(tern::to_string(from).size()),
                    tern::to_string(from).data());
    if (tern::Status moved = move_queue_file(from, tern::QueueName::Active, id); !moved) {
        if (moved.error().errno_value != ENOENT) tern::log_warning("%s", moved.error().describe().c_str());
        return;
    }
    const std::uint64_t handle = next_handle_++;
    tern::Result<std::unique_ptr<ActiveMessage>> opened = ActiveMessage::open(handle, id, time_now());
    if (!opened) {
        if (!opened.error().temporary()) return save_corrupt(tern::QueueName::Active, id);
        tern::log_warning("%s: %s; trying later", id.c_str(), opened.error().describe().c_str());
        if (tern::Status back = move_queue_file(tern::QueueName::Active, from, id); !back)
            tern::log_warning("%s", back.error().describe().c_str());
        return;
    }
    if (queue_file_in_use((*opened)->fd())) {
        // An agent of the previous qmgr run still delivers it (Postfix's QMGR_MESSAGE_LOCKED).
        const std::int64_t until_s = time_now().tv_sec + settings_.backoff.minimal_s;
        if (tern::Status back = delay_queue_file((*opened)->fd(), id, tern::QueueName::Incoming, until_s); !back)
            tern::log_warning("%s", back.error().describe().c_str());
        return;
    }
    (*opened)->close_file();
    ActiveMessage& message = *messages_.emplace(handle, std::move(*opened)).first->second;
    const tern::QueueFile& file = message.file();
    tern::log_info("%s: from=<%s>, size=%llu, nrcpt=%zu (queue active)", id.c_str(),
                   tern::printable(file.sender, 1000).c_str(), static_cast<unsigned long long>(file.content_size),
                   file.recipients.size());
    schedule_chunk(message);
    progress(handle);
}

// Resolves the next chunk of recipients and queues them by destination.
void Manager::schedule_chunk(ActiveMessage& message) {
    const timeval now = time_now();
    for (const std::size_t index : message.take_chunk(settings_.recipient_limit)) {
        const std::string& address = message.recipient(index).address;
        tern::Result<tern::Resolution> to = resolver_.resolve(address);
        const std::size_t one[] = {index};
        if (!to && to.error().temporary()) {
            defer_recipients(message, one, kQmgrDeferDsn, reason_of(to.error()), now);
            continue;
        }
        if (!to) {
            bounce_recipient(message, index, kBadAddressDsn, reason_of(to.error()), settings_.soft_bounce, now);
            continue;
        }
        const Admission admission =
            scheduler_.add({.transport = to->transport, .nexthop = to->nexthop, .recipient = address},
                           {.message = message.handle(), .recipient = index}, now.tv_sec);
        switch (admission.status) {
        case AdmissionStatus::Queued:
            break;
        case AdmissionStatus::DeadDestination:
            defer_recipients(message, one, kQmgrDeferDsn, std::string(kSuspended) + admission.reason, now);
            break;
        case AdmissionStatus::DeadTransport:
            defer_recipients(message, one, kQmgrDeferDsn, admission.reason, now);
            break;
        }
    }
}

void Manager::dispatch() {
    while (std::optional<Batch> batch = scheduler_.next_batch(time_now().tv_sec)) {
        auto found = messages_.find(batch->message);
        if (found == messages_.end()) TERN_PANIC("qmgr: batch for a message that is not active");
        const std::uint64_t call_id = next_call_++;
        const tern::DeliveryRequest request = make_delivery_request(*found->second, *batch);
        auto done = [this, call_id, b = *batch](AgentResult result) { on_agent_result(call_id, b, std::move(result)); };
        calls_.emplace(call_id, send_delivery_request(base_, request, settings_.ipc_timeout_ms, std::move(done)));
    }
}

void Manager::on_agent_result(std::uint64_t call_id, const Batch& batch, AgentResult result) {
    calls_.erase(call_id);
    auto found = messages_.find(batch.message);
    if (found == messages_.end()) TERN_PANIC("qmgr: reply for a message that is not active");
    ActiveMessage& message = *found->second;
    const timeval now = time_now();
    switch (result.kind) {
    case AgentResultKind::Reply:
        handle_reply(message, batch, result.reply);
        break;
    case AgentResultKind::Unavailable: {
        tern::log_warning("%s: %s", message.id().c_str(), result.why.c_str());
        defer_recipients(message, batch.recipients, kQmgrDeferDsn, kTransportUnavailable, now);
        const std::vector<Entry> waiting = scheduler_.kill_transport(
            batch.transport, kTransportUnavailable, now.tv_sec + settings_.transport_retry_s);
        defer_waiting(waiting, kQmgrDeferDsn, kTransportUnavailable);
        break;
    }
    case AgentResultKind::Lost:
        tern::log_warning("%s: transport %s: %s", message.id().c_str(), batch.transport.c_str(), result.why.c_str());
        defer_recipients(message, batch.recipients, kQmgrDeferDsn, kTransportError, now);
        break;
    }
    scheduler_.finish(batch);
    progress(batch.message);
    feed();
    dispatch();
}

void Manager::handle_reply(ActiveMessage& message, const Batch& batch, const tern::DeliveryReply& reply) {
    const timeval now = time_now();
    if (!reply.processed) {
        defer_recipients(message, batch.recipients, kQmgrDeferDsn, tern::printable(reply.reason, 1000), now);
    } else {
        apply_reply(message, batch.recipients, reply);
    }
    if (!reply.destination_dead) return;
    std::string why = "destination unreachable";
    std::string dsn(kQmgrDeferDsn);
    for (const tern::RecipientOutcome& outcome : reply.outcomes) {
        if (outcome.status != tern::DeliveryStatus::Deferred) continue;
        why = tern::printable(outcome.reason, 1000);
        if (!outcome.dsn.empty()) dsn = outcome.dsn;
        break;
    }
    const std::vector<Entry> waiting =
        scheduler_.kill_destination(batch, why, now.tv_sec + settings_.backoff.minimal_s);
    defer_waiting(waiting, dsn, std::string(kSuspended) + why);
}

// Defers recipients that waited in the scheduler, message by message.
void Manager::defer_waiting(const std::vector<Entry>& entries, std::string_view dsn, std::string_view reason) {
    const timeval now = time_now();
    std::map<std::uint64_t, std::vector<std::size_t>> by_message;
    for (const Entry& entry : entries) by_message[entry.message].push_back(entry.recipient);
    for (const auto& [handle, indices] : by_message) {
        auto found = messages_.find(handle);
        if (found == messages_.end()) continue;
        defer_recipients(*found->second, indices, dsn, reason, now);
        progress(handle);
    }
}

// Schedules the next chunk or finishes the message, as its state allows.
void Manager::progress(std::uint64_t handle) {
    while (true) {
        auto found = messages_.find(handle);
        if (found == messages_.end()) return;
        ActiveMessage& message = *found->second;
        if (message.finishing || message.outstanding() > 0) return;
        if (!message.has_unscheduled()) return finish_message(message);
        schedule_chunk(message);
    }
}

void Manager::finish_message(ActiveMessage& message) {
    message.finishing = true;
    const std::uint64_t handle = message.handle();
    if (!has_bounce_log(message.id())) return after_flush(handle, true);
    const std::uint64_t call_id = next_call_++;
    auto done = [this, call_id, handle](BounceResult result) {
        calls_.erase(call_id);
        if (!result.ok) tern::log_warning("%s", result.why.c_str());
        after_flush(handle, result.ok);
    };
    calls_.emplace(call_id, send_bounce_request(base_, tern::kBounceRequestFlush, message.id(),
                                                settings_.ipc_timeout_ms, std::move(done)));
}

void Manager::after_flush(std::uint64_t handle, bool flushed) {
    auto found = messages_.find(handle);
    if (found == messages_.end()) return;
    ActiveMessage& message = *found->second;
    if (flushed && message.todo_left() == 0) {
        if (tern::Status removed = remove_queue_file(message.id()); !removed)
            tern::log_warning("%s", removed.error().describe().c_str());
        return release(handle);
    }
    const std::int64_t now_s = time_now().tv_sec;
    const std::int64_t lifetime_s = queue_lifetime_s(message.file().sender, settings_.lifetimes);
    if (is_expired(now_s, message.file().arrival.tv_sec, lifetime_s)) return expire_message(message);
    if (delay_warning_due(now_s, message.file(), settings_.delay_warning_s, settings_.lifetimes))
        return warn_message(message);
    defer_message(message);
}

// Postfix's defer_warn: bounce(8) sends the delay notice from defer/ID;
// once it is queued, the warning record says so and no other follows.
// A failed request is asked again at the next deferral.
void Manager::warn_message(ActiveMessage& message) {
    const std::uint64_t handle = message.handle();
    const std::uint64_t call_id = next_call_++;
    auto done = [this, call_id, handle](BounceResult result) {
        calls_.erase(call_id);
        auto found = messages_.find(handle);
        if (found == messages_.end()) return;
        ActiveMessage& m = *found->second;
        if (result.ok)
            mark_warned(m);
        else
            tern::log_warning("%s: cannot send delay notification: %s", m.id().c_str(), result.why.c_str());
        defer_message(m);
    };
    calls_.emplace(call_id, send_bounce_request(base_, tern::kBounceRequestDelay, message.id(),
                                                settings_.ipc_timeout_ms, std::move(done)));
}

// Not fsync'ed: a crash before the next sync repeats the notice at worst.
void Manager::mark_warned(const ActiveMessage& message) {
    tern::Result<tern::Fd> fd = message.open_file();
    tern::Status marked = fd ? tern::update_warning(fd->get(), message.file().warning_offset, time_now().tv_sec,
                                                    message.path())
                             : tern::Status(tl::unexpected(fd.error()));
    if (!marked) tern::log_warning("%s: %s", message.id().c_str(), marked.error().describe().c_str());
}

void Manager::expire_message(ActiveMessage& message) {
    const std::uint64_t handle = message.handle();
    const std::uint64_t call_id = next_call_++;
    auto done = [this, call_id, handle](BounceResult result) {
        calls_.erase(call_id);
        auto found = messages_.find(handle);
        if (found == messages_.end()) return;
        ActiveMessage& m = *found->second;
        if (!result.ok) {
            tern::log_warning("%s: cannot return expired message: %s", m.id().c_str(), result.why.c_str());
            return defer_message(m);
        }
        tern::log_info("%s: from=<%s>, status=expired, returned to sender", m.id().c_str(),
                       tern::printable(m.file().sender, 1000).c_str());
        if (tern::Status removed = remove_queue_file(m.id()); !removed)
            tern::log_warning("%s", removed.error().describe().c_str());
        release(handle);
    };
    calls_.emplace(call_id, send_bounce_request(base_, tern::kBounceRequestExpire, message.id(),
                                                settings_.ipc_timeout_ms, std::move(done)));
}

void Manager::defer_message(ActiveMessage& message) {
    const tern::QueueFile& file = message.file();
    const tern::Schedule next =
        next_schedule(time_now().tv_sec, file.arrival.tv_sec, file.schedule, settings_.backoff);
    tern::Result<tern::Fd> fd = message.open_file();
    tern::Status deferred = fd ? defer_queue_file(fd->get(), message.id(), file.schedule_offset, next)
                               : tern::Status(tl::unexpected(fd.error()));
    if (!deferred && deferred.error().errno_value == ENOENT)  // postsuper took it from active/
        tern::log_warning("%s: %s", message.id().c_str(), deferred.error().describe().c_str());
    else if (!deferred)
        tern::log_error("%s: %s", message.id().c_str(), deferred.error().describe().c_str());
    release(message.handle());
}

void Manager::release(std::uint64_t handle) {
    messages_.erase(handle);
    kick();
}

}  // namespace qmgr
