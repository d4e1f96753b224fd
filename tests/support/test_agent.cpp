// tests/support/test_agent.cpp - a delivery agent for tests: settles recipients by their local part
//
// SYNOPSIS
//     master.cf:  test unix - - n - - test-agent
//     stand-alone: test-agent -d -l /path/sock -n test -c CONFIG_DIR
// DESCRIPTION
//     Runs the agent skeleton of lib/mail/delivery_agent.h with a trivial
//     delivery: the local part of each recipient decides its fate.
//       sent@...    sent, 2.0.0 "delivered by test agent" (also any other name)
//       defer@...   deferred, 4.3.0 "test deferral"
//       bounce@...  bounced, 5.1.1 "test bounce: user unknown"
//       slow@...    sent, but the whole request finishes only after 2 s,
//                   from a timer on the event loop (asynchronous agents)
//       lost@...    the job is dropped without finish: every recipient of
//                   the request is deferred by the skeleton
//     relay= is "test-agent"; the content is read to its end for every
//     job, so a queue file whose content is damaged shows up.
// SECURITY
//     Test code only; never installed.
#include <event2/event.h>

#include <array>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "lib/base/event_loop.h"
#include "lib/base/log.h"
#include "lib/mail/delivery_agent.h"

namespace {

constexpr long long kSlowDelayMs = 2000;

std::string local_part(std::string_view address) {
    return std::string(address.substr(0, address.rfind('@')));
}

tern::AgentOutcome outcome_for(std::string_view address) {
    tern::AgentOutcome o;
    o.relay = "test-agent";
    o.transmit_s = 0.01;
    const std::string who = local_part(address);
    if (who == "defer") {
        o.status = tern::DeliveryStatus::Deferred;
        o.dsn = "4.3.0";
        o.reason = "test deferral";
    } else if (who == "bounce") {
        o.status = tern::DeliveryStatus::Bounced;
        o.dsn = "5.1.1";
        o.reason = "test bounce: user unknown";
        o.diagnostic = "x-test; 550 5.1.1 user unknown";
    } else {
        o.status = tern::DeliveryStatus::Sent;
        o.dsn = "2.0.0";
        o.reason = "delivered by test agent";
    }
    return o;
}

// A job that waits for its timer before it finishes.
struct SlowJob {
    std::unique_ptr<tern::DeliveryJob> job;
    std::vector<tern::AgentOutcome> outcomes;
    tern::EventPtr timer;
    std::list<SlowJob>::iterator self;
    void on_timer(evutil_socket_t, short) noexcept;
};

std::list<SlowJob>& slow_jobs() {
    static std::list<SlowJob> jobs;
    return jobs;
}

void SlowJob::on_timer(evutil_socket_t, short) noexcept {
    tern::DeliveryJob::finish(std::move(job), std::move(outcomes));
    slow_jobs().erase(self);  // destroys this; nothing may follow
}

bool read_content(const tern::DeliveryJob& job) {
    tern::ContentReader reader = job.content();
    std::array<char, 8192> buffer;
    for (;;) {
        tern::Result<std::size_t> n = reader.read(buffer);
        if (!n) {
            tern::log_warning("%s: %s", job.request().queue_id.c_str(), n.error().describe().c_str());
            return false;
        }
        if (*n == 0) return true;
    }
}

void deliver(std::unique_ptr<tern::DeliveryJob> job, tern::ServerContext& context) noexcept {
    std::vector<tern::AgentOutcome> outcomes;
    bool slow = false;
    bool lost = false;
    const bool content_ok = read_content(*job);
    for (const tern::DeliveryRecipient& r : job->request().recipients) {
        outcomes.push_back(outcome_for(r.address));
        if (!content_ok) outcomes.back() = tern::AgentOutcome{};  // deferred, reason filled in by finish
        slow = slow || local_part(r.address) == "slow";
        lost = lost || local_part(r.address) == "lost";
    }
    if (lost) return;  // ~DeliveryJob defers everything
    if (!slow) return tern::DeliveryJob::finish(std::move(job), std::move(outcomes));
    SlowJob& waiting = slow_jobs().emplace_back();
    waiting.self = std::prev(slow_jobs().end());
    waiting.job = std::move(job);
    waiting.outcomes = std::move(outcomes);
    tern::Result<tern::EventPtr> timer = tern::make_timer<&SlowJob::on_timer>(context.base(), &waiting);
    if (!timer || !tern::add_event(timer->get(), kSlowDelayMs)) {
        tern::DeliveryJob::finish(std::move(waiting.job), std::move(waiting.outcomes));
        slow_jobs().erase(waiting.self);
        return;
    }
    waiting.timer = std::move(*timer);
}

}  // namespace

int main(int argc, char** argv) {
    return tern::run_delivery_agent(argc, argv, {
        .service = "test-agent",
        .before_chroot = {},
        .after_privilege_drop = {},
        .on_request = deliver,
        .on_stop = [](tern::ServerContext&) { slow_jobs().clear(); },
        .busy_at_clients = 0,
    });
}
