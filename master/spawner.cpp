// master/spawner.cpp - fork, place descriptors, exec
#include "master/spawner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "lib/base/log.h"
#include "lib/mail/master_protocol.h"

namespace master {
namespace {

// Above every fixed descriptor, so moving one never overwrites another.
constexpr int kParkingFdBase = tern::kListenFdBase + tern::kMaxListenFds + 8;

[[noreturn]] void child_fail(const char* what, const char* path) {
    tern::log_error("%s %s: %s", what, path, std::strerror(errno));
    ::_exit(1);
}

// In the child: park every source descriptor high, then move to the fixed slots.
void place_descriptors(std::span<const int> listen_fds, int status_fd, int watch_fd, const char* path) {
    std::vector<int> sources{watch_fd, status_fd};
    sources.insert(sources.end(), listen_fds.begin(), listen_fds.end());
    std::vector<int> parked;
    for (const int fd : sources) {
        const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, kParkingFdBase);
        if (high < 0) child_fail("dup descriptor for", path);
        parked.push_back(high);
    }
    for (std::size_t i = 0; i < parked.size(); ++i) {
        const int target = i == 0 ? tern::kMasterWatchFd
                                  : (i == 1 ? tern::kStatusFd : tern::kListenFdBase + static_cast<int>(i) - 2);
        if (::dup2(parked[i], target) < 0) child_fail("dup2 for", path);  // dup2 clears close-on-exec
    }
}

void reset_signals() {
    for (const int sig : {SIGPIPE, SIGCHLD, SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM})
        std::signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace

tern::Result<pid_t> spawn_child(const std::vector<std::string>& argv, std::span<const int> listen_fds,
                                int status_write_fd, int watch_read_fd) {
    std::vector<char*> raw_argv;
    for (const std::string& word : argv) raw_argv.push_back(const_cast<char*>(word.c_str()));
    raw_argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return tern::fail(tern::Retry::Temporary, "fork " + argv.front(), errno);
    if (pid > 0) return pid;
    reset_signals();
    place_descriptors(listen_fds, status_write_fd, watch_read_fd, argv.front().c_str());
    ::execv(raw_argv[0], raw_argv.data());
    child_fail("exec", raw_argv[0]);
}

std::string describe_exit(int wait_status) {
    if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) return "killed by signal " + std::to_string(WTERMSIG(wait_status));
    return "status " + std::to_string(wait_status);
}

bool normal_exit(int wait_status) noexcept { return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0; }

}  // namespace master
