// qmgr/bounce_client.cpp - flush, expire and delay requests to bounce(8) (see bounce_client.h)
#include "qmgr/bounce_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include "lib/base/text.h"
#include "lib/mail/bounce_protocol.h"
#include "lib/mail/delivery_log.h"

namespace qmgr {

bool has_bounce_log(const std::string& id) {
    const std::string path = tern::delivery_log_path("", tern::DeliveryLog::Bounce, id);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return false;
    if (st.st_size > 0) return true;
    (void)::unlink(path.c_str());
    return false;
}

std::unique_ptr<AttrCall> send_bounce_request(event_base* base, std::string_view request, const std::string& id,
                                              int timeout_ms, std::function<void(BounceResult)> done) {
    tern::AttrList ask;
    ask.add(tern::kBounceRequest, request).add(tern::kBounceQueueName, "active").add(tern::kBounceQueueId, id);
    auto on_answer = [done = std::move(done)](CallResult result) {
        if (result.failure != CallFailure::None) return done({false, std::move(result.why)});
        tern::Result<long long> status = result.answer->get_int(tern::kBounceStatus);
        if (!status) return done({false, "bad answer from bounce: " + status.error().text});
        if (*status != 0) {
            const std::string reason = tern::printable(result.answer->get(tern::kBounceReason).value_or("no reason"), 300);
            return done({false, "bounce: " + reason});
        }
        return done({true, {}});
    };
    return AttrCall::start(base, std::string(tern::kBounceSocketPath), ask, tern::kBounceAttrLimits, timeout_ms,
                           std::move(on_answer));
}

}  // namespace qmgr
