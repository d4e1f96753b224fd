// master/daemon.cpp - fork early, report readiness, detach stdio
#include "master/daemon.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "lib/base/log.h"

namespace master {

Detacher Detacher::fork_and_wait() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) tern::log_fatal("pipe: %s", std::strerror(errno));
    tern::Fd read_end{fds[0]};
    tern::Fd write_end{fds[1]};
    const pid_t pid = ::fork();
    if (pid < 0) tern::log_fatal("fork: %s", std::strerror(errno));
    if (pid > 0) {
        write_end.reset();
        char byte = 0;
        ssize_t n = 0;
        do {
            n = ::read(read_end.get(), &byte, 1);
        } while (n < 0 && errno == EINTR);
        if (n == 1) std::_Exit(0);
        int wait_status = 0;
        ::waitpid(pid, &wait_status, 0);
        std::_Exit(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) != 0 ? WEXITSTATUS(wait_status) : 1);
    }
    read_end.reset();
    if (::setsid() < 0) tern::log_fatal("setsid: %s", std::strerror(errno));
    return Detacher(std::move(write_end));
}

void Detacher::ready() {
    const tern::Fd null{::open("/dev/null", O_RDWR | O_CLOEXEC)};
    if (null) {
        for (int fd = 0; fd <= 2; ++fd) (void)::dup2(null.get(), fd);
    }
    tern::log_use_stderr(false);
    const char byte = 'R';
    (void)!::write(notify_.get(), &byte, 1);
    notify_.reset();
}

}  // namespace master
