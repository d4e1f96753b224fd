// qmgr/agent_client.cpp - one delivery request over the loop (see agent_client.h)
#include "qmgr/agent_client.h"

#include "lib/base/text.h"

namespace qmgr {

tern::DeliveryRequest make_delivery_request(const ActiveMessage& message, const Batch& batch) {
    const tern::QueueFile& file = message.file();
    tern::DeliveryRequest request{.queue_name = "active",
                                  .queue_id = message.id(),
                                  .transport = batch.transport,
                                  .nexthop = batch.nexthop,
                                  .sender = file.sender,
                                  .envid = file.envid,
                                  .ret = file.ret,
                                  .arrival = file.arrival,
                                  .active_since = message.active_since(),
                                  .flags = tern::kDeliveryFlagExpand,
                                  .recipients = {}};
    request.recipients.reserve(batch.recipients.size());
    for (const std::size_t index : batch.recipients) {
        const tern::QueueRecipient& r = message.recipient(index);
        request.recipients.push_back(
            {.address = r.address, .orcpt = r.orcpt, .notify = r.notify, .offset = r.status_offset});
    }
    return request;
}

std::unique_ptr<AttrCall> send_delivery_request(event_base* base, const tern::DeliveryRequest& request, int timeout_ms,
                                                std::function<void(AgentResult)> done) {
    std::string path(tern::kDeliveryServiceDir);
    path += '/';
    path += request.transport;
    const std::size_t count = request.recipients.size();
    auto on_answer = [done = std::move(done), count, path](CallResult result) {
        switch (result.failure) {
        case CallFailure::None: {
            tern::Result<tern::DeliveryReply> reply = tern::decode_delivery_reply(*result.answer, count);
            if (!reply) return done({AgentResultKind::Lost, {}, "bad reply from " + path + ": " + reply.error().text});
            return done({AgentResultKind::Reply, std::move(*reply), {}});
        }
        case CallFailure::Connect:
            return done({AgentResultKind::Unavailable, {}, std::move(result.why)});
        case CallFailure::NoAnswer:
        case CallFailure::BadAnswer:
        case CallFailure::Timeout:
            return done({AgentResultKind::Lost, {}, std::move(result.why)});
        }
    };
    return AttrCall::start(base, std::move(path), tern::encode_delivery_request(request), tern::kDeliveryAttrLimits,
                           timeout_ms, std::move(on_answer));
}

}  // namespace qmgr
