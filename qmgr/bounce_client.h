// qmgr/bounce_client.h - ask bounce(8) to send a message's notices, asynchronously
//
// SYNOPSIS
//     bool due = qmgr::has_bounce_log(id);
//     std::unique_ptr<qmgr::AttrCall> call = qmgr::send_bounce_request(base, tern::kBounceRequestFlush, id,
//         timeout_ms, [](qmgr::BounceResult r) noexcept { r.ok ... r.why ... });
// DESCRIPTION
//     The qmgr side of lib/mail/bounce_protocol.h: one request (flush,
//     expire or delay) for queue_name=active, one answer. ok is true only
//     for status=0; anything else (no bounce service, status=4, a broken
//     answer) leaves the notices to a later attempt, as Postfix's
//     abounce_flush does: the message stays deferred.
//     has_bounce_log: bounce/ID exists and is not empty (Postfix removes
//     an empty one: the agent that made it failed before writing).
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "qmgr/attr_call.h"

namespace qmgr {

struct BounceResult {
    bool ok = false;
    std::string why;
};

[[nodiscard]] bool has_bounce_log(const std::string& id);
[[nodiscard]] std::unique_ptr<AttrCall> send_bounce_request(event_base* base, std::string_view request,
                                                            const std::string& id, int timeout_ms,
                                                            std::function<void(BounceResult)> done);

}  // namespace qmgr
