// local/mailbox.h - deliver to a user's mailbox or to a /file destination
//
// SYNOPSIS
//     tern::AgentOutcome o = local::deliver_user_mailbox(settings, msg, attempt, account);
//     tern::AgentOutcome f = local::deliver_file(settings, msg, attempt, "/var/log/list.mbox", rights);
//     local::MailboxTarget t = local::mailbox_target(settings, account);
// DESCRIPTION
//     mailbox_target picks where a user's mail goes, as Postfix:
//     home_mailbox ending in '/' is a Maildir under the home directory,
//     another home_mailbox an mbox file under it; without home_mailbox
//     mail_spool_directory/USER (a Maildir when the spool directory
//     ends in '/').
//     deliver_user_mailbox writes there with lib/mail/mailbox.h, as the
//     user. For an mbox in the spool directory the identity follows the
//     directory, as Postfix's local(8) does, so the dotlock can be made
//     there: world-writable (1777): the user; group-writable (Debian's
//     /var/mail, root:mail 2775): the user's uid with the directory's
//     group; otherwise root creates an empty mailbox owned by the user
//     (O_EXCL, O_NOFOLLOW) and the user appends to it without a dotlock.
//     Never does root write message bytes into a user's file.
//     deliver_file appends to /file as an mbox (or writes a Maildir for
//     a path ending in '/') with the given rights; rights of root are
//     replaced by default_privs. Both add Return-Path, X-Original-To and
//     Delivered-To lines on top.
// ERRORS
//     Returned as AgentOutcome: "delivered to mailbox", "delivered to
//     maildir", "delivered to file: PATH"; failures are deferred (or
//     bounced for a permanent error) with Postfix's texts "cannot update
//     mailbox FILE for user NAME. REASON", "maildir delivery failed:
//     REASON", "cannot append message to file PATH: REASON".
#pragma once

#include <string>

#include "lib/mail/delivery_agent.h"
#include "local/context.h"
#include "local/settings.h"

namespace local {

struct MailboxTarget {
    std::string path;
    bool maildir = false;
    bool in_spool = false;  // mail_spool_directory, not the home directory
};

[[nodiscard]] MailboxTarget mailbox_target(const Settings& settings, const UserAccount& account);
[[nodiscard]] tern::AgentOutcome deliver_user_mailbox(const Settings& settings, const MessageInfo& msg,
                                                      const Attempt& attempt, const UserAccount& account);
[[nodiscard]] tern::AgentOutcome deliver_file(const Settings& settings, const MessageInfo& msg,
                                              const Attempt& attempt, const std::string& path, const Rights& rights);
// An AgentOutcome with relay "local".
[[nodiscard]] tern::AgentOutcome local_outcome(tern::DeliveryStatus status, std::string dsn, std::string reason);

}  // namespace local
