// local/forwarder.h - resubmit the message through cleanup to forwarded addresses
//
// SYNOPSIS
//     local::ForwardBatch b{.sender = "owner-staff@example.com", .delivered = "staff@example.com",
//                           .recipients = {"a@remote.example", "b@example.com"}};
//     tern::Result<std::string> id = local::forward_message(settings, msg, b);   // new queue ID
// DESCRIPTION
//     As Postfix's local forward.c: recipients of alias, :include: and
//     .forward expansion that are not delivered here directly go into a
//     new message, one per (sender, Delivered-To) pair, written through
//     public/cleanup (lib/mail/cleanup_protocol.h, a small blocking
//     client): the same content with "Delivered-To: DELIVERED" on top, so
//     the next delivery sees the loop, the original sender or the
//     owner- alias as envelope sender, internal flags (no header checks,
//     address maps applied). The caller logs each forwarded recipient as
//     "forwarded as ID".
// ERRORS
//     Temporary, with cleanup's reason, when cleanup cannot be reached,
//     refuses the message or fails to answer within ipc_timeout.
// LIMITS
//     Content goes in chunks of at most kCleanupMaxChunkBytes; answers are
//     read with small AttrLimits.
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.h"
#include "local/context.h"
#include "local/settings.h"

namespace local {

struct ForwardBatch {
    std::string sender;
    std::string delivered;
    std::vector<std::string> recipients;
};

[[nodiscard]] tern::Result<std::string> forward_message(const Settings& settings, const MessageInfo& msg,
                                                        const ForwardBatch& batch);

}  // namespace local
