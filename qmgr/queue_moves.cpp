// qmgr/queue_moves.cpp - moving, deferring and removing queue files (see queue_moves.h)
#include "qmgr/queue_moves.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lib/base/log.h"
#include "lib/mail/delivery_log.h"
#include "lib/mail/queue_file.h"
#include "qmgr/queue_scan.h"

namespace qmgr {

tern::Status move_queue_file(tern::QueueName from, tern::QueueName to, const std::string& id) {
    const std::string old_path = tern::queue_file_path("", from, id);
    const std::string new_path = tern::queue_file_path("", to, id);
    if (::rename(old_path.c_str(), new_path.c_str()) != 0)
        return tern::fail(tern::Retry::Temporary, "rename " + old_path + " to " + new_path, errno);
    return {};
}

tern::Status defer_queue_file(int fd, const std::string& id, std::uint64_t schedule_offset,
                              const tern::Schedule& schedule) {
    const std::string path = tern::queue_file_path("", tern::QueueName::Active, id);
    if (schedule_offset != 0) {
        if (tern::Status s = tern::update_schedule(fd, schedule_offset, schedule, path); !s) return s;
    }
    return delay_queue_file(fd, id, tern::QueueName::Deferred, schedule.next_attempt_s);
}

bool queue_file_in_use(int fd) noexcept {
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) return errno == EWOULDBLOCK;
    (void)::flock(fd, LOCK_UN);
    return false;
}

tern::Status delay_queue_file(int fd, const std::string& id, tern::QueueName to, std::int64_t until_s) {
    const timespec when{static_cast<time_t>(until_s), 0};
    const timespec times[2] = {when, when};
    if (::futimens(fd, times) != 0)
        return tern::fail(tern::Retry::Temporary, "set time stamps of active/" + id, errno);
    return move_queue_file(tern::QueueName::Active, to, id);
}

tern::Status remove_queue_file(const std::string& id) {
    const std::string path = tern::queue_file_path("", tern::QueueName::Active, id);
    if (::unlink(path.c_str()) != 0) {
        if (errno != ENOENT) return tern::fail(tern::Retry::Temporary, "remove " + path, errno);
        tern::log_warning("remove %s: %s", path.c_str(), std::strerror(errno));
    } else {
        tern::log_info("%s: removed", id.c_str());  // the same words as postsuper
    }
    if (tern::Status s = tern::remove_delivery_log("", tern::DeliveryLog::Defer, id); !s)
        tern::log_warning("%s", s.error().describe().c_str());
    return {};
}

void save_corrupt(tern::QueueName from, const std::string& id) {
    if (tern::Status s = move_queue_file(from, tern::QueueName::Corrupt, id); !s) {
        tern::log_warning("save corrupt file: %s", s.error().describe().c_str());
        return;
    }
    tern::log_warning("saving corrupt file \"%s\" from queue \"%.*s\" to queue \"corrupt\"", id.c_str(),
                      static_cast<int>(tern::to_string(from).size()), tern::to_string(from).data());
}

std::size_t requeue_active() {
    tern::Result<std::vector<ScanEntry>> entries = list_queue_folder("active");
    if (!entries) {
        tern::log_warning("recover active queue: %s", entries.error().describe().c_str());
        return 0;
    }
    std::size_t moved = 0;
    for (const std::string& id : select_due(*entries, 0, true)) {
        if (tern::Status s = move_queue_file(tern::QueueName::Active, tern::QueueName::Incoming, id); !s) {
            tern::log_warning("%s", s.error().describe().c_str());
            continue;
        }
        ++moved;
    }
    return moved;
}

}  // namespace qmgr
