// tools/postsuper/queue_ops.h - delete, hold, release and requeue queue files by ID
//
// SYNOPSIS
//     tern::Result<postsuper::QueueOps> ops = postsuper::QueueOps::open("/var/spool/tern");
//     tern::Result<bool> found = ops->apply(postsuper::Action::Hold, id, queues);
//     tern::Result<std::size_t> n = ops->apply_all(postsuper::Action::Delete, queues);
// DESCRIPTION
//     The queue operations of Postfix's postsuper, on tern's flat queue
//     folders (lib/mail/queue_name.h). Each logs "ID: removed", "ID: placed
//     on hold", "ID: released from hold" or "ID: requeued" when it did it.
//       Delete   unlinks QUEUE/ID in every listed queue that has it, then
//                defer/ID and bounce/ID (the per-message delivery logs).
//       Hold     renames QUEUE/ID to hold/ID (the first listed queue that
//                has it); qmgr never schedules hold/.
//       Release  sets hold/ID's mtime to now, then renames it to
//                deferred/ID: qmgr takes a deferred file whose mtime has
//                come (qmgr/queue_scan.h), so it is tried at once.
//       Requeue  sets QUEUE/ID's mtime to now, renames it to maildrop/ID
//                and removes defer/ID. pickup hands maildrop files to
//                cleanup (pickup/pickup.h), which reads a queue file like
//                a postdrop file: sender, the recipients not yet done,
//                DSN fields and the content go through cleanup again
//                (address rewriting, header_checks) under a new queue ID,
//                with the mtime as arrival time, like Postfix's requeue.
//                bounce/ID is left alone (as Postfix does), so that no
//                record of a failed recipient is lost.
//     apply_all does the action for every entry of the listed queues whose
//     name is a queue ID (postdrop's "tmp.*" files are left alone).
//     A rename never replaces an existing file (RENAME_NOREPLACE).
// SECURITY
//     Runs as root in folders that mail_owner can write: the queue folders
//     are opened O_NOFOLLOW|O_DIRECTORY and every file is reached by name
//     relative to them (unlinkat, renameat2, utimensat without following
//     links); IDs are checked with is_valid_queue_id, so a name is never a
//     path.
// ERRORS
//     Temporary, naming the folder or file; a vanished file (ENOENT) is
//     "not found", not an error (qmgr may have finished it meanwhile).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>

#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/queue_name.h"
#include "tools/postsuper/options.h"

namespace postsuper {

class QueueOps {
public:
    [[nodiscard]] static tern::Result<QueueOps> open(const std::string& queue_directory);

    // True when the message was found (and the action done) in one of `queues`.
    [[nodiscard]] tern::Result<bool> apply(Action action, const std::string& id,
                                           std::span<const tern::QueueName> queues);
    // The number of messages the action was done to.
    [[nodiscard]] tern::Result<std::size_t> apply_all(Action action, std::span<const tern::QueueName> queues);

private:
    QueueOps() = default;
    [[nodiscard]] int dir(tern::QueueName queue) const noexcept;
    [[nodiscard]] tern::Result<bool> apply_in(Action action, const std::string& id, tern::QueueName queue);
    [[nodiscard]] tern::Result<bool> remove(const std::string& id, tern::QueueName queue);
    [[nodiscard]] tern::Result<bool> move(const std::string& id, tern::QueueName from, tern::QueueName to,
                                          bool touch);
    void remove_log(tern::QueueName log, const std::string& id);

    std::array<tern::Fd, tern::kQueueNames.size()> dirs_;
};

}  // namespace postsuper
