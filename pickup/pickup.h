// pickup/pickup.h - feed maildrop/ files to cleanup
//
// SYNOPSIS
//     pickup::Pickup p({.queue_directory = "/var/spool/tern", .timeout_ms = 3600000, .limits = limits},
//                      pickup::UserNames::live());
//     std::size_t handed = p.scan();     // at start and on every wakeup
// DESCRIPTION
//     scan() lists maildrop/ (maildrop.h) and hands each file it may take
//     to cleanup over public/cleanup, one connection per message
//     (cleanup_client.h, request.h):
//       - status 0: the maildrop file is unlinked; logged
//         "ID: uid=N from=<sender>" as Postfix's pickup does, with
//         cleanup's queue ID;
//       - 4xx, a timeout or a closed connection: the file stays for the
//         next wakeup and this scan stops (cleanup is down or busy);
//       - 5xx (header_checks REJECT, too large): the file is removed and
//         the reject is logged; no bounce is sent yet (issue 5);
//       - not a queue file, a symlink, a FIFO, a file with more links:
//         a warning names it and it is moved to corrupt/.
//     A scan repeats while the previous listing was full
//     (kMaxNamesPerScan), so a large backlog drains in one wakeup.
// LIMITS
//     QueueFileLimits (file size: message_size_limit plus an envelope
//     allowance); every cleanup read and write within timeout_ms.
// ERRORS
//     Nothing is fatal here: problems are logged and the file is kept
//     (Temporary) or moved aside (Permanent).
#pragma once

#include <cstddef>
#include <string>

#include "lib/base/fd.h"
#include "lib/mail/queue_file.h"
#include "pickup/maildrop.h"
#include "pickup/users.h"

namespace pickup {

struct PickupSettings {
    std::string queue_directory;  // as this process sees it ("/" inside the chroot)
    int timeout_ms = 3'600'000;   // ipc_timeout
    tern::QueueFileLimits limits;
};

enum class FileOutcome { Done, Kept, CleanupDown };

class Pickup {
public:
    Pickup(PickupSettings settings, UserNames names) : settings_(std::move(settings)), names_(std::move(names)) {}

    // Hands every file it may take to cleanup; returns how many left maildrop/.
    std::size_t scan() noexcept;

private:
    // One listing; sets `full` when it hit kMaxNamesPerScan; false: stop scanning.
    bool scan_once(int maildrop_fd, std::size_t& handed, bool& full);
    FileOutcome take(int maildrop_fd, const std::string& name);
    FileOutcome hand_over(int maildrop_fd, const std::string& name, const OpenedFile& file,
                          const tern::QueueFile& parsed);
    void move_aside(int maildrop_fd, const std::string& name, const std::string& why);
    void remove_stale(int maildrop_fd, const std::string& name);

    PickupSettings settings_;
    UserNames names_;
};

}  // namespace pickup
