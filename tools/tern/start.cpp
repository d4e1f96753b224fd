// tools/tern/start.cpp - tern start: check, then run master and wait for its lock
//
// Like postfix-script's "start": refuse when a master already runs, run
// the checks, log "starting the tern mail system", then run
// DAEMON_DIR/master. master daemonizes and takes the pid-file lock
// (lib/mail/master_protocol.h); its own exit status says whether it could
// start (as Postfix's "master -w"). tern start returns only when the lock
// is held, so a "tern status" right after it tells the truth.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "lib/base/exec.h"
#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "tools/tern/commands.h"
#include "tools/tern/master_pid.h"

namespace tern_cmd {
namespace {

// How long a master that said it started may take to hold its lock.
constexpr auto kLockWait = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(20);

[[noreturn]] void exec_master(const std::string& master, const Invocation& inv) {
    tern::Fd null{::open("/dev/null", O_RDONLY | O_CLOEXEC)};
    if (null && null.get() != STDIN_FILENO) (void)::dup2(null.get(), STDIN_FILENO);
    std::vector<std::string> words{master, "-c", inv.config_dir};
    for (int i = 0; i < inv.verbose; ++i) words.emplace_back("-v");
    ::signal(SIGHUP, SIG_DFL);
    const tern::Error failed = tern::exec_program(master, std::move(words));
    tern::log_error("%s", failed.describe().c_str());
    ::_exit(kExitFail);
}

// Runs master and returns its exit status (non-zero: it could not start).
int run_master(const std::string& master, const Invocation& inv) {
    const pid_t child = ::fork();
    if (child < 0) tern::log_fatal("fork: %s", std::strerror(errno));
    if (child == 0) exec_master(master, inv);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) tern::log_fatal("waitpid: %s", std::strerror(errno));
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return kExitFail;
}

bool wait_for_lock(const std::string& queue_dir) {
    const auto deadline = std::chrono::steady_clock::now() + kLockWait;
    while (!running_master(queue_dir)) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(kPollInterval);
    }
    return true;
}

}  // namespace

int run_start(const Invocation& inv) {
    const Instance instance = load_instance(inv);
    if (running_master(instance.queue_dir)) tern::log_fatal("the tern mail system is already running");
    const std::string master = instance.daemon_dir + "/master";
    struct stat st {};
    if (::stat(master.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        tern::log_fatal("no tern master program %s!", master.c_str());
    if (!check_instance(instance)) tern::log_fatal("tern integrity check failed!");
    tern::log_info("starting the tern mail system");
    if (run_master(master, inv) != 0 || !wait_for_lock(instance.queue_dir))
        tern::log_fatal("mail system startup failed");
    return kExitOk;
}

}  // namespace tern_cmd
