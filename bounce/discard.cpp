// discard - the discard mail transport: pretend to deliver every recipient (man/man8/discard.8)
//
// SYNOPSIS
//     master.cf:  discard  unix  -  -  n  -  -  discard
// DESCRIPTION
//     A delivery agent (lib/mail/delivery_agent.h) that throws mail away
//     and reports it sent. The next hop of the request (transport_maps
//     "discard:some text", or the recipient domain) is logged as the
//     reason, optionally preceded by an RFC 3463 code (2.0.0 when none is
//     given, or when the code is not a success code). relay=none.
//     Recipients that asked for NOTIFY=SUCCESS get a "delivered" record,
//     as Postfix's discard(8) does.
// SECURITY
//     Talks to no network and runs no command; fine chrooted as
//     mail_owner. Trusts qmgr only as far as the delivery protocol.
#include <memory>
#include <string>

#include "lib/mail/delivery_agent.h"
#include "lib/mail/dsn_text.h"

namespace {

void discard_all(std::unique_ptr<tern::DeliveryJob> job, tern::ServerContext&) noexcept {
    const tern::DsnText reason = tern::split_dsn_text(job->request().nexthop, "2.0.0");
    tern::AgentOutcome outcome;
    outcome.status = tern::DeliveryStatus::Sent;
    outcome.dsn = reason.dsn;
    outcome.reason = reason.text.empty() ? "discarded" : reason.text;
    outcome.relay = "none";
    tern::DeliveryJob::finish_all(std::move(job), outcome);
}

}  // namespace

int main(int argc, char** argv) {
    return tern::run_delivery_agent(argc, argv, {
        .service = "discard",
        .before_chroot = {},
        .after_privilege_drop = {},
        .on_request = discard_all,
        .on_stop = {},
        .busy_at_clients = 0,
    });
}
