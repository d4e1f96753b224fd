// bounce - send delivery status notifications (RFC 3464) for qmgr (man/man8/bounce.8)
//
// SYNOPSIS
//     master.cf:  bounce  unix  -  -  n  -  0  bounce
// DESCRIPTION
//     An event server on private/bounce. qmgr asks, one request per
//     connection (lib/mail/bounce_protocol.h), for the notices of one
//     message: flush (failed recipients, NOTIFY=SUCCESS deliveries),
//     expire (the message is too old) or delay (delay_warning_time
//     passed). bounce reads the queue file and the bounce/ and defer/
//     logs, composes the DSN (bounce/bounce_dsn.h) and submits it to
//     cleanup with the null sender (bounce/bounce_service.h).
// SECURITY
//     Runs as mail_owner, optionally chrooted to queue_directory. Its
//     socket is private (only qmgr talks to it). Requests are decoded with
//     kBounceAttrLimits and checked (known request, queue name, queue ID)
//     before a path is made from them; queue files are opened O_NOFOLLOW
//     and parsed with limits; log and peer text in notices is made
//     printable.
// LIMITS
//     ipc_timeout bounds a request and each cleanup conversation;
//     bounce_size_limit bounds the returned original.
#include <climits>
#include <memory>

#include "bounce/bounce_service.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/config.h"
#include "lib/mail/event_server.h"

namespace {

constexpr int kClientsPerProcess = 10;

long long required(tern::Result<long long> value) {
    if (!value) tern::log_fatal("%s", value.error().describe().c_str());
    return *value;
}

bounce::Settings settings_from_config(const tern::ServerContext& ctx) {
    const tern::Config& cfg = tern::config();
    const bool chrooted = ctx.root_directory() != "/";
    bounce::Settings s;
    s.queue_directory = chrooted ? "" : cfg.get("queue_directory");
    s.cleanup_path = (chrooted ? std::string() : s.queue_directory) + "/public/cleanup";
    s.timeout_ms = static_cast<int>(std::min<long long>(required(cfg.seconds("ipc_timeout")), INT_MAX / 1000) * 1000);
    s.notice.myhostname = cfg.get("myhostname");
    s.notice.myorigin = cfg.get("myorigin");
    s.notice.double_bounce_sender = cfg.get("double_bounce_sender");
    s.notice.double_bounce_recipient = cfg.get("2bounce_notice_recipient");
    s.notice.bounce_recipient = cfg.get("bounce_notice_recipient");
    s.notice.delay_recipient = cfg.get("delay_notice_recipient");
    for (const std::string& name : cfg.list("notify_classes")) {
        if (tern::iequals(name, "bounce")) s.notice.notify_bounce = true;
        if (tern::iequals(name, "delay")) s.notice.notify_delay = true;
    }
    s.mail_name = cfg.get("mail_name");
    s.bounce_size_limit = static_cast<std::uint64_t>(std::max(0LL, required(cfg.bytes("bounce_size_limit"))));
    s.delay_warning_s = required(cfg.seconds("delay_warning_time"));
    s.max_queue_lifetime_s = required(cfg.seconds("maximal_queue_lifetime"));
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    std::unique_ptr<bounce::Service> service;
    return tern::run_event_server(argc, argv, {
        .service = "bounce",
        .after_privilege_drop =
            [&service](tern::ServerContext& ctx) {
                service = std::make_unique<bounce::Service>(ctx, settings_from_config(ctx));
            },
        .on_accept = [&service](tern::Fd client, tern::ServerContext&) noexcept { service->accept(std::move(client)); },
        .on_stop = [&service](tern::ServerContext&) { service.reset(); },
        .busy_at_clients = kClientsPerProcess,
    });
}
