// error - the error and retry mail transports: bounce or defer every recipient (man/man8/error.8)
//
// SYNOPSIS
//     master.cf:  error  unix  -  -  n  -  -  error
//                 retry  unix  -  -  n  -  -  error
// DESCRIPTION
//     A delivery agent (lib/mail/delivery_agent.h) that delivers nothing.
//     The next hop of the request is the reason, optionally preceded by
//     an RFC 3463 code, as Postfix's transport_maps and resolver write it
//     ("error:5.1.1 User unknown"). Under any service name but "retry"
//     every recipient bounces with that code (5.0.0 when none is given);
//     as "retry" every recipient is deferred (4.0.0 by default). The log
//     line says relay=none.
// SECURITY
//     Talks to no network and runs no command; fine chrooted as
//     mail_owner. Trusts qmgr only as far as the delivery protocol.
#include <memory>
#include <string>

#include "lib/mail/delivery_agent.h"
#include "lib/mail/dsn_text.h"

namespace {

void reject_all(std::unique_ptr<tern::DeliveryJob> job, tern::ServerContext& context) noexcept {
    const bool retry = context.service_name() == "retry";
    const tern::DsnText reason = tern::split_dsn_text(job->request().nexthop, retry ? "4.0.0" : "5.0.0");
    tern::AgentOutcome outcome;
    outcome.status = retry ? tern::DeliveryStatus::Deferred : tern::DeliveryStatus::Bounced;
    outcome.dsn = reason.dsn;
    outcome.reason = reason.text.empty() ? (retry ? "delivery temporarily suspended" : "delivery failed") : reason.text;
    outcome.relay = "none";
    tern::DeliveryJob::finish_all(std::move(job), outcome);
}

}  // namespace

int main(int argc, char** argv) {
    return tern::run_delivery_agent(argc, argv, {
        .service = "error",
        .before_chroot = {},
        .after_privilege_drop = {},
        .on_request = reject_all,
        .on_stop = {},
        .busy_at_clients = 0,
    });
}
