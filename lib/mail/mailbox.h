// lib/mail/mailbox.h - write one message into a Maildir or an mbox file (shared by local and virtual)
//
// SYNOPSIS
//     tern::MailboxMessage m{.sender = "a@example.com", .arrival = t,
//                            .prefix = "Return-Path: <a@example.com>\nDelivered-To: b@example.com\n",
//                            .content = &reader};                 // queue file content, CRLF lines
//     tern::Result<std::string> name = tern::deliver_maildir("/home/b/Maildir/", m);
//     tern::Status s = tern::deliver_mbox("/var/mail/b", m, tern::MboxLocking{});
//     { tern::ScopedIdentity as_user(uid, gid);  if (!as_user.ok()) ...;  deliver...; }  // lib/base/identity.h
// DESCRIPTION
//     Both writers turn the stored content's CRLF line ends into LF
//     (a CR not followed by LF stays), put `prefix` (already LF-ended
//     header lines) in front, and make the message durable before they
//     report success:
//     deliver_maildir: creates DIR/{tmp,new,cur} when missing (mode 0700),
//       writes DIR/tmp/UNIQUE (O_CREAT|O_EXCL, 0600), fsyncs it, links it
//       to DIR/new/UNIQUE (rename when link is not supported) and removes
//       the tmp name. As in Postfix, new/ itself is not fsync'ed: the
//       message is durable before it gets its name in new/, and a
//       journaling file system commits that name before the later removal
//       of the queue file (a crash between the two repeats the delivery).
//       The second fsync per message would double each delivery's wait
//       for the disk. UNIQUE is
//       "SECONDS.M<micros>P<pid>Q<counter>.<hostname>" with '/' and ':'
//       in the host name escaped as Maildir++ does (\057, \072). Returns
//       the path below DIR ("new/UNIQUE").
//     deliver_mbox: opens the file O_APPEND|O_NOFOLLOW (creating it 0600
//       when missing), takes a dotlock FILE.lock (O_EXCL create, stale
//       after kStaleDotlockS; a directory we may not write into skips it)
//       and an fcntl write lock, each retried for up to lock_timeout_s,
//       writes "From SENDER DATE\n" (MAILER-DAEMON for the null sender,
//       asctime date of arrival), the prefix, the body with ">From "
//       quoting of lines starting "From " and a final empty line, fsyncs,
//       and unlocks. On any error after it started writing it truncates
//       the file back to its old size, so a reader never sees half a
//       message.
// SECURITY
//     The caller switches to the recipient's identity first (ScopedIdentity);
//     both writers refuse symlinks and non-regular files for what they
//     open and never follow a symlink in the last component.
// ERRORS
//     A lock not obtained within lock_timeout_s, a full disk, a missing
//     parent directory (Temporary: "mail system full", "cannot lock
//     mailbox") or a permission problem (Temporary, as Postfix's local
//     defers them): the text names the file and the system error, ready
//     for the log line "status=deferred (cannot update mailbox FILE for
//     user NAME. REASON)".
#pragma once

#include <sys/time.h>

#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/queue_file.h"

namespace tern {

inline constexpr int kStaleDotlockS = 500;

struct MailboxMessage {
    std::string sender;          // "" = null sender
    timeval arrival{};
    std::string prefix;          // header lines to add in front, LF-ended
    ContentReader* content = nullptr;  // read from its current position to the end
};

struct MboxLocking {
    bool dotlock = true;
    bool fcntl_lock = true;
    int lock_timeout_s = 60;
};

[[nodiscard]] Result<std::string> deliver_maildir(const std::string& maildir, const MailboxMessage& message);
[[nodiscard]] Status deliver_mbox(const std::string& path, const MailboxMessage& message,
                                  const MboxLocking& locking);

}  // namespace tern
