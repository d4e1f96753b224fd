// smtp, lmtp - deliver mail over SMTP or LMTP (man/man8/smtp.8, lmtp.8)
//
// SYNOPSIS
//     smtp -n smtp ...   (started by master; "-d -l /path/sock -n smtp" stand-alone)
//     lmtp -n lmtp ...   (the same program: the name picks LMTP and the lmtp_* parameters)
// DESCRIPTION
//     Wires the client into run_delivery_agent: settings and resolv.conf
//     (dns_resolv_conf) are read before the chroot, the Agent is made on
//     the loop after the privilege drop, every request becomes a Delivery,
//     and the cached sessions say QUIT when the process stops. One process
//     serves up to 100 requests at a time.
// SECURITY
//     Runs as master.cf says, normally unprivileged and chrooted to the
//     queue directory; relative unix: next hops resolve inside it.
#include <memory>
#include <string_view>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/delivery_agent.h"
#include "smtp/delivery.h"
#include "smtp/settings.h"

namespace {

constexpr int kClientsPerProcess = 100;

smtp::Dialect dialect_of(std::string_view program) noexcept {
    const std::size_t slash = program.rfind('/');
    if (slash != std::string_view::npos) program.remove_prefix(slash + 1);
    return program == "lmtp" ? smtp::Dialect::Lmtp : smtp::Dialect::Smtp;
}

struct Process {
    smtp::Dialect dialect = smtp::Dialect::Smtp;
    smtp::Settings settings;
    std::unique_ptr<smtp::Agent> agent;
};

}  // namespace

int main(int argc, char** argv) {
    static Process process;  // the callbacks' shared state; lives until exit
    process.dialect = dialect_of(argc > 0 ? argv[0] : "smtp");
    const bool lmtp = process.dialect == smtp::Dialect::Lmtp;
    return tern::run_delivery_agent(argc, argv, {
        .service = lmtp ? "lmtp" : "smtp",
        .before_chroot =
            [](tern::ServerContext&) {
                process.settings = smtp::load_settings(process.dialect, tern::config());
                const std::string path = tern::config().get("dns_resolv_conf");
                tern::Result<tern::ResolverConfig> rc = tern::read_resolv_conf(path);
                if (!rc) tern::log_fatal("%s", rc.error().describe().c_str());
                process.settings.resolver = std::move(*rc);
            },
        .after_privilege_drop =
            [](tern::ServerContext& ctx) {
                process.settings.socket_base = ctx.root_directory() == "/" ? process.settings.queue_directory : "";
                process.agent = std::make_unique<smtp::Agent>(ctx.base(), process.settings);
            },
        .on_request = [](std::unique_ptr<tern::DeliveryJob> job,
                         tern::ServerContext&) noexcept { process.agent->deliver(std::move(job)); },
        .on_stop = [](tern::ServerContext&) { if (process.agent) process.agent->stop(); },
        .busy_at_clients = kClientsPerProcess,
    });
}
