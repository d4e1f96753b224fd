// cleanup/queue_output.cpp - create queue files under a temporary name (see queue_output.h)
#include "cleanup/queue_output.h"

#include "lib/base/log.h"
#include "lib/base/text.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>

namespace cleanup {
namespace {

constexpr int kCreateAttempts = 10;
constexpr std::string_view kTempPrefix = "tmp.cleanup.";

// The PID in "tmp.cleanup.PID.N", or 0.
pid_t temp_file_owner(std::string_view name) {
    if (name.substr(0, kTempPrefix.size()) != kTempPrefix) return 0;
    name.remove_prefix(kTempPrefix.size());
    const std::size_t dot = name.find('.');
    if (dot == std::string_view::npos) return 0;
    const std::optional<long long> pid = tern::parse_integer(name.substr(0, dot));
    return pid && *pid > 0 && *pid < (1LL << 30) ? static_cast<pid_t>(*pid) : 0;
}

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
        path = directory + "/tmp.cleanup." + std::to_string(::getpid()) + "." + std::to_string(next_serial());
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
    std::unique_ptr<DIR, tern::CFree<::closedir>> dir(::opendir(directory.c_str()));
    if (!dir) return 0;
    std::size_t removed = 0;
    while (const dirent* entry = ::readdir(dir.get())) {
        const pid_t owner = temp_file_owner(entry->d_name);
        if (owner == 0 || owner == ::getpid()) continue;
        if (::kill(owner, 0) == 0 || errno != ESRCH) continue;
        const std::string path = directory + "/" + entry->d_name;
        if (::unlink(path.c_str()) == 0) {
            tern::log_info("removed stale temporary file %s", path.c_str());
            ++removed;
        }
    }
    return removed;
}

}  // namespace cleanup
