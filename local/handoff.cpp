// local/handoff.cpp - deliver_pass: one recipient to another agent (see handoff.h)
#include "local/handoff.h"

#include <climits>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/attr.h"
#include "local/mailbox.h"

namespace local {

namespace {

tern::AgentOutcome unavailable(const std::string& why) {
    tern::log_warning("mail transport unavailable: %s", why.c_str());
    return local_outcome(tern::DeliveryStatus::Deferred, "4.3.0", "mail transport unavailable");
}

}  // namespace

TransportSpec parse_transport_spec(std::string_view value, std::string_view default_nexthop) {
    const std::string_view spec = tern::trim(value);
    const std::size_t colon = spec.find(':');
    if (colon == std::string_view::npos || colon + 1 == spec.size())
        return {std::string(spec.substr(0, colon)), std::string(default_nexthop)};
    return {std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
}

tern::AgentOutcome hand_off(const Settings& settings, const MessageInfo& msg, const tern::DeliveryRecipient& recipient,
                            const std::string& address, const TransportSpec& transport) {
    tern::DeliveryRequest request = msg.request();
    request.transport = transport.transport;
    request.nexthop = transport.nexthop;
    request.recipients = {recipient};
    request.recipients[0].address = address;
    const std::string path = settings.queue_directory + "/" + std::string(tern::kDeliveryServiceDir) + "/" +
                             transport.transport;
    const int timeout_ms = static_cast<int>(std::min<long long>(settings.ipc_timeout_s, INT_MAX / 1000) * 1000);
    tern::Result<tern::Fd> fd = tern::unix_connect(path, timeout_ms);
    if (!fd) return unavailable(fd.error().describe());
    if (tern::Status sent = tern::write_attr_message(fd->get(), tern::encode_delivery_request(request), timeout_ms);
        !sent)
        return unavailable(sent.error().describe());
    tern::Result<tern::AttrList> answer = tern::read_attr_message(fd->get(), tern::kDeliveryAttrLimits, timeout_ms);
    if (!answer) return unavailable(path + ": " + answer.error().describe());
    tern::Result<tern::DeliveryReply> reply = tern::decode_delivery_reply(*answer, 1);
    if (!reply) return unavailable(path + ": " + reply.error().describe());
    if (!reply->processed || reply->outcomes.empty())
        return local_outcome(tern::DeliveryStatus::Deferred, "4.3.0", reply->reason);
    const tern::RecipientOutcome& r = reply->outcomes[0];
    tern::AgentOutcome o = local_outcome(r.status, r.dsn, r.reason);
    o.relay = transport.transport;
    o.recorded_elsewhere = true;
    return o;
}

}  // namespace local
