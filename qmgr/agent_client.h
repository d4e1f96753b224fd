// qmgr/agent_client.h - send one delivery request to an agent and get its reply, asynchronously
//
// SYNOPSIS
//     tern::DeliveryRequest request = qmgr::make_delivery_request(message, batch);
//     std::unique_ptr<qmgr::AttrCall> call = qmgr::send_delivery_request(base, request, timeout_ms,
//         [](qmgr::AgentResult result) noexcept { ... });
// DESCRIPTION
//     The qmgr side of lib/mail/delivery_protocol.h: the request goes to
//     private/<transport> (relative to the queue directory, where qmgr
//     works). AgentResult says what came back:
//       Reply        a valid reply (processed or status=4)
//       Unavailable  nobody listens on private/<transport>: Postfix's
//                    "mail transport unavailable"
//       Lost         the agent closed, timed out or answered garbage:
//                    "unknown mail transport error"
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <string>

#include "lib/mail/delivery_protocol.h"
#include "qmgr/attr_call.h"
#include "qmgr/message.h"
#include "qmgr/scheduler.h"

namespace qmgr {

enum class AgentResultKind { Reply, Unavailable, Lost };

struct AgentResult {
    AgentResultKind kind = AgentResultKind::Lost;
    tern::DeliveryReply reply;  // when kind is Reply
    std::string why;            // for the warning log line otherwise
};

[[nodiscard]] tern::DeliveryRequest make_delivery_request(const ActiveMessage& message, const Batch& batch);
[[nodiscard]] std::unique_ptr<AttrCall> send_delivery_request(event_base* base, const tern::DeliveryRequest& request,
                                                              int timeout_ms,
                                                              std::function<void(AgentResult)> done);

}  // namespace qmgr
