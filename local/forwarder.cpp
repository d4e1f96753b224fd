// local/forwarder.cpp - a new message through cleanup (see forwarder.h)
#include "local/forwarder.h"

#include <array>
#include <climits>
#include <span>

#include "lib/base/text.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/attr.h"
#include "lib/mail/cleanup_protocol.h"

namespace local {

namespace {

constexpr tern::AttrLimits kAnswerLimits{
    .max_attributes = 8, .max_name_bytes = 40, .max_value_bytes = 1024, .max_message_bytes = 8192};

class CleanupSession {
public:
    CleanupSession(tern::Fd fd, int timeout_ms) : fd_(std::move(fd)), timeout_ms_(timeout_ms) {}

    tern::Status send(const tern::AttrList& message) { return tern::write_attr_message(fd_.get(), message, timeout_ms_); }

    // status=0 answers give the queue ID; anything else is cleanup's refusal.
    tern::Result<std::string> expect_ok() {
        tern::Result<tern::AttrList> answer = tern::read_attr_message(fd_.get(), kAnswerLimits, timeout_ms_);
        if (!answer) return tl::unexpected(answer.error());
        tern::Result<long long> status = answer->get_int(tern::kCleanupStatus);
        if (!status) return tl::unexpected(status.error());
        if (*status != 0) {
            const std::string reason(answer->get(tern::kCleanupReason).value_or("cleanup refused the message"));
            return tern::fail(tern::Retry::Temporary, tern::printable(reason, 300));
        }
        return std::string(answer->get(tern::kCleanupQueueId).value_or(""));
    }

private:
    tern::Fd fd_;
    int timeout_ms_;
};

tern::Status send_content(CleanupSession& session, const MessageInfo& msg, const ForwardBatch& batch) {
    tern::AttrList header;
    header.add(tern::kCleanupRequest, tern::kCleanupRequestContent)
        .add(tern::kCleanupData, "Delivered-To: " + tern::to_lower(batch.delivered) + "\r\n");
    if (tern::Status s = session.send(header); !s) return s;
    tern::ContentReader reader = msg.job->content();
    std::array<char, 32 * 1024> buffer{};
    static_assert(buffer.size() <= tern::kCleanupMaxChunkBytes);
    while (true) {
        tern::Result<std::size_t> n = reader.read(std::span<char>(buffer));
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) return {};
        tern::AttrList chunk;
        chunk.add(tern::kCleanupRequest, tern::kCleanupRequestContent)
            .add(tern::kCleanupData, std::string_view(buffer.data(), *n));
        if (tern::Status s = session.send(chunk); !s) return s;
    }
}

tern::Status send_envelope(CleanupSession& session, const ForwardBatch& batch) {
    tern::AttrList envelope;
    envelope.add(tern::kCleanupRequest, tern::kCleanupRequestEnvelope)
        .add(tern::kCleanupSender, batch.sender)
        .add_int(tern::kCleanupFlags, tern::kCleanupFlagAddressMaps)
        .add(tern::kCleanupProtocol, "local");
    if (tern::Status s = session.send(envelope); !s) return s;
    for (const std::string& rcpt : batch.recipients) {
        tern::AttrList r;
        r.add(tern::kCleanupRequest, tern::kCleanupRequestRecipient).add(tern::kCleanupAddress, rcpt);
        if (tern::Status s = session.send(r); !s) return s;
    }
    return {};
}

}  // namespace

tern::Result<std::string> forward_message(const Settings& settings, const MessageInfo& msg, const ForwardBatch& batch) {
    const int timeout_ms = static_cast<int>(std::min<long long>(settings.ipc_timeout_s, INT_MAX / 1000) * 1000);
    const std::string path = settings.queue_directory + "/" + std::string(tern::kCleanupSocketPath);
    tern::Result<tern::Fd> fd = tern::unix_connect(path, timeout_ms);
    if (!fd) return tl::unexpected(fd.error());
    CleanupSession session(std::move(*fd), timeout_ms);
    tern::Result<std::string> first = session.expect_ok();
    if (!first) return first;
    if (tern::Status s = send_envelope(session, batch); !s) return tl::unexpected(s.error());
    if (tern::Status s = send_content(session, msg, batch); !s) return tl::unexpected(s.error());
    tern::AttrList end;
    end.add(tern::kCleanupRequest, tern::kCleanupRequestEnd);
    if (tern::Status s = session.send(end); !s) return tl::unexpected(s.error());
    tern::Result<std::string> final_id = session.expect_ok();
    if (!final_id) return final_id;
    return final_id->empty() ? *first : *final_id;
}

}  // namespace local
