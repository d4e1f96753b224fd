// lib/mail/queue_recovery.h - cleanup's temporary queue file names, and finishing commits a crash cut short
//
// SYNOPSIS
//     std::string name = tern::temp_queue_file_name(getpid(), serial);   // "tmp.cleanup.PID.N"
//     pid_t owner = tern::temp_queue_file_owner(name);                    // PID, or 0: not a temp name
//     tern::TempRecovery r = tern::recover_temp_queue_files("incoming", tern::TempOwners::Dead);
//     int rc = tern::rename_noreplace("incoming/tmp.cleanup.7.1", "incoming/ID");   // 0 or -1 (errno)
// DESCRIPTION
//     cleanup writes a new message to "incoming/tmp.cleanup.PID.N", makes
//     it durable (lib/mail/group_commit.h), renames it to its queue ID and
//     only then answers 250. For incoming/ the rename is not made durable
//     by a directory fsync, as in Postfix, which never fsyncs incoming/:
//     that second journal commit would nearly double the wait of every
//     SMTP client. The file itself, and the temporary name it was created
//     under, are on disk once its fsync returned (Linux file systems
//     commit a new file's directory entry with the file), so a crash can
//     leave an acknowledged message under its temporary name, never lose
//     it.
//
//     recover_temp_queue_files finishes such commits. For each temporary
//     name in `directory` whose owner is gone (TempOwners::Dead: its PID
//     no longer runs; a live PID, even a reused one, keeps its files) or
//     for every one (TempOwners::All: master at start, when no cleanup
//     runs): a complete queue file (lib/mail/queue_file.h: end record last,
//     of the right size) is renamed to a fresh queue ID in `directory` and
//     logged "ID: recovered from PATH after an interrupted commit"; any
//     other file is removed and logged "removed stale temporary file
//     PATH" (no client was told 250 for it). The recovered message has a
//     new queue ID (the old one is not kept in the file); its client may
//     also have missed the 250 and sent it again: a crash may duplicate a
//     message, never lose one.
//
//     rename_noreplace is rename(2) that never replaces an existing
//     target (renameat2 RENAME_NOREPLACE, or link and unlink where the
//     file system lacks it).
// ERRORS
//     recover_temp_queue_files logs what it cannot do (a warning naming
//     the file) and goes on with the next name.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern {

inline constexpr std::string_view kTempQueueFilePrefix = "tmp.cleanup.";

enum class TempOwners { Dead, All };

struct TempRecovery {
    std::size_t recovered = 0;  // complete files renamed to a queue ID
    std::size_t removed = 0;    // incomplete ones removed
};

[[nodiscard]] std::string temp_queue_file_name(pid_t pid, std::uint64_t serial);
[[nodiscard]] pid_t temp_queue_file_owner(std::string_view name) noexcept;
TempRecovery recover_temp_queue_files(const std::string& directory, TempOwners which);
[[nodiscard]] int rename_noreplace(const std::string& from, const std::string& to) noexcept;

}  // namespace tern
