// smtpd - receive mail over SMTP and hand it to cleanup (man/man8/smtpd.8)
//
// SYNOPSIS
//     master.cf:  smtp inet n - n - - smtpd
//     stand-alone: smtpd -d -l 127.0.0.1:2525 -n smtp -c CONFIG_DIR
// DESCRIPTION
//     Wires smtpd's pieces into the event-server skeleton: the settings
//     and access tables are loaded before chroot, the cleanup socket path
//     is fixed after it, and every accepted client becomes a Session.
// SECURITY
//     Runs as mail_owner, chrooted to queue_directory when master.cf says
//     so; talks to untrusted clients only through smtpd/protocol.h.
#include <memory>
#include <string>

#include "lib/base/log.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/config.h"
#include "lib/mail/event_server.h"
#include "smtpd/restrictions.h"
#include "smtpd/session.h"

namespace {

// smtpd::Restrictions behind the Protocol's Policy interface.
class RestrictionPolicy final : public smtpd::Policy {
public:
    explicit RestrictionPolicy(smtpd::Restrictions restrictions) : restrictions_(std::move(restrictions)) {}
    smtpd::Verdict check(smtpd::Stage stage, const smtpd::PolicyContext& context) const override {
        return restrictions_.check(stage, context);
    }

private:
    smtpd::Restrictions restrictions_;
};

smtpd::Daemon& daemon_state() {
    static smtpd::Daemon daemon;
    return daemon;
}

tern::NetList net_list(const std::vector<std::string>& entries, std::string_view parameter) {
    tern::Result<tern::NetList> list = tern::NetList::parse(entries, parameter);
    if (!list) tern::log_fatal("%s", list.error().describe().c_str());
    return std::move(*list);
}

void load(tern::ServerContext&) {
    smtpd::Daemon& d = daemon_state();
    tern::Result<smtpd::Settings> settings = smtpd::load_settings(tern::config());
    if (!settings) tern::log_fatal("%s", settings.error().describe().c_str());
    d.settings = std::move(*settings);
    tern::Result<smtpd::Restrictions> restrictions = smtpd::Restrictions::load(tern::config());
    if (!restrictions) tern::log_fatal("%s", restrictions.error().describe().c_str());
    d.policy = std::make_unique<RestrictionPolicy>(std::move(*restrictions));
    d.event_limit_exceptions =
        net_list(d.settings.event_limit_exceptions, "smtpd_client_event_limit_exceptions");
    d.bare_newline_exclusions =
        net_list(d.settings.bare_newline_exclusions, "smtpd_forbid_bare_newline_exclusions");
    d.limits = std::make_unique<smtpd::ClientLimits>(smtpd::ClientLimitSettings{
        .count_limit = d.settings.connection_count_limit,
        .rate_limit = d.settings.connection_rate_limit,
        .window_s = d.settings.rate_time_unit_s,
    });
}

// Chrooted, the queue is "/"; else cleanup's socket is under queue_directory.
void find_cleanup(tern::ServerContext& ctx) {
    smtpd::Daemon& d = daemon_state();
    const std::string base = ctx.root_directory() == "/" ? d.settings.queue_directory : "";
    d.cleanup_path = base + "/" + std::string(tern::kCleanupSocketPath);
}

}  // namespace

int main(int argc, char** argv) {
    return tern::run_event_server(argc, argv, {
        .service = "smtpd",
        .before_chroot = load,
        .after_privilege_drop = find_cleanup,
        .on_accept = [](tern::Fd client, tern::ServerContext& ctx) noexcept {
            smtpd::Session::start(std::move(client), ctx, daemon_state());
        },
        .on_stop = [](tern::ServerContext&) { daemon_state().sessions.clear(); },
        .busy_at_clients = 0,
    });
}
