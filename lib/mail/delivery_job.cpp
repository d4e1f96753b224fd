// lib/mail/delivery_job.cpp - DeliveryJob: settle the recipients of one delivery request
//
// SYNOPSIS
//     tern::DeliveryJob::finish(std::move(job), std::move(outcomes));
// DESCRIPTION
//     finish does what lib/mail/delivery_agent.h promises, in an order
//     that never loses a recipient:
//       1. outcomes are normalized: a missing one is a deferral, a status
//          code that is absent or of the wrong class is replaced, and
//          soft_bounce turns bounces into deferrals (5.x.x -> 4.x.x);
//       2. one durable append to bounce/ID of the "failed" records and of
//          the "delivered" records of NOTIFY=SUCCESS recipients; when it
//          fails, those recipients are deferred instead;
//       3. sent and bounced recipients are marked done in the queue file
//          (a failed mark defers the recipient: "cannot update queue
//          file"). The marks are not fsync'ed, as in Postfix: what they
//          record (the mailbox file, the next hop's 250, the bounce log)
//          is durable already, so a crash can only bring a delivery back
//          (a duplicate), never lose one;
//       4. one append to defer/ID of the "delayed" records (not fsync'ed:
//          the recipient stays todo in the queue file anyway);
//       5. the "to=<...>" line per recipient, the reply to qmgr, close,
//          client_done().
//     A job destroyed without finish defers every recipient the same way.
// ERRORS
//     Nothing fails outward: problems are warnings and deferrals.
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "lib/base/log.h"
#include "lib/mail/attr.h"
#include "lib/mail/delivery_agent.h"
#include "lib/mail/delivery_agent_internal.h"
#include "lib/mail/delivery_log.h"
#include "lib/mail/status_line.h"

namespace tern {
namespace detail {

AgentRuntime& agent_runtime() noexcept {
    static AgentRuntime runtime;
    return runtime;
}

}  // namespace detail

namespace {

constexpr int kReplyTimeoutMs = 10'000;
constexpr std::string_view kLostRequest = "delivery agent lost the request";
constexpr std::string_view kNoOutcome = "delivery agent returned no status for this recipient";

// What finish works on: borrowed pieces of the job.
struct JobView {
    Fd& client;
    int queue_fd;
    const DeliveryRequest& request;
    const std::string& queue_path;
    timeval received;
};

char status_class(DeliveryStatus status) noexcept {
    switch (status) {
    case DeliveryStatus::Sent: return '2';
    case DeliveryStatus::Deferred: return '4';
    case DeliveryStatus::Bounced: return '5';
    }
    return '4';
}

bool looks_like_dsn(std::string_view dsn) noexcept {
    if (dsn.size() < 5 || dsn.size() > 9 || dsn[1] != '.') return false;
    int dots = 0;
    for (std::size_t i = 1; i < dsn.size(); ++i) {
        if (dsn[i] == '.') {
            if (dsn[i - 1] == '.' || ++dots > 2) return false;
        } else if (dsn[i] < '0' || dsn[i] > '9') {
            return false;
        }
    }
    return dots == 2 && dsn.back() != '.';
}

AgentOutcome deferral(std::string_view reason) {
    AgentOutcome o;
    o.status = DeliveryStatus::Deferred;
    o.dsn = "4.3.0";
    o.reason = reason;
    return o;
}

// Step 1: one outcome per recipient, consistent status codes, soft_bounce.
void normalize(std::vector<AgentOutcome>& outcomes, std::size_t count, bool soft_bounce) {
    if (outcomes.size() > count) outcomes.resize(count);
    while (outcomes.size() < count)
        outcomes.push_back(deferral(kNoOutcome));
    for (AgentOutcome& o : outcomes) {
        if (soft_bounce && o.status == DeliveryStatus::Bounced && !o.recorded_elsewhere)
            o.status = DeliveryStatus::Deferred;
        if (!looks_like_dsn(o.dsn)) o.dsn = std::string(1, status_class(o.status)) + ".0.0";
        o.dsn[0] = status_class(o.status);
        if (o.relay.empty()) o.relay = "none";
    }
}

void defer(AgentOutcome& o, std::string reason) {
    o.status = DeliveryStatus::Deferred;
    o.dsn[0] = '4';
    o.reason = std::move(reason);
}

DeliveryRecord make_record(const DeliveryRecipient& r, const AgentOutcome& o, std::string_view action) {
    return {.recipient = r.address, .orcpt = r.orcpt, .notify = r.notify, .offset = r.offset,
            .action = std::string(action), .status = o.dsn, .reason = o.reason, .remote_mta = o.remote_mta,
            .diagnostic = o.diagnostic, .time_s = static_cast<std::int64_t>(std::time(nullptr))};
}

bool wants_success_notice(const DeliveryRecipient& r) noexcept { return (r.notify & kDsnNotifySuccess) != 0; }

// Step 2: the bounce log, durable, before anything is marked done.
void append_bounce_records(const JobView& job, std::vector<AgentOutcome>& outcomes) {
    std::vector<DeliveryRecord> records;
    std::vector<std::size_t> owners;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const AgentOutcome& o = outcomes[i];
        const DeliveryRecipient& r = job.request.recipients[i];
        if (o.recorded_elsewhere) continue;
        if (o.status == DeliveryStatus::Bounced) records.push_back(make_record(r, o, "failed"));
        else if (o.status == DeliveryStatus::Sent && wants_success_notice(r) && !o.next_hop_notifies)
            records.push_back(make_record(r, o, o.success_action.empty() ? "delivered" : o.success_action));
        else continue;
        owners.push_back(i);
    }
    if (records.empty()) return;
    Status s = append_delivery_records("", DeliveryLog::Bounce, job.request.queue_id, records, true);
    if (s) return;
    log_warning("%s: %s", job.request.queue_id.c_str(), s.error().describe().c_str());
    for (std::size_t i : owners) defer(outcomes[i], "cannot update bounce log: " + s.error().describe());
}

// Step 3: mark sent and bounced recipients done (see DESCRIPTION: no fsync).
void mark_done(const JobView& job, std::vector<AgentOutcome>& outcomes) {
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        AgentOutcome& o = outcomes[i];
        if (o.recorded_elsewhere || o.status == DeliveryStatus::Deferred) continue;
        Status s = mark_recipient_done(job.queue_fd, job.request.recipients[i].offset, job.queue_path);
        if (!s) {
            log_warning("%s: %s", job.request.queue_id.c_str(), s.error().describe().c_str());
            defer(o, "cannot update queue file");
        }
    }
}

// Step 4: the defer log, newest reason per recipient for mailq and bounce.
void append_defer_records(const JobView& job, const std::vector<AgentOutcome>& outcomes) {
    std::vector<DeliveryRecord> records;
    for (std::size_t i = 0; i < outcomes.size(); ++i)
        if (!outcomes[i].recorded_elsewhere && outcomes[i].status == DeliveryStatus::Deferred)
            records.push_back(make_record(job.request.recipients[i], outcomes[i], "delayed"));
    if (records.empty()) return;
    if (Status s = append_delivery_records("", DeliveryLog::Defer, job.request.queue_id, records, false); !s)
        log_warning("%s: %s", job.request.queue_id.c_str(), s.error().describe().c_str());
}

void log_lines(const JobView& job, const std::vector<AgentOutcome>& outcomes) {
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const AgentOutcome& o = outcomes[i];
        if (o.recorded_elsewhere) continue;
        const DeliveryRecipient& r = job.request.recipients[i];
        log_recipient_status({.queue_id = job.request.queue_id, .recipient = r.address, .orcpt = r.orcpt,
                              .relay = o.relay, .arrival = job.request.arrival,
                              .active_since = job.request.active_since, .received = job.received,
                              .conn_setup_s = o.conn_setup_s, .transmit_s = o.transmit_s, .dsn = o.dsn,
                              .status = o.status, .reason = o.reason});
    }
}

void send_reply(const JobView& job, const std::vector<AgentOutcome>& outcomes, bool destination_dead) {
    DeliveryReply reply{.processed = true, .reason = {}, .outcomes = {}, .destination_dead = destination_dead};
    reply.outcomes.reserve(outcomes.size());
    for (const AgentOutcome& o : outcomes) reply.outcomes.push_back({o.status, o.dsn, o.reason});
    if (job.client) {
        if (Status s = write_attr_message(job.client.get(), encode_delivery_reply(reply), kReplyTimeoutMs); !s)
            log_warning("%s: reply to queue manager: %s", job.request.queue_id.c_str(), s.error().describe().c_str());
    }
    job.client.reset();
    if (ServerContext* context = detail::agent_runtime().context) context->client_done();
}

void settle(const JobView& job, std::vector<AgentOutcome> outcomes, bool destination_dead) noexcept {
    normalize(outcomes, job.request.recipients.size(), detail::agent_runtime().soft_bounce);
    append_bounce_records(job, outcomes);
    mark_done(job, outcomes);
    append_defer_records(job, outcomes);
    log_lines(job, outcomes);
    send_reply(job, outcomes, destination_dead);
}

}  // namespace

DeliveryJob::DeliveryJob(Fd client, Fd queue_fd, DeliveryRequest request, QueueFile file, std::string queue_path,
                         timeval received) noexcept
    : client_(std::move(client)),
      queue_fd_(std::move(queue_fd)),
      request_(std::move(request)),
      file_(std::move(file)),
      queue_path_(std::move(queue_path)),
      received_(received) {}

DeliveryJob::~DeliveryJob() {
    if (finished_) return;
    finished_ = true;
    std::vector<AgentOutcome> lost(request_.recipients.size(), deferral(kLostRequest));
    settle({client_, queue_fd_.get(), request_, queue_path_, received_}, std::move(lost), false);
}

ContentReader DeliveryJob::content() const noexcept { return ContentReader(queue_fd_.get(), file_, queue_path_); }

void DeliveryJob::finish_all(std::unique_ptr<DeliveryJob> job, const AgentOutcome& outcome) noexcept {
    std::vector<AgentOutcome> outcomes(job->request().recipients.size(), outcome);
    finish(std::move(job), std::move(outcomes));
}

void DeliveryJob::finish(std::unique_ptr<DeliveryJob> job, std::vector<AgentOutcome> outcomes,
                         bool destination_dead) noexcept {
    if (!job) return;
    job->finished_ = true;
    settle({job->client_, job->queue_fd_.get(), job->request_, job->queue_path_, job->received_},
           std::move(outcomes), destination_dead);
}

}  // namespace tern
