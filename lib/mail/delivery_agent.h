// lib/mail/delivery_agent.h - the skeleton every delivery agent runs in (local, virtual, smtp, lmtp, error, discard)
//
// SYNOPSIS
//     int main(int argc, char** argv) {
//         return tern::run_delivery_agent(argc, argv, {
//             .service = "virtual",
//             .before_chroot = load_maps,
//             .on_request = [](std::unique_ptr<tern::DeliveryJob> job, tern::ServerContext&) noexcept {
//                 std::vector<tern::AgentOutcome> out;
//                 for (const tern::DeliveryRecipient& r : job->request().recipients) out.push_back(deliver(*job, r));
//                 tern::DeliveryJob::finish(std::move(job), std::move(out));   // now or later, on the loop
//             },
//             .busy_at_clients = 1,
//         });
//     }
// DESCRIPTION
//     run_delivery_agent is run_event_server (lib/mail/event_server.h)
//     plus the agent side of lib/mail/delivery_protocol.h. For every
//     connection on the agent's listener it reads one request (bounded by
//     kDeliveryAttrLimits and a time limit), opens the queue file
//     "queue_name/queue_id" below the queue directory read-write, parses
//     its envelope (lib/mail/queue_file.h) and hands a DeliveryJob to
//     on_request. A request it cannot read or whose queue file is missing
//     or corrupt is answered status=4 with the reason and never reaches
//     on_request.
//     The agent settles every recipient and calls DeliveryJob::finish,
//     at once (synchronous agents) or later from its event loop (smtp).
//     finish, for each recipient in request order:
//       - applies soft_bounce (a bounce becomes a deferral, 5.x.x -> 4.x.x);
//       - logs "ID: to=<ADDR>, [orig_to=<ORCPT address>, ]relay=RELAY,
//         delay=D, delays=a/b/c/d, dsn=X.Y.Z, status=sent|deferred|bounced
//         (REASON)" as Postfix does (delay: since arrival; a: arrival to
//         active_since; b: active_since to the request's arrival here; c:
//         conn_setup_s; d: transmit_s; rounded as Postfix prints them);
//       - bounced: appends a "failed" record to the bounce log (durable),
//         then marks the recipient done; sent: marks it done, and when it
//         asked NOTIFY=SUCCESS first appends a "delivered" record
//         (action from AgentOutcome::success_action); deferred: appends a
//         "delayed" record to the defer log (not fsync'ed);
//     then sends the reply to qmgr and closes the connection. The done
//     marks are not fsync'ed (Postfix does not either): each records a
//     delivery that is durable already, so a crash may repeat a delivery
//     but never loses one. A log or queue
//     file write error turns the affected recipient into a deferral
//     ("cannot update queue file"), never into a silent loss.
//     DeliveryJob::content() streams the message as stored (CRLF lines).
// SECURITY
//     The agent runs as master.cf says: chrooted and unprivileged (smtp),
//     or as root, unchrooted (local, virtual: they change identity per
//     delivery themselves). The queue file is opened O_NOFOLLOW.
// ERRORS
//     finish never fails; problems are logged as warnings and reported to
//     qmgr as deferrals.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/mail/delivery_protocol.h"
#include "lib/mail/event_server.h"
#include "lib/mail/queue_file.h"

namespace tern {

// One recipient's fate, with what the log line and the DSN need.
struct AgentOutcome {
    DeliveryStatus status = DeliveryStatus::Deferred;
    std::string dsn;          // "2.0.0", "4.4.1", "5.1.1"
    std::string reason;       // "delivered to maildir", "host X said: 550 ..."
    std::string relay;        // log relay=: "local", "virtual", "mx.example.com[192.0.2.7]:25", "none"
    std::string remote_mta;   // DSN Remote-MTA host name, "" for none
    std::string diagnostic;   // DSN Diagnostic-Code "smtp; 550 5.1.1 ...", "" for none
    std::string success_action = "delivered";  // "relayed" when the next hop gives no DSN
    // Sent to a next hop that took the DSN parameters (it offered DSN):
    // it reports success itself (RFC 3461 section 5.2.2), so no success
    // record is written here even for NOTIFY=SUCCESS.
    bool next_hop_notifies = false;
    double conn_setup_s = 0;  // delays c
    double transmit_s = 0;    // delays d
    // Another agent settled this recipient already (local handing a
    // mailbox to mailbox_transport): finish only reports it to qmgr.
    bool recorded_elsewhere = false;
};

class DeliveryJob {
public:
    DeliveryJob(Fd client, Fd queue_fd, DeliveryRequest request, QueueFile file, std::string queue_path,
                timeval received) noexcept;
    DeliveryJob(const DeliveryJob&) = delete;
    DeliveryJob& operator=(const DeliveryJob&) = delete;
    ~DeliveryJob();  // a job destroyed without finish defers every recipient

    [[nodiscard]] const DeliveryRequest& request() const noexcept { return request_; }
    [[nodiscard]] const QueueFile& queue_file() const noexcept { return file_; }
    [[nodiscard]] int queue_fd() const noexcept { return queue_fd_.get(); }
    [[nodiscard]] const std::string& queue_path() const noexcept { return queue_path_; }  // "active/ID"
    // A fresh reader of the content from its start; valid while the job lives.
    [[nodiscard]] ContentReader content() const noexcept;
    // When the request arrived here (start of delays b/c).
    [[nodiscard]] timeval received() const noexcept { return received_; }

    // Settles the job as DESCRIPTION says; outcomes has one entry per
    // recipient in request order (missing ones are deferred).
    static void finish(std::unique_ptr<DeliveryJob> job, std::vector<AgentOutcome> outcomes,
                       bool destination_dead = false) noexcept;
    // The same outcome for every recipient (error, retry, discard).
    static void finish_all(std::unique_ptr<DeliveryJob> job, const AgentOutcome& outcome) noexcept;

private:
    Fd client_;
    Fd queue_fd_;
    DeliveryRequest request_;
    QueueFile file_;
    std::string queue_path_;
    timeval received_{};
    bool finished_ = false;
};

using DeliveryRequestFn = std::function<void(std::unique_ptr<DeliveryJob> job, ServerContext& context)>;

struct DeliveryAgentSpec {
    std::string_view service = {};      // program name for logs: "local"
    SetupFn before_chroot = {};
    SetupFn after_privilege_drop = {};
    DeliveryRequestFn on_request = {};  // must not throw
    SetupFn on_stop = {};
    int busy_at_clients = 1;            // as EventServerSpec
};

int run_delivery_agent(int argc, char** argv, const DeliveryAgentSpec& spec);

// Postfix's delay formatting: "0.4", "12", "0.01"; for delay= and delays=.
[[nodiscard]] std::string format_delay(double seconds);

}  // namespace tern
