// qmgr/queue_scan.cpp - trigger bytes, queue folder passes, due times (see queue_scan.h)
#include "qmgr/queue_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/master_protocol.h"
#include "lib/mail/qmgr_trigger.h"
#include "lib/mail/queue_id.h"

namespace qmgr {

namespace {

// Postfix lets a file's mtime be one second ahead of the clock.
constexpr std::int64_t kClockSlackS = 1;

using DirPtr = std::unique_ptr<DIR, tern::CFree<closedir>>;

}  // namespace

TriggerActions parse_trigger(std::string_view bytes) {
    TriggerActions actions;
    if (!bytes.empty() && bytes.front() == tern::kQmgrRequestMessage) {
        std::string_view id = bytes.substr(1);
        while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.remove_suffix(1);
        if (tern::is_valid_queue_id(id)) {
            actions.flush_id = std::string(id);
            actions.scan_deferred = true;
        }
        return actions;
    }
    for (const char byte : bytes) {
        if (byte == tern::kQmgrRequestScanIncoming || byte == tern::kWakeupByte) actions.scan_incoming = true;
        else if (byte == tern::kQmgrRequestScanDeferred) actions.scan_deferred = true;
        else if (byte == tern::kQmgrRequestScanAll) actions.ignore_times = true;
        else if (byte == tern::kQmgrRequestFlush) actions.forget_dead = true;
    }
    return actions;
}

std::vector<std::string> select_due(std::span<const ScanEntry> entries, std::int64_t now_s, bool ignore_times) {
    std::vector<std::string> due;
    for (const ScanEntry& entry : entries) {
        if (!entry.regular || !tern::is_valid_queue_id(entry.name)) continue;
        if (!ignore_times && entry.mtime_s > now_s + kClockSlackS) continue;
        due.push_back(entry.name);
    }
    std::sort(due.begin(), due.end());
    return due;
}

tern::Result<std::vector<ScanEntry>> list_queue_folder(const std::string& folder, std::size_t max_entries) {
    tern::Fd dir_fd{::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (!dir_fd) return tern::fail(tern::Retry::Temporary, "open " + folder, errno);
    const int fd_for_stat = dir_fd.get();
    DirPtr dir{::fdopendir(fd_for_stat)};
    if (!dir) return tern::fail(tern::Retry::Temporary, "fdopendir " + folder, errno);
    (void)dir_fd.release();  // the DIR owns it now
    std::vector<ScanEntry> entries;
    errno = 0;
    while (const dirent* d = ::readdir(dir.get())) {
        const std::string_view name = d->d_name;
        if (name.empty() || name.front() == '.') continue;
        if (entries.size() >= max_entries) break;
        struct stat st {};
        if (::fstatat(fd_for_stat, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone meanwhile
        entries.push_back({std::string(name), static_cast<std::int64_t>(st.st_mtime), S_ISREG(st.st_mode)});
    }
    return entries;
}

void QueueScan::request(bool ignore_times) noexcept {
    requested_ = true;
    requested_all_ = requested_all_ || ignore_times;
}

void QueueScan::start_pass(std::int64_t now_s) {
    const bool all = requested_all_;
    requested_ = false;
    requested_all_ = false;
    pending_.clear();
    position_ = 0;
    const std::string folder{tern::to_string(queue_)};
    tern::Result<std::vector<ScanEntry>> entries = list_queue_folder(folder);
    if (!entries) {
        tern::log_warning("scan %s: %s", folder.c_str(), entries.error().describe().c_str());
        return;
    }
    pending_ = select_due(*entries, now_s, all);
    tern::log_debug("scan %s: %zu entries, %zu due", folder.c_str(), entries->size(), pending_.size());
}

std::optional<std::string> QueueScan::next(std::int64_t now_s) {
    if (position_ >= pending_.size()) {
        if (!requested_) return std::nullopt;
        start_pass(now_s);
        if (position_ >= pending_.size()) return std::nullopt;
    }
    return std::move(pending_[position_++]);
}

}  // namespace qmgr
