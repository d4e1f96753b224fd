// pickup - feed local submissions from maildrop/ to cleanup (man/man8/pickup.8)
//
// SYNOPSIS
//     master.cf:  pickup  unix  n  -  n  60  1  pickup
// DESCRIPTION
//     A trigger server in the event-server skeleton: at start, and at
//     every wakeup (master's timer, or any byte written to public/pickup)
//     it scans maildrop/ and hands each message to cleanup (pickup.h).
//     The scan blocks the loop, as Postfix's pickup does; every cleanup
//     read and write is bounded by ipc_timeout.
// SECURITY
//     Runs as mail_owner, optionally chrooted to queue_directory. Trusts
//     nothing in maildrop/: files are opened without following links and
//     checked (regular, one link), parsed with limits, and only the
//     envelope, content, full_name and postdrop's submit_uid are used
//     (request.h). Login names for submit_user come from getpwuid(3), or
//     inside a chroot from a copy of /etc/passwd read before the chroot.
// LIMITS
//     A maildrop file may be at most message_size_limit plus
//     kEnvelopeAllowance bytes (0: kUnlimitedMessage).
#include <event2/event.h>

#include <climits>
#include <memory>
#include <optional>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/event_server.h"
#include "pickup/pickup.h"

namespace {

constexpr std::uint64_t kEnvelopeAllowance = 4 * 1024 * 1024;
constexpr std::uint64_t kUnlimitedMessage = std::uint64_t{4} << 30;
constexpr const char* kPasswdFile = "/etc/passwd";

// What the callbacks share; lives in main() for the whole run.
struct State {
    std::optional<pickup::UserNames> passwd_copy;
    std::unique_ptr<pickup::Pickup> pickup;
};

pickup::PickupSettings settings_from_config(const tern::ServerContext& ctx) {
    const tern::Config& cfg = tern::config();
    pickup::PickupSettings settings;
    settings.queue_directory = ctx.root_directory() == "/" ? cfg.get("queue_directory") : "/";
    const tern::Result<long long> timeout_s = cfg.seconds("ipc_timeout");
    if (!timeout_s) tern::log_fatal("%s", timeout_s.error().describe().c_str());
    settings.timeout_ms = static_cast<int>(std::min<long long>(*timeout_s, INT_MAX / 1000) * 1000);
    const tern::Result<long long> size = cfg.bytes("message_size_limit");
    if (!size) tern::log_fatal("%s", size.error().describe().c_str());
    settings.limits.max_file_bytes =
        *size > 0 ? static_cast<std::uint64_t>(*size) + kEnvelopeAllowance : kUnlimitedMessage;
    return settings;
}

void read_passwd(State& state) {
    tern::Result<pickup::UserNames> names = pickup::UserNames::from_file(kPasswdFile);
    if (!names) {
        tern::log_warning("%s; submit_user will be \"unknown\" inside the chroot", names.error().describe().c_str());
        return;
    }
    state.passwd_copy = std::move(*names);
}

void start(State& state, tern::ServerContext& ctx) {
    const bool chrooted = ctx.root_directory() != "/";
    pickup::UserNames names = !chrooted              ? pickup::UserNames::live()
                              : state.passwd_copy ? std::move(*state.passwd_copy)
                                                  : pickup::UserNames::parse("");
    state.pickup = std::make_unique<pickup::Pickup>(settings_from_config(ctx), std::move(names));
    // The first scan runs once the loop does, so master sees us available first.
    static const timeval kNow{0, 0};
    auto first_scan = [](evutil_socket_t, short, void* arg) noexcept {
        static_cast<pickup::Pickup*>(arg)->scan();
    };
    if (event_base_once(ctx.base(), -1, EV_TIMEOUT, first_scan, state.pickup.get(), &kNow) != 0)
        tern::log_warning("cannot schedule the first maildrop scan; waiting for a wakeup");
}

}  // namespace

int main(int argc, char** argv) {
    State state;
    return tern::run_event_server(argc, argv, {
        .service = "pickup",
        .before_chroot = [&state](tern::ServerContext&) { read_passwd(state); },
        .after_privilege_drop = [&state](tern::ServerContext& ctx) { start(state, ctx); },
        .on_wakeup = [&state](std::string_view, tern::ServerContext&) noexcept {
            if (state.pickup) state.pickup->scan();
        },
    });
}
