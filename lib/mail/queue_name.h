// lib/mail/queue_name.h - the queues below queue_directory that hold files named by queue ID
//
// SYNOPSIS
//     std::optional<QueueName> q = queue_name_from_string("deferred");
//     std::string_view dir = to_string(QueueName::Incoming);        // "incoming"
//     std::string path = queue_file_path("/var/spool/tern", QueueName::Active, id);
//     bool scheduled = holds_queue_files(QueueName::Deferred);      // true
// DESCRIPTION
//     One name per folder of DESIGN.md section 8 whose entries are named by
//     queue ID: the message queues (maildrop, incoming, active, deferred,
//     hold, corrupt) and the per-message delivery logs (bounce, defer).
//     The folders are flat: tern does not use Postfix's hashed
//     subdirectories (hash_queue_names), because a directory of many
//     thousand entries is cheap on today's file systems and one level keeps
//     renames between queues simple.
//
//     The folder owners and modes live in lib/mail/queue_layout.h, whose
//     kQueueDirs lists the same names plus pid, public and private.
// LIMITS
//     queue_file_path does not check the ID; callers pass a QueueId or a
//     name that passed is_valid_queue_id (lib/mail/queue_id.h).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace tern {

class QueueId;

enum class QueueName {
    Maildrop,  // postdrop's files, before pickup
    Incoming,  // complete new queue files, before qmgr
    Active,    // what qmgr is delivering now
    Deferred,  // waiting for the next try
    Hold,      // never scheduled until released
    Corrupt,   // files that could not be parsed; kept, never delivered
    Bounce,    // per-message logs of failed recipients
    Defer,     // per-message logs of deferred recipients
};

inline constexpr std::array<QueueName, 8> kQueueNames{
    QueueName::Maildrop, QueueName::Incoming, QueueName::Active,  QueueName::Deferred,
    QueueName::Hold,     QueueName::Corrupt,  QueueName::Bounce,  QueueName::Defer,
};

[[nodiscard]] std::string_view to_string(QueueName name) noexcept;
[[nodiscard]] std::optional<QueueName> queue_name_from_string(std::string_view text) noexcept;

// True for the folders that hold queue files (not delivery logs).
[[nodiscard]] bool holds_queue_files(QueueName name) noexcept;

// "queue_directory/name/id"; a relative "name/id" when queue_directory is
// empty (daemons chrooted into the queue directory use those).
[[nodiscard]] std::string queue_file_path(std::string_view queue_directory, QueueName name,
                                          std::string_view id);
[[nodiscard]] std::string queue_file_path(std::string_view queue_directory, QueueName name,
                                          const QueueId& id);

}  // namespace tern
