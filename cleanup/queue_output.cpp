// cleanup/queue_output.cpp - create queue files under a temporary name (see queue_output.h)
#include "cleanup/queue_output.h"

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/queue_recovery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace cleanup {
namespace {

constexpr int kCreateAttempts = 10;

std::uint64_t next_serial() noexcept {
    static std::uint64_t serial = 0;
    return ++serial;
}

}  // namespace

TempName& TempName::operator=(TempName&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

void TempName::remove() noexcept {
    if (!path_.empty()) (void)::unlink(path_.c_str());
    path_.clear();
}

tern::Result<NewQueueFile> create_queue_file(const std::string& directory) {
    std::string path;
    for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
        path = directory + "/" + tern::temp_queue_file_name(::getpid(), next_serial());
        tern::Fd fd{::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
        if (!fd) {
            if (errno == EEXIST) continue;
            return tern::fail(tern::Retry::Temporary, "create " + path, errno);
        }
        TempName temp(path);
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) return tern::fail(tern::Retry::Temporary, "fstat " + path, errno);
        timeval now{};
        ::gettimeofday(&now, nullptr);
        tern::QueueId id = tern::QueueId::make(now, static_cast<std::uint64_t>(st.st_ino));
        return NewQueueFile{std::move(fd), std::move(temp), std::move(id), now};
    }
    return tern::fail(tern::Retry::Temporary, "create " + path + ": no free temporary name");
}

std::string final_path(tern::QueueName queue, const tern::QueueId& id) {
    return tern::queue_file_path("", queue, id);
}

}  // namespace cleanup

namespace cleanup {

std::size_t remove_stale_temp_files(const std::string& directory) {
    const tern::TempRecovery done = tern::recover_temp_queue_files(directory, tern::TempOwners::Dead);
    return done.recovered + done.removed;
}

}  // namespace cleanup
