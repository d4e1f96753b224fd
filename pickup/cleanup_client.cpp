// pickup/cleanup_client.cpp - hand one message to cleanup (contract in cleanup_client.h)
#include "pickup/cleanup_client.h"

#include <vector>

#include "lib/base/text.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/queue_id.h"

namespace pickup {

namespace {

constexpr std::size_t kMaxReasonBytes = 512;

std::string reason_of(const tern::AttrList& reply) {
    return tern::printable(reply.get(tern::kCleanupReason).value_or(""), kMaxReasonBytes);
}

}  // namespace

std::optional<CleanupVerdict> verdict_of(long long status) noexcept {
    if (status == 0) return CleanupVerdict::Queued;
    if (status >= 400 && status <= 499) return CleanupVerdict::Deferred;
    if (status >= 500 && status <= 599) return CleanupVerdict::Rejected;
    return std::nullopt;
}

tern::Result<CleanupReply> parse_cleanup_reply(const tern::AttrList& reply) {
    if (auto known = reply.allow_only({tern::kCleanupStatus, tern::kCleanupQueueId, tern::kCleanupReason,
                                       tern::kCleanupDiscarded});
        !known)
        return tl::unexpected(known.error());
    const tern::Result<long long> status = reply.get_int(tern::kCleanupStatus);
    if (!status) return tl::unexpected(status.error());
    const std::optional<CleanupVerdict> verdict = verdict_of(*status);
    if (!verdict) return tern::fail(tern::Retry::Permanent, "cleanup sent status " + std::to_string(*status));
    CleanupReply out;
    out.verdict = *verdict;
    out.status = static_cast<int>(*status);
    out.reason = reason_of(reply);
    if (auto id = reply.get(tern::kCleanupQueueId)) {
        if (!tern::is_valid_queue_id(*id))
            return tern::fail(tern::Retry::Permanent, "cleanup sent a bad queue ID " + tern::printable(*id, 64));
        out.queue_id = std::string(*id);
    }
    if (*verdict == CleanupVerdict::Queued && out.queue_id.empty())
        return tern::fail(tern::Retry::Permanent, "cleanup reply without queue_id");
    out.discarded = reply.get(tern::kCleanupDiscarded) == std::optional<std::string_view>("1");
    return out;
}

tern::Result<CleanupClient> CleanupClient::connect(const std::string& path, int timeout_ms) {
    tern::Result<tern::Fd> fd = tern::unix_connect(path, timeout_ms);
    if (!fd) return tl::unexpected(fd.error());
    return CleanupClient(std::move(*fd), timeout_ms);
}

tern::Result<std::string> CleanupClient::greeting() {
    tern::Result<tern::AttrList> hello = tern::read_attr_message(fd_.get(), kCleanupReplyLimits, timeout_ms_);
    if (!hello) return tern::fail(tern::Retry::Temporary, "cleanup greeting: " + hello.error().describe());
    tern::Result<CleanupReply> reply = parse_cleanup_reply(*hello);
    if (!reply) return tern::fail(tern::Retry::Temporary, "cleanup greeting: " + reply.error().text);
    if (reply->verdict != CleanupVerdict::Queued)
        return tern::fail(tern::Retry::Temporary, "cleanup is not taking mail: " + reply->reason);
    return reply->queue_id;
}

tern::Status CleanupClient::send(const tern::AttrList& request) {
    return tern::write_attr_message(fd_.get(), request, timeout_ms_);
}

tern::Status CleanupClient::send_content(tern::ContentReader& content) {
    std::vector<char> buffer(tern::kCleanupMaxChunkBytes);
    for (;;) {
        tern::Result<std::size_t> n = content.read(buffer);
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) return {};
        tern::AttrList chunk;
        chunk.add(tern::kCleanupRequest, tern::kCleanupRequestContent)
            .add(tern::kCleanupData, std::string_view(buffer.data(), *n));
        if (auto sent = send(chunk); !sent) return sent;
    }
}

tern::Result<CleanupReply> CleanupClient::finish() {
    tern::AttrList end;
    end.add(tern::kCleanupRequest, tern::kCleanupRequestEnd);
    if (auto sent = send(end); !sent) return tl::unexpected(sent.error());
    tern::Result<tern::AttrList> reply = tern::read_attr_message(fd_.get(), kCleanupReplyLimits, timeout_ms_);
    if (!reply) return tern::fail(tern::Retry::Temporary, "cleanup reply: " + reply.error().describe());
    return parse_cleanup_reply(*reply);
}

}  // namespace pickup
