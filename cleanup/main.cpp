// cleanup - canonicalize and enqueue messages from smtpd and pickup (man/man8/cleanup.8)
//
// SYNOPSIS
//     master.cf:  cleanup unix n - n - 0 cleanup
// DESCRIPTION
//     Wires cleanup's modules into the event-server skeleton: settings and
//     tables are loaded before chroot, the service (streams, group commit,
//     qmgr trigger) after the privilege drop; each connection on
//     public/cleanup is one cleanup/stream.h conversation.
// SECURITY
//     Runs as mail_owner, optionally chrooted to queue_directory; writes
//     only below incoming/ and hold/.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "cleanup/service.h"
#include "cleanup/settings.h"
#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/event_server.h"

namespace {

void load(tern::ServerContext&) {
    ::tzset();  // Date: and Received: use local time; /etc/localtime is outside the chroot
    tern::Result<cleanup::Settings> s = cleanup::load_settings(tern::config());
    if (!s) tern::log_fatal("%s", s.error().describe().c_str());
    cleanup::set_settings(std::move(*s));
    // Paths are relative to queue_directory: master starts us there, a
    // stand-alone (-d) run may not be.
    const std::string queue = tern::config().get("queue_directory");
    if (!queue.empty() && ::chdir(queue.c_str()) != 0)
        tern::log_fatal("chdir %s: %s", queue.c_str(), std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) {
    return tern::run_event_server(argc, argv, {
        .service = "cleanup",
        .before_chroot = load,
        .after_privilege_drop = [](tern::ServerContext& ctx) { cleanup::Service::create(ctx); },
        .on_accept = [](tern::Fd client, tern::ServerContext&) noexcept {
            if (cleanup::Service* s = cleanup::Service::instance()) s->accept(std::move(client));
        },
        .on_stop = [](tern::ServerContext&) { cleanup::Service::destroy(); },
        // One process serves many streams, and one group committer per
        // process makes the batches: busy at 100 made master start more
        // cleanups under 500 sessions, each with smaller batches
        // (bench/receive-bench: 180 msg/s against 302 at 1000).
        .busy_at_clients = 1000,
    });
}
