// showq - list the mail queue for postqueue and mailq (man/man8/showq.8)
//
// SYNOPSIS
//     master.cf:  showq  unix  n  -  n  -  -  showq
// DESCRIPTION
//     An event server on public/showq: every client gets the listing of
//     maildrop, hold, incoming, active and deferred as showq records
//     (lib/mail/queue_listing.h), then the end record, and the connection
//     is closed (session.h). Many clients are served at once by one
//     process; master adds processes when kClientsPerProcess are busy.
// SECURITY
//     Runs as mail_owner, optionally chrooted to queue_directory. Its
//     socket is reachable by local users (public/, group setgid_group, so
//     through the setgid postqueue); it reads nothing from them. Queue
//     files are opened without following links and parsed with limits.
// LIMITS
//     ipc_timeout bounds each write to a client; ListingLimits caps
//     the messages per listing.
#include <climits>
#include <memory>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/event_server.h"
#include "showq/session.h"

namespace {

constexpr int kClientsPerProcess = 100;

showq::Settings settings_from_config(const tern::ServerContext& ctx) {
    const tern::Config& cfg = tern::config();
    showq::Settings settings;
    settings.queue_directory = ctx.root_directory() == "/" ? cfg.get("queue_directory") : "/";
    const tern::Result<long long> timeout_s = cfg.seconds("ipc_timeout");
    if (!timeout_s) tern::log_fatal("%s", timeout_s.error().describe().c_str());
    settings.timeout_ms = std::min<long long>(*timeout_s, INT_MAX / 1000) * 1000;
    return settings;
}

}  // namespace

int main(int argc, char** argv) {
    std::unique_ptr<showq::Service> service;
    return tern::run_event_server(argc, argv, {
        .service = "showq",
        .after_privilege_drop =
            [&service](tern::ServerContext& ctx) {
                service = std::make_unique<showq::Service>(ctx, settings_from_config(ctx));
            },
        .on_accept = [&service](tern::Fd client, tern::ServerContext&) noexcept { service->accept(std::move(client)); },
        .on_stop = [&service](tern::ServerContext&) { service.reset(); },
        .busy_at_clients = kClientsPerProcess,
    });
}
