// master/pid_lock.cpp - lock and write QUEUE_DIR/pid/master.pid
#include "master/pid_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace master {
namespace {

struct flock whole_file(short type) {
    struct flock lock {};
    lock.l_type = type;
    lock.l_whence = SEEK_SET;
    return lock;
}

}  // namespace

tern::Result<PidLock> PidLock::acquire(const std::string& path) {
    tern::Fd fd{::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644)};
    if (!fd) return tern::fail(tern::Retry::Permanent, "open lock file " + path, errno);
    struct flock lock = whole_file(F_WRLCK);
    if (::fcntl(fd.get(), F_SETLK, &lock) < 0) {
        if (errno == EAGAIN || errno == EACCES)
            return tern::fail(tern::Retry::Permanent, "the tern mail system is already running");
        return tern::fail(tern::Retry::Permanent, "lock " + path, errno);
    }
    return PidLock(path, std::move(fd));
}

tern::Status PidLock::write_pid() const {
    char line[32];
    const int n = std::snprintf(line, sizeof line, "%10d\n", static_cast<int>(::getpid()));
    if (::ftruncate(fd_.get(), 0) < 0 || ::pwrite(fd_.get(), line, static_cast<std::size_t>(n), 0) != n)
        return tern::fail(tern::Retry::Temporary, "write " + path_, errno);
    return {};
}

void PidLock::remove() {
    if (!fd_) return;
    (void)::unlink(path_.c_str());
    fd_.reset();
}

tern::Result<bool> master_running(const std::string& path) {
    tern::Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
    if (!fd) {
        if (errno == ENOENT) return false;
        return tern::fail(tern::Retry::Permanent, "open " + path, errno);
    }
    struct flock lock = whole_file(F_WRLCK);
    if (::fcntl(fd.get(), F_GETLK, &lock) < 0) return tern::fail(tern::Retry::Permanent, "lock test " + path, errno);
    return lock.l_type != F_UNLCK;
}

}  // namespace master
