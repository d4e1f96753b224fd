// virtual - deliver mail into virtual Maildirs and mbox files (man/man8/virtual.8)
//
// SYNOPSIS
//     master.cf:  virtual  unix  -  n  n  -  -  virtual
//     stand-alone (tests): virtual -d -c CONFIG_DIR -l /path/sock -n virtual
// DESCRIPTION
//     A synchronous delivery agent in the lib/mail/delivery_agent.h
//     skeleton, one request at a time. Per request it reads the message's
//     Delivered-To: headers once, then settles each recipient with
//     virt::deliver_recipient (recipient.h): virtual_mailbox_maps gives
//     the Maildir or mbox below virtual_mailbox_base, virtual_uid_maps and
//     virtual_gid_maps the owner it writes as.
//     virtual_mailbox_limit is a file size limit (RLIMIT_FSIZE, SIGXFSZ
//     ignored) as in Postfix: a write past it fails with EFBIG and the
//     recipient bounces 5.2.2.
// SECURITY
//     Runs as root, not chrooted (master.cf unprivileged "n"), because it
//     must write as each mailbox owner: every mailbox operation happens
//     under ScopedIdentity with the uid/gid from the maps, never as root,
//     and uids below virtual_minimum_uid are refused. Tables are opened
//     once before the loop. Trusts main.cf, the tables and the queue file.
#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/delivered_to.h"
#include "lib/mail/delivery_agent.h"
#include "virtual/recipient.h"
#include "virtual/settings.h"

namespace {

// Loaded once before the loop (the process's configuration).
std::optional<virt::Settings> g_settings;

void load(tern::ServerContext&) {
    tern::Result<virt::Settings> s = virt::load_settings(tern::config());
    if (!s) tern::log_fatal("%s", s.error().describe().c_str());
    g_settings = std::move(*s);
    if (g_settings->mailbox_limit > 0) {
        const rlimit limit{static_cast<rlim_t>(g_settings->mailbox_limit),
                           static_cast<rlim_t>(g_settings->mailbox_limit)};
        if (::setrlimit(RLIMIT_FSIZE, &limit) < 0)
            tern::log_fatal("set file size limit %lld: %s", g_settings->mailbox_limit, std::strerror(errno));
        ::signal(SIGXFSZ, SIG_IGN);
    }
}

void deliver(std::unique_ptr<tern::DeliveryJob> job, tern::ServerContext&) noexcept {
    virt::Message message{job->queue_fd(), &job->queue_file(), job->queue_path(), {}};
    tern::ContentReader reader = job->content();
    tern::Result<tern::DeliveredSet> seen = tern::read_delivered_to(reader);
    if (seen) message.delivered_to = std::move(*seen);
    std::vector<tern::AgentOutcome> outcomes;
    for (const tern::DeliveryRecipient& r : job->request().recipients) {
        if (!seen) {
            tern::AgentOutcome out;
            out.status = tern::DeliveryStatus::Deferred;
            out.dsn = "4.3.0";
            out.reason = "error reading message: " + seen.error().describe();
            out.relay = "virtual";
            outcomes.push_back(std::move(out));
            continue;
        }
        const auto start = std::chrono::steady_clock::now();
        tern::AgentOutcome out = virt::deliver_recipient(*g_settings, message, r);
        out.transmit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        outcomes.push_back(std::move(out));
    }
    tern::DeliveryJob::finish(std::move(job), std::move(outcomes));
}

}  // namespace

int main(int argc, char** argv) {
    return tern::run_delivery_agent(argc, argv, {
        .service = "virtual",
        .before_chroot = load,
        .on_request = deliver,
        .busy_at_clients = 1,
    });
}
