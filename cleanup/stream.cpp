// cleanup/stream.cpp - one cleanup protocol connection (see stream.h)
#include "cleanup/stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "cleanup/service.h"
#include "cleanup/settings.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"

namespace cleanup {
namespace {

constexpr std::size_t kReadBytes = 64 * 1024;
constexpr std::size_t kMaxRequestAttributes = 32;

tern::AttrLimits request_limits() {
    return {.max_attributes = kMaxRequestAttributes,
            .max_name_bytes = tern::kMaxAttrNameBytes,
            .max_value_bytes = tern::kCleanupMaxChunkBytes,
            .max_message_bytes = tern::kCleanupMaxMessageBytes};
}

std::string status_text(std::string_view reply) { return std::string(reply.substr(0, 3)); }

}  // namespace

Stream::Stream(Service& service, tern::Fd fd) : service_(service), fd_(std::move(fd)), decoder_(request_limits()) {}

bool Stream::start() {
    tern::Result<tern::EventPtr> rd = tern::make_event<&Stream::on_read>(service_.base(), fd_.get(), EV_READ | EV_PERSIST, this);
    tern::Result<tern::EventPtr> wr = tern::make_event<&Stream::on_write>(service_.base(), fd_.get(), EV_WRITE, this);
    if (!rd || !wr) {
        tern::log_warning("cleanup stream: cannot make events");
        return false;
    }
    read_event_ = std::move(*rd);
    write_event_ = std::move(*wr);
    tern::Result<NewQueueFile> file = create_queue_file("incoming");
    if (!file) {
        tern::log_warning("%s", file.error().describe().c_str());
        tern::AttrList refusal;
        refusal.add(tern::kCleanupStatus, "451").add(tern::kCleanupReason, kWriteErrorReply);
        state_ = State::Replying;
        reply(refusal);
        return state_ != State::Closed;
    }
    tern::AttrList greeting;
    greeting.add(tern::kCleanupStatus, "0").add(tern::kCleanupQueueId, file->id.str());
    message_.emplace(settings(), std::move(*file));
    if (!tern::add_event(read_event_.get(), service_.timeout_ms())) return false;
    reply(greeting);
    return state_ != State::Closed;
}

void Stream::on_read(evutil_socket_t, short what) noexcept {
    if (what & EV_TIMEOUT) {
        tern::log_warning("%s: timeout on the cleanup stream", message_ ? message_->id().c_str() : "NOQUEUE");
        close();
    } else {
        read_available();
    }
    settle();
}

void Stream::read_available() {
    std::array<char, kReadBytes> buffer;
    const ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        tern::log_warning("read cleanup stream: %s", std::strerror(errno));
        return close();
    }
    if (n == 0) {
        // The peer went away before end: an abort.
        if (message_ && state_ != State::Committing)
            tern::log_info("%s: lost connection with the message source", message_->id().c_str());
        return close();
    }
    std::string_view input(buffer.data(), static_cast<std::size_t>(n));
    while (!input.empty() && (state_ == State::Envelope || state_ == State::Receiving)) {
        tern::Result<std::size_t> used = decoder_.feed(input);
        if (!used) return protocol_error(used.error().describe());
        input.remove_prefix(*used);
        if (std::optional<tern::AttrList> request = decoder_.take_message()) handle(*request);
    }
    if (!input.empty() && state_ != State::Closed) protocol_error("data after the end request");
}

void Stream::handle(const tern::AttrList& request) {
    const std::optional<std::string_view> kind = request.get(tern::kCleanupRequest);
    if (!kind) return protocol_error("request without a request attribute");
    if (state_ == State::Envelope) {
        if (*kind != tern::kCleanupRequestEnvelope) return protocol_error("expected an envelope request");
        tern::Result<Envelope> envelope = parse_envelope(request);
        if (!envelope) return protocol_error(envelope.error().describe());
        (void)message_->start(*envelope);
        state_ = State::Receiving;
        return;
    }
    if (*kind == tern::kCleanupRequestRecipient) {
        tern::Result<RecipientRequest> r = parse_recipient(request);
        if (!r) return protocol_error(r.error().describe());
        message_->add_recipient(*r);
        return;
    }
    if (*kind == tern::kCleanupRequestContent) {
        if (tern::Status s = request.allow_only({tern::kCleanupRequest, tern::kCleanupData}); !s)
            return protocol_error(s.error().describe());
        const std::optional<std::string_view> data = request.get(tern::kCleanupData);
        if (!data || data->empty()) return protocol_error("content request without data");
        message_->add_content(*data);
        return;
    }
    if (*kind == tern::kCleanupRequestEnd) return handle_end(request);
    protocol_error("unknown request " + tern::printable(*kind, 40));
}

void Stream::handle_end(const tern::AttrList& request) {
    if (tern::Status s = request.allow_only({tern::kCleanupRequest, tern::kCleanupAbort}); !s)
        return protocol_error(s.error().describe());
    if (request.get(tern::kCleanupAbort).value_or("0") == "1") {
        tern::log_info("%s: aborted by the message source", message_->id().c_str());
        return close();
    }
    if (message_->recipient_requests() == 0) return protocol_error("end request without a recipient");
    tern::remove_event(read_event_.get());
    commit(message_->finish());
}

void Stream::commit(Outcome outcome) {
    const tern::QueueId& id = message_->id();
    tern::AttrList answer;
    switch (outcome.verdict) {
    case Verdict::Queue:
    case Verdict::Hold: {
        const bool hold = outcome.verdict == Verdict::Hold;
        std::string temp = message_->temp().path();
        message_->temp().release();
        state_ = State::Committing;
        service_.committer().submit({.file = message_->release_fd(),
                                     .temp_path = std::move(temp),
                                     .final_path = final_path(hold ? tern::QueueName::Hold : tern::QueueName::Incoming, id),
                                     .done = [this, hold](tern::Status s) { on_committed(s, !hold); },
                                     // incoming/ is not fsynced (lib/mail/queue_recovery.h); a held
                                     // file is, since recovery would put it in incoming/.
                                     .sync_directory = hold});
        return;
    }
    case Verdict::Discard:
        answer.add(tern::kCleanupStatus, "0").add(tern::kCleanupQueueId, id.str()).add(tern::kCleanupDiscarded, "1");
        answer.add(tern::kCleanupReason, "250 2.0.0 Ok: queued as " + id.str());
        break;
    case Verdict::Reject:
    case Verdict::Defer:
        answer.add(tern::kCleanupStatus, status_text(outcome.reason)).add(tern::kCleanupQueueId, id.str());
        answer.add(tern::kCleanupReason, outcome.reason);
        break;
    }
    message_->temp().remove();
    state_ = State::Replying;
    reply(answer);
}

void Stream::on_committed(const tern::Status& status, bool poke) noexcept {
    const tern::QueueId& id = message_->id();
    tern::AttrList answer;
    if (status) {
        answer.add(tern::kCleanupStatus, "0").add(tern::kCleanupQueueId, id.str());
        answer.add(tern::kCleanupReason, "250 2.0.0 Ok: queued as " + id.str());
        if (poke) service_.poke_qmgr();
    } else {
        tern::log_warning("%s: %s", id.c_str(), status.error().describe().c_str());
        answer.add(tern::kCleanupStatus, "451").add(tern::kCleanupQueueId, id.str());
        answer.add(tern::kCleanupReason, kWriteErrorReply);
    }
    state_ = State::Replying;
    reply(answer);
    settle();
}

void Stream::protocol_error(const std::string& why) {
    tern::log_warning("%s: cleanup protocol error: %s", message_ ? message_->id().c_str() : "NOQUEUE",
                      tern::printable(why, 300).c_str());
    close();
}

void Stream::reply(const tern::AttrList& message) {
    tern::encode(message, output_);
    flush();
}

void Stream::flush() {
    while (!output_.empty()) {
        const ssize_t n = ::send(fd_.get(), output_.data(), output_.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (!tern::add_event(write_event_.get(), service_.timeout_ms())) close();
                return;
            }
            return close();  // the peer is gone; nothing to tell it
        }
        output_.erase(0, static_cast<std::size_t>(n));
    }
    if (state_ == State::Replying) close();
}

void Stream::on_write(evutil_socket_t, short what) noexcept {
    if (what & EV_TIMEOUT) close();
    else flush();
    settle();
}

void Stream::close() {
    if (state_ == State::Committing) return;  // the done callback still needs us
    state_ = State::Closed;
    if (read_event_) tern::remove_event(read_event_.get());
    if (write_event_) tern::remove_event(write_event_.get());
    if (message_) message_->temp().remove();
}

void Stream::settle() noexcept {
    if (state_ == State::Closed) service_.remove(this);  // destroys *this: nothing may follow
}

}  // namespace cleanup
