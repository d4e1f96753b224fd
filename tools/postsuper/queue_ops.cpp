// tools/postsuper/queue_ops.cpp - queue file operations by ID (contract in queue_ops.h)
#include "tools/postsuper/queue_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "lib/base/log.h"
#include "lib/mail/queue_id.h"

namespace postsuper {

namespace {

using tern::QueueName;
using DirPtr = std::unique_ptr<DIR, tern::CFree<closedir>>;

std::string folder_path(QueueName queue, const std::string& id = {}) {
    std::string path(tern::to_string(queue));
    if (!id.empty()) path.append("/").append(id);
    return path;
}

}  // namespace

tern::Result<QueueOps> QueueOps::open(const std::string& queue_directory) {
    tern::Fd top{::open(queue_directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (!top) return tern::fail(tern::Retry::Temporary, "open queue directory " + queue_directory, errno);
    QueueOps ops;
    for (const QueueName queue : tern::kQueueNames) {
        if (queue == QueueName::Corrupt) continue;  // never touched here
        const std::string name(tern::to_string(queue));
        tern::Fd fd{::openat(top.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
        if (!fd) return tern::fail(tern::Retry::Temporary, "open " + queue_directory + "/" + name, errno);
        ops.dirs_[static_cast<std::size_t>(queue)] = std::move(fd);
    }
    return ops;
}

int QueueOps::dir(QueueName queue) const noexcept { return dirs_[static_cast<std::size_t>(queue)].get(); }

tern::Result<bool> QueueOps::remove(const std::string& id, QueueName queue) {
    if (::unlinkat(dir(queue), id.c_str(), 0) == 0) return true;
    if (errno == ENOENT) return false;
    return tern::fail(tern::Retry::Temporary, "remove " + folder_path(queue, id), errno);
}

tern::Result<bool> QueueOps::move(const std::string& id, QueueName from, QueueName to, bool touch) {
    // The time first: a released file must never sit in deferred/ with
    // its old next-attempt time, where qmgr would skip it.
    if (touch && ::utimensat(dir(from), id.c_str(), nullptr, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return false;
        return tern::fail(tern::Retry::Temporary, "set the time of " + folder_path(from, id), errno);
    }
    if (::renameat2(dir(from), id.c_str(), dir(to), id.c_str(), RENAME_NOREPLACE) == 0) return true;
    if (errno == ENOENT) return false;
    return tern::fail(tern::Retry::Temporary, "rename " + folder_path(from, id) + " to " + folder_path(to, id), errno);
}

void QueueOps::remove_log(QueueName log, const std::string& id) {
    if (::unlinkat(dir(log), id.c_str(), 0) == 0 || errno == ENOENT) return;
    tern::log_warning("remove %s: %s", folder_path(log, id).c_str(), std::strerror(errno));
}

tern::Result<bool> QueueOps::apply_in(Action action, const std::string& id, QueueName queue) {
    switch (action) {
    case Action::Delete: return remove(id, queue);
    case Action::Hold: return move(id, queue, QueueName::Hold, false);
    case Action::Release: return move(id, queue, QueueName::Deferred, true);
    case Action::Requeue: return move(id, queue, QueueName::Maildrop, true);
    }
    return false;
}

namespace {

void log_done(Action action, const std::string& id) {
    tern::log_info("%s: %.*s", id.c_str(), static_cast<int>(done_text(action).size()), done_text(action).data());
}

}  // namespace

tern::Result<bool> QueueOps::apply(Action action, const std::string& id, std::span<const QueueName> queues) {
    if (!tern::is_valid_queue_id(id)) return false;
    bool found = false;
    for (const QueueName queue : queues) {
        tern::Result<bool> done = apply_in(action, id, queue);
        if (!done) return done;
        found = found || *done;
        if (found && action != Action::Delete) break;  // a move takes the first copy
    }
    if (!found) return false;
    if (action == Action::Delete) {
        remove_log(QueueName::Defer, id);
        remove_log(QueueName::Bounce, id);
    } else if (action == Action::Requeue) {
        remove_log(QueueName::Defer, id);
    }
    log_done(action, id);
    return true;
}

tern::Result<std::size_t> QueueOps::apply_all(Action action, std::span<const QueueName> queues) {
    std::size_t count = 0;
    for (const QueueName queue : queues) {
        tern::Fd listing{::openat(dir(queue), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
        if (!listing) return tern::fail(tern::Retry::Temporary, "open " + folder_path(queue), errno);
        DirPtr entries{::fdopendir(listing.get())};
        if (!entries) return tern::fail(tern::Retry::Temporary, "read " + folder_path(queue), errno);
        (void)listing.release();  // the DIR owns it now
        // readdir returns an entry that stays in the folder exactly once;
        // one added meanwhile (new mail) may or may not be seen.
        while (const dirent* entry = ::readdir(entries.get())) {
            const std::string id = entry->d_name;
            if (!tern::is_valid_queue_id(id)) continue;
            tern::Result<bool> done = apply(action, id, std::span<const QueueName>(&queue, 1));
            if (!done) return tl::unexpected(done.error());
            if (*done) ++count;
        }
    }
    return count;
}

}  // namespace postsuper
