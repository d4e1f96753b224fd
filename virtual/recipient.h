// virtual/recipient.h - deliver one recipient into its virtual Maildir or mbox file
//
// SYNOPSIS
//     virt::Message msg{.queue_fd = job->queue_fd(), .file = &job->queue_file(),
//                       .queue_path = job->queue_path(), .delivered_to = seen};
//     tern::AgentOutcome out = virt::deliver_recipient(settings, msg, recipient);
// DESCRIPTION
//     As Postfix's virtual(8), for one recipient:
//       1. "Delivered-To: RECIPIENT" already in the message: bounce 5.4.6
//          "mail forwarding loop for RECIPIENT";
//       2. virtual_mailbox_maps (lookup.h order): not found: bounce 5.1.1
//          "unknown user: \"RECIPIENT\"" (lower-cased, as Postfix);
//       3. virtual_uid_maps and virtual_gid_maps: not found, a uid below
//          virtual_minimum_uid or a gid of 0: defer 4.3.5 "mail system
//          configuration error" with a warning that says why;
//       4. path = virtual_mailbox_base "/" result; a result ending in '/'
//          is a Maildir, else an mbox file; as the user (ScopedIdentity)
//          create the missing folders below the base (0700), then write
//          with deliver_maildir or deliver_mbox (virtual_mailbox_lock);
//       5. sent 2.0.0 "delivered to maildir" / "delivered to mailbox", or
//          "maildir delivery failed: ..." / "delivery failed to mailbox
//          PATH: ..." with 5.2.2 (bounce) for a file over
//          virtual_mailbox_limit (EFBIG) or quota (EDQUOT), else 4.2.0.
//     relay= is "virtual" in every outcome.
// SECURITY
//     Called as root; every file operation under the base happens as the
//     recipient's uid/gid. A table result with a ".." component is
//     refused (4.3.5), so a map entry cannot point outside the base.
#pragma once

#include <string>

#include "lib/mail/delivered_to.h"
#include "lib/mail/delivery_agent.h"
#include "lib/mail/delivery_protocol.h"
#include "lib/mail/queue_file.h"
#include "virtual/settings.h"

namespace virt {

struct Message {
    int queue_fd = -1;
    const tern::QueueFile* file = nullptr;
    std::string queue_path;        // for error texts
    tern::DeliveredSet delivered_to;  // Delivered-To: values already in the message
};

[[nodiscard]] tern::AgentOutcome deliver_recipient(const Settings& settings, const Message& message,
                                                   const tern::DeliveryRecipient& recipient);

}  // namespace virt
