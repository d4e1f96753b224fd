// qmgr - the queue manager: schedules queued mail for delivery (man/man8/qmgr.8)
//
// SYNOPSIS
//     master.cf:  qmgr  unix  n  -  n  300  1  qmgr
// DESCRIPTION
//     One process, a trigger server in the event-server skeleton: bytes
//     on public/qmgr (cleanup's 'I', postqueue -f's "FADI", master's
//     wakeup) drive Manager (manager.h), which does the work on the loop.
//     Everything outside the queue directory (main.cf, master.cf, the
//     resolver's tables) is read before the chroot; afterwards qmgr works
//     in the queue directory with relative paths, chrooted or not.
// SECURITY
//     Runs as mail_owner, optionally chrooted. Queue files are opened
//     without following links; agents' answers are decoded with limits.
// LIMITS
//     qmgr_message_active_limit messages in memory, each with at most
//     qmgr_message_recipient_limit recipients scheduled at a time.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/event_server.h"
#include "lib/mail/master_cf.h"
#include "lib/mail/resolver.h"
#include "qmgr/manager.h"
#include "qmgr/settings.h"

namespace {

// What the callbacks share; lives in main() for the whole run.
struct State {
    std::optional<qmgr::Settings> settings;
    std::optional<tern::Resolver> resolver;
    std::unique_ptr<qmgr::Manager> manager;
};

void load(State& state) {
    const tern::Config& cfg = tern::config();
    tern::Result<std::vector<tern::MasterService>> services = tern::load_master_cf(cfg);
    if (!services) {
        tern::log_warning("%s; using default_process_limit for every transport", services.error().describe().c_str());
        services = std::vector<tern::MasterService>{};
    }
    tern::Result<qmgr::Settings> settings = qmgr::load_settings(cfg, *services);
    if (!settings) tern::log_fatal("%s", settings.error().describe().c_str());
    tern::Result<tern::Resolver> resolver = tern::Resolver::load(cfg);
    if (!resolver) tern::log_fatal("%s", resolver.error().describe().c_str());
    state.settings = std::move(*settings);
    state.resolver = std::move(*resolver);
}

void start(State& state, tern::ServerContext& ctx) {
    const std::string queue_directory = ctx.root_directory() == "/" ? tern::config().get("queue_directory") : "/";
    if (::chdir(queue_directory.c_str()) != 0)
        tern::log_fatal("chdir %s: %s", queue_directory.c_str(), std::strerror(errno));
    const qmgr::Settings& settings = *state.settings;
    auto limits = [&settings](std::string_view transport) {
        return qmgr::transport_limits(tern::config(), settings, transport);
    };
    state.manager = std::make_unique<qmgr::Manager>(ctx.base(), settings, std::move(*state.resolver), limits);
    state.manager->start();
}

}  // namespace

int main(int argc, char** argv) {
    State state;
    return tern::run_event_server(argc, argv, {
        .service = "qmgr",
        .before_chroot = [&state](tern::ServerContext&) { load(state); },
        .after_privilege_drop = [&state](tern::ServerContext& ctx) { start(state, ctx); },
        .on_wakeup = [&state](std::string_view bytes, tern::ServerContext&) noexcept {
            if (state.manager) state.manager->on_trigger(bytes);
        },
        .on_stop = [&state](tern::ServerContext&) { state.manager.reset(); },
        .busy_at_clients = 0,
        .ignore_max_idle = true,
        .ignore_max_use = true,
    });
}
