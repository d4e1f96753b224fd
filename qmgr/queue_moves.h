// qmgr/queue_moves.h - what qmgr does to queue files: move, defer, remove, save as corrupt
//
// SYNOPSIS
//     tern::Status s = qmgr::move_queue_file(tern::QueueName::Incoming, tern::QueueName::Active, id);
//     tern::Status d = qmgr::defer_queue_file(fd, id, file.schedule_offset, {next_s, attempts});
//     tern::Status r = qmgr::remove_queue_file(id);      // logs "ID: removed"
//     qmgr::save_corrupt(tern::QueueName::Active, id);   // logs a warning
//     std::size_t n = qmgr::requeue_active();            // start: active/ -> incoming/
//     if (qmgr::queue_file_in_use(fd)) qmgr::delay_queue_file(fd, id, tern::QueueName::Incoming, until_s);
// DESCRIPTION
//     Paths are relative: qmgr works in the queue directory (chrooted or
//     not). Moves are rename(2), so a file is always in exactly one queue
//     and a crash leaves it in the old or the new one, never in none.
//     defer_queue_file writes the schedule record (next attempt time and
//     attempt count), sets the file's mtime to the next attempt time
//     (Postfix's convention, which the deferred scan reads; mailq and
//     postsuper see it too) and renames active/ID to deferred/ID.
//     remove_queue_file unlinks active/ID, then the defer log; the bounce
//     log is bounce(8)'s to remove. requeue_active is Postfix's start-up
//     recovery: whatever was active when qmgr died is new again.
//     queue_file_in_use: an agent still holds a shared flock(2) on the
//     file (a request of the previous qmgr run is still being delivered),
//     so qmgr must not schedule it now: as Postfix does, it moves it back
//     with a time stamp in the future (delay_queue_file) and tries later.
// ERRORS
//     Temporary, naming the file; a file that vanished (ENOENT) is a
//     warning for remove and move (somebody else, postsuper, took it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/base/result.h"
#include "lib/mail/queue_name.h"
#include "lib/mail/queue_record.h"

namespace qmgr {

[[nodiscard]] tern::Status move_queue_file(tern::QueueName from, tern::QueueName to, const std::string& id);
[[nodiscard]] tern::Status defer_queue_file(int fd, const std::string& id, std::uint64_t schedule_offset,
                                            const tern::Schedule& schedule);
[[nodiscard]] tern::Status remove_queue_file(const std::string& id);
[[nodiscard]] bool queue_file_in_use(int fd) noexcept;
[[nodiscard]] tern::Status delay_queue_file(int fd, const std::string& id, tern::QueueName to, std::int64_t until_s);
void save_corrupt(tern::QueueName from, const std::string& id);
std::size_t requeue_active();

}  // namespace qmgr
