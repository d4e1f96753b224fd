// tools/tern/control.cpp - tern stop, abort, reload and status: signal the running master
//
// As postfix-script: stop sends SIGTERM and waits up to kStopWaitS
// seconds, saying so each second, then kills master's process group with
// SIGKILL ("with force"); abort sends SIGTERM and does not wait; reload
// sends SIGHUP; status says whether master runs (exit 0) or not (exit 1).
#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "lib/base/log.h"
#include "tools/tern/commands.h"
#include "tools/tern/master_pid.h"

namespace tern_cmd {
namespace {

constexpr int kStopWaitS = 5;
constexpr auto kPollInterval = std::chrono::milliseconds(20);

// The running master's pid; fatal when there is none.
pid_t require_master(const Instance& instance) {
    const std::optional<pid_t> pid = running_master(instance.queue_dir);
    if (!pid) tern::log_fatal("the tern mail system is not running");
    return *pid;
}

void send(pid_t pid, int signal_number) {
    if (::kill(pid, signal_number) != 0 && errno != ESRCH)
        tern::log_fatal("kill %d: %s", static_cast<int>(pid), std::strerror(errno));
}

// True once the lock is gone, polling until `wait` has passed.
bool gone_within(const std::string& queue_dir, std::chrono::steady_clock::duration wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        if (!running_master(queue_dir)) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(kPollInterval);
    }
}

// Says what it is about to do, then sends the signal to the running master.
int signal_master(const Invocation& inv, const char* announcement, int signal_number) {
    const Instance instance = load_instance(inv);
    const pid_t pid = require_master(instance);
    tern::log_info("%s", announcement);
    send(pid, signal_number);
    return kExitOk;
}

}  // namespace

int run_stop(const Invocation& inv) {
    const Instance instance = load_instance(inv);
    const pid_t pid = require_master(instance);
    tern::log_info("stopping the tern mail system");
    send(pid, SIGTERM);
    for (int second = 0; second < kStopWaitS; ++second) {
        if (!running_master(instance.queue_dir)) return kExitOk;
        tern::log_info("waiting for the tern mail system to terminate");
        if (gone_within(instance.queue_dir, std::chrono::seconds(1))) return kExitOk;
    }
    tern::log_warning("stopping the tern mail system with force");
    // master leads its own process group once daemonized; kill(-pid)
    // finds nothing (ESRCH) otherwise, and then master alone is killed.
    if (::kill(-pid, SIGKILL) != 0) send(pid, SIGKILL);
    (void)gone_within(instance.queue_dir, std::chrono::seconds(kStopWaitS));
    return kExitOk;
}

int run_abort(const Invocation& inv) { return signal_master(inv, "aborting the tern mail system", SIGTERM); }

int run_reload(const Invocation& inv) { return signal_master(inv, "refreshing the tern mail system", SIGHUP); }

int run_status(const Invocation& inv) {
    const Instance instance = load_instance(inv);
    const std::optional<pid_t> pid = running_master(instance.queue_dir);
    if (!pid) {
        tern::log_info("the tern mail system is not running");
        return kExitFail;
    }
    tern::log_info("the tern mail system is running: PID: %d", static_cast<int>(*pid));
    return kExitOk;
}

}  // namespace tern_cmd
