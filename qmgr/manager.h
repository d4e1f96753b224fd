// qmgr/manager.h - the queue manager: active set, scans, requests, and what follows a message's last reply
//
// SYNOPSIS
//     qmgr::Manager manager(base, settings, std::move(resolver), limits_fn);
//     manager.start();                        // recovery, first scans, timers
//     manager.on_trigger("I");                // bytes from public/qmgr
// DESCRIPTION
//     Postfix's qmgr in one object on the event loop, working in the
//     queue directory (paths relative to it):
//       - start: active/ back to incoming/ (the previous run's work
//         starts over; agents mark recipients done in place, so at most
//         the recipients in flight are delivered twice);
//       - scans (queue_scan.h): incoming/ on 'I' and the wakeup byte,
//         and once more kIncomingRescanMs after such a trigger or a scan
//         that found mail (cleanup's 'I' is a coalesced hint that can be
//         lost: this catches what came meanwhile);
//         deferred/ every queue_run_delay and on 'D'; files move to
//         active/ while fewer than qmgr_message_active_limit messages are
//         active, taking turns between the two queues;
//       - each activated message is logged "ID: from=<S>, size=N,
//         nrcpt=M (queue active)", its recipients resolved (tern::Resolver)
//         and queued in the scheduler, at most qmgr_message_recipient_limit
//         at a time; batches go to the agents (agent_client.h);
//       - replies settle recipients (outcome.h); a dead destination or an
//         unreachable transport defers what waits for it;
//       - a message with nothing left in flight or to schedule: bounce/ID
//         flushed through bounce(8) when present; then removed when no
//         recipient is left to do, returned to the sender (bounce expire)
//         when maximal_queue_lifetime (bounce_queue_lifetime) has passed,
//         else deferred with back-off (backoff.h, queue_moves.h);
//       - before such a deferral, when delay_warning_time has passed since
//         arrival and the file's delay warning record says no notice was
//         sent (backoff.h delay_warning_due), bounce(8) is asked for the
//         delay notice (request=delay) while the file is still in active/;
//         when it answers that the notice is queued, the record is
//         rewritten with the time (once per message, as Postfix). bounce
//         logs "ID: sender delay notification: NEWID". A file without
//         the record (written before it existed) gets no delay notice.
// SECURITY
//     Trusts queue files only as far as read_queue_file's checks; agents'
//     replies are decoded with limits and must match the request.
#pragma once

#include <event2/event.h>
#include <sys/time.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/event_loop.h"
#include "lib/mail/resolver.h"
#include "qmgr/agent_client.h"
#include "qmgr/attr_call.h"
#include "qmgr/bounce_client.h"
#include "qmgr/message.h"
#include "qmgr/queue_scan.h"
#include "qmgr/scheduler.h"
#include "qmgr/settings.h"

namespace qmgr {

inline constexpr long long kIncomingRescanMs = 1000;

class Manager {
public:
    Manager(event_base* base, Settings settings, tern::Resolver resolver, Scheduler::LimitsFn limits);
    Manager(const Manager&) = delete;
    Manager& operator=(const Manager&) = delete;

    void start();
    void on_trigger(std::string_view bytes);

private:
    void make_due_now(const std::string& id) noexcept;
    void on_queue_run(evutil_socket_t, short) noexcept;
    void on_kick(evutil_socket_t, short) noexcept;
    void on_incoming_rescan(evutil_socket_t, short) noexcept;
    void arm_incoming_rescan() noexcept;
    void kick() noexcept;
    void feed();
    void activate(tern::QueueName from, const std::string& id);
    void schedule_chunk(ActiveMessage& message);
    void dispatch();
    void on_agent_result(std::uint64_t call_id, const Batch& batch, AgentResult result);
    void handle_reply(ActiveMessage& message, const Batch& batch, const tern::DeliveryReply& reply);
    void defer_waiting(const std::vector<Entry>& entries, std::string_view dsn, std::string_view reason);
    void progress(std::uint64_t handle);
    void finish_message(ActiveMessage& message);
    void after_flush(std::uint64_t handle, bool flushed);
    void expire_message(ActiveMessage& message);
    void warn_message(ActiveMessage& message);
    void mark_warned(const ActiveMessage& message);
    void defer_message(ActiveMessage& message);
    void release(std::uint64_t handle);

    event_base* base_;
    Settings settings_;
    tern::Resolver resolver_;
    Scheduler scheduler_;
    QueueScan incoming_{tern::QueueName::Incoming};
    QueueScan deferred_{tern::QueueName::Deferred};
    bool incoming_turn_ = true;
    tern::EventPtr queue_run_timer_;
    tern::EventPtr kick_timer_;
    tern::EventPtr incoming_rescan_timer_;
    std::uint64_t next_handle_ = 1;
    std::uint64_t next_call_ = 1;
    std::map<std::uint64_t, std::unique_ptr<ActiveMessage>> messages_;
    std::map<std::uint64_t, std::unique_ptr<AttrCall>> calls_;
};

// Seconds and microseconds now (gettimeofday).
[[nodiscard]] timeval time_now() noexcept;

}  // namespace qmgr
