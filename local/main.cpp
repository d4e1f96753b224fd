// local - deliver mail to local users: aliases, .forward, mailboxes, commands, files (man/man8/local.8)
//
// SYNOPSIS
//     master.cf:  local  unix  -  n  n  -  -  local
// DESCRIPTION
//     A synchronous delivery agent in the lib/mail/delivery_agent.h
//     skeleton: one request at a time (busy at one client), each
//     recipient settled by local::Delivery (delivery.h): loop check on
//     Delivered-To:, alias_maps, :include:, ~/.forward, then
//     mailbox_transport or the user's Maildir or mbox, fallback_transport
//     or a 5.1.1 bounce for unknown users. Forwarded addresses go back
//     through cleanup as a new message.
// SECURITY
//     Runs as root, not chrooted, because it must become each recipient:
//     mailbox and file writes happen under ScopedIdentity as the user (or
//     default_privs, or the alias database / include file owner) and
//     commands run in a child that gave up root for good. Trusts the
//     queue file and main.cf; reads .forward and :include: files only
//     after ownership and permission checks.
#include <memory>
#include <optional>
#include <vector>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/delivered_to.h"
#include "lib/mail/delivery_agent.h"
#include "local/delivery.h"
#include "local/mailbox.h"
#include "local/settings.h"

namespace {

// Loaded once before the loop (the process's configuration).
std::optional<local::Settings> g_settings;

void load(tern::ServerContext&) {
    tern::Result<local::Settings> s = local::load_settings(tern::config());
    if (!s) tern::log_fatal("%s", s.error().describe().c_str());
    g_settings = std::move(*s);
}

void deliver(std::unique_ptr<tern::DeliveryJob> job, tern::ServerContext&) noexcept {
    local::MessageInfo msg;
    msg.job = job.get();
    tern::ContentReader reader = job->content();
    tern::Result<tern::DeliveredSet> seen = tern::read_delivered_to(reader);
    if (seen) msg.delivered_to = std::move(*seen);
    std::vector<tern::AgentOutcome> outcomes;
    for (const tern::DeliveryRecipient& r : job->request().recipients) {
        if (!seen) {
            outcomes.push_back(local::local_outcome(tern::DeliveryStatus::Deferred, "4.3.0",
                                                    "error reading message: " + seen.error().describe()));
            continue;
        }
        local::Delivery delivery(*g_settings, msg, r);
        outcomes.push_back(delivery.run());
    }
    tern::DeliveryJob::finish(std::move(job), std::move(outcomes));
}

}  // namespace

int main(int argc, char** argv) {
    return tern::run_delivery_agent(argc, argv, {
        .service = "local",
        .before_chroot = load,
        .on_request = deliver,
        .busy_at_clients = 1,
    });
}
