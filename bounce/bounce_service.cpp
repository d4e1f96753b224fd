// bounce/bounce_service.cpp - one bounce request per connection, its notices through cleanup (see bounce_service.h)
#include "bounce/bounce_service.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <ctime>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/bounce_protocol.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/queue_id.h"
#include "lib/mail/queue_name.h"

namespace bounce {
namespace {

// Postfix's bounce skips header_checks (internal_mail_filter_classes is empty by default).
constexpr unsigned kNoticeFlags = tern::kCleanupFlagAddressMaps | tern::kCleanupFlagAddHeaders;
constexpr std::size_t kReadBytes = 4096;

tern::Result<RequestKind> request_kind(std::string_view text) {
    if (text == tern::kBounceRequestFlush) return RequestKind::Flush;
    if (text == tern::kBounceRequestExpire) return RequestKind::Expire;
    if (text == tern::kBounceRequestDelay) return RequestKind::Delay;
    return tern::fail(tern::Retry::Permanent, "unknown request \"" + tern::printable(text, 40) + "\"");
}

bool has_8bit(std::string_view text) noexcept {
    return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

}  // namespace

Session::Session(Service& service, tern::Fd fd)
    : service_(service), fd_(std::move(fd)), decoder_(tern::kBounceAttrLimits) {}

Session::~Session() = default;

bool Session::start() {
    auto ev = tern::make_event<&Session::on_read>(service_.base(), fd_.get(), EV_READ | EV_PERSIST, this);
    if (!ev) {
        tern::log_warning("bounce: %s", ev.error().describe().c_str());
        return false;
    }
    read_event_ = std::move(*ev);
    return static_cast<bool>(tern::add_event(read_event_.get(), service_.settings().timeout_ms));
}

void Session::on_read(evutil_socket_t, short what) noexcept {
    if ((what & EV_TIMEOUT) != 0) {
        tern::log_warning("bounce: timeout reading a request");
        return service_.remove(this);
    }
    std::array<char, kReadBytes> buffer;
    const std::size_t ask = std::min(decoder_.want(), buffer.size());
    const ssize_t n = ::read(fd_.get(), buffer.data(), ask);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        if (decoder_.mid_message()) tern::log_warning("bounce: client closed mid-request");
        return service_.remove(this);
    }
    tern::Result<std::size_t> used = decoder_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    if (!used) {
        tern::log_warning("bounce: bad request: %s", used.error().describe().c_str());
        return service_.remove(this);
    }
    if (std::optional<tern::AttrList> request = decoder_.take_message()) {
        tern::remove_event(read_event_.get());
        handle_request(*request);  // may destroy *this
    }
}

void Session::handle_request(const tern::AttrList& request) noexcept {
    if (tern::Status s = prepare(request); !s) {
        if (s.error().retry == tern::Retry::Permanent) tern::log_warning("bounce: %s", s.error().describe().c_str());
        return answer(4, s.error().describe());
    }
    next_ = 0;
    next_notice();
}

tern::Status Session::prepare(const tern::AttrList& request) {
    using namespace tern;
    if (Status s = request.allow_only({kBounceRequest, kBounceQueueName, kBounceQueueId}); !s) return s;
    Result<std::string_view> kind_text = request.require(kBounceRequest);
    Result<std::string_view> name_text = request.require(kBounceQueueName);
    Result<std::string_view> id = request.require(kBounceQueueId);
    if (!kind_text || !name_text || !id) return fail(Retry::Permanent, "request without request, queue_name or queue_id");
    Result<RequestKind> kind = request_kind(*kind_text);
    if (!kind) return tl::unexpected(kind.error());
    kind_ = *kind;
    const std::optional<QueueName> name = queue_name_from_string(*name_text);
    if (!name || !holds_queue_files(*name) || !is_valid_queue_id(*id))
        return fail(Retry::Permanent, "bad queue name or ID \"" + printable(*name_text, 20) + "/" +
                                          printable(*id, 40) + "\"");
    queue_id_ = std::string(*id);
    const Settings& settings = service_.settings();
    const std::string path = queue_file_path(settings.queue_directory, *name, queue_id_);
    Fd fd{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
    if (!fd) return fail(Retry::Temporary, "open " + path, errno);
    Result<QueueFile> file = read_queue_file(fd.get(), path);
    if (!file) return tl::unexpected(file.error());
    file_ = std::move(*file);
    std::vector<DeliveryRecord> bounced, deferred;
    if (kind_ != RequestKind::Delay) {
        Result<std::vector<DeliveryRecord>> b = read_delivery_log(settings.queue_directory, DeliveryLog::Bounce, queue_id_);
        if (!b) return tl::unexpected(b.error());
        bounced = std::move(*b);
    }
    if (kind_ != RequestKind::Flush) {
        Result<std::vector<DeliveryRecord>> d = read_delivery_log(settings.queue_directory, DeliveryLog::Defer, queue_id_);
        if (!d) return tl::unexpected(d.error());
        deferred = std::move(*d);
    }
    plan_ = plan_notices(kind_, file_, bounced, deferred, settings.notice, std::time(nullptr));
    // An expiry is made durable in the bounce log first: a crash repeats the notice, never loses it.
    if (!plan_.append_to_bounce_log.empty())
        if (Status s = append_delivery_records(settings.queue_directory, DeliveryLog::Bounce, queue_id_,
                                               plan_.append_to_bounce_log, true);
            !s)
            return s;
    if (plan_.discard_double_bounce)
        log_warning("%s: undeliverable postmaster notification discarded", queue_id_.c_str());
    if (plan_.notices.empty()) return {};
    return read_original(fd.get(), file_);
}

tern::Status Session::read_original(int fd, const tern::QueueFile& file) {
    bool whole = false;
    for (const Notice& n : plan_.notices) {
        DsnInput in = dsn_input(n);
        in.original_size = file.content_size;
        if (returned_part(in) == Returned::Message) whole = true;
    }
    const std::uint64_t want = whole ? file.content_size : std::min<std::uint64_t>(file.content_size,
                                                                                   kMaxReturnedHeaderBytes + 2);
    original_.assign(static_cast<std::size_t>(want), '\0');
    tern::ContentReader reader(fd, file);
    std::size_t got = 0;
    while (got < original_.size()) {
        tern::Result<std::size_t> n = reader.read(std::span<char>(original_.data() + got, original_.size() - got));
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) break;
        got += *n;
    }
    original_.resize(got);
    const std::string* body = file.attribute("body");
    eight_bit_ = has_8bit(original_) || (body && (*body == "8BITMIME" || *body == "BINARYMIME")) ||
                 file.attribute("smtputf8") != nullptr;
    return {};
}

DsnInput Session::dsn_input(const Notice& notice) const {
    const Settings& settings = service_.settings();
    return DsnInput{
        .kind = notice.kind,
        .postmaster_copy = notice.postmaster_copy,
        .myhostname = settings.notice.myhostname,
        .mail_name = settings.mail_name,
        .queue_id = queue_id_,
        .new_queue_id = cleanup_ ? std::string_view(cleanup_->queue_id()) : std::string_view(),
        .to = notice.to,
        .sender = file_.sender,
        .envid = file_.envid,
        .arrival_s = static_cast<std::int64_t>(file_.arrival.tv_sec),
        .now = std::time(nullptr),
        .records = notice.records,
        .original = original_,
        .ret = file_.ret,
        .headers_only = notice.headers_only,
        .original_size = file_.content_size,
        .bounce_size_limit = settings.bounce_size_limit,
        .eight_bit = eight_bit_,
        .delay_warning_hours = settings.delay_warning_s / 3600,
        .max_queue_lifetime_s = settings.max_queue_lifetime_s,
    };
}

void Session::next_notice() noexcept {
    if (next_ >= plan_.notices.size()) return finish_all();
    const Notice& notice = plan_.notices[next_];
    const Settings& settings = service_.settings();
    tern::Result<std::unique_ptr<tern::CleanupClient>> client =
        tern::CleanupClient::open(service_.base(), settings.cleanup_path, *this, settings.timeout_ms);
    if (!client) return answer(4, "cleanup: " + client.error().describe());
    cleanup_ = std::move(*client);
    tern::AttrList envelope;
    envelope.add(tern::kCleanupRequest, tern::kCleanupRequestEnvelope)
        .add(tern::kCleanupSender, notice.envelope_sender)
        .add_int(tern::kCleanupFlags, kNoticeFlags);
    if (eight_bit_) envelope.add(tern::kCleanupBody, "8BITMIME");
    cleanup_->send(envelope);
    tern::AttrList recipient;
    recipient.add(tern::kCleanupRequest, tern::kCleanupRequestRecipient).add(tern::kCleanupAddress, notice.to);
    cleanup_->send(recipient);
}

void Session::on_cleanup_queue_id(std::string_view) noexcept {
    // The notice's Message-Id names its own queue ID, so the text is made now.
    const std::string message = compose_dsn(dsn_input(plan_.notices[next_]));
    for (std::size_t pos = 0; pos < message.size(); pos += tern::kCleanupMaxChunkBytes) {
        tern::AttrList chunk;
        chunk.add(tern::kCleanupRequest, tern::kCleanupRequestContent)
            .add(tern::kCleanupData, std::string_view(message).substr(pos, tern::kCleanupMaxChunkBytes));
        cleanup_->send(chunk);
    }
    cleanup_->finish();
}

void Session::on_cleanup_reply(const tern::CleanupReply& reply) noexcept {
    if (reply.status != 0) return notice_failed("cleanup: " + tern::printable(reply.reason, 500));
    const std::string new_id = reply.queue_id.empty() ? cleanup_->queue_id() : reply.queue_id;
    tern::log_info("%s: %s: %s", queue_id_.c_str(), plan_.notices[next_].log_label.c_str(),
                   tern::printable(new_id, 64).c_str());
    cleanup_.reset();
    ++next_;
    next_notice();
}

void Session::on_cleanup_failure(const std::string& why) noexcept {
    notice_failed("cleanup: " + tern::printable(why, 500));
}

void Session::notice_failed(const std::string& why) noexcept {
    const Notice& notice = plan_.notices[next_];
    if (!notice.optional) {
        tern::log_warning("%s: cannot queue a delivery status notification: %s", queue_id_.c_str(), why.c_str());
        return answer(4, why);
    }
    // As Postfix: a failed postmaster copy does not make the sender's notice go out again.
    tern::log_warning("%s: postmaster notice failed while bouncing to %s: %s", queue_id_.c_str(),
                      tern::printable(file_.sender, 500).c_str(), why.c_str());
    cleanup_.reset();
    ++next_;
    next_notice();
}

void Session::finish_all() noexcept {
    if (plan_.remove_bounce_log)
        if (tern::Status s = tern::remove_delivery_log(service_.settings().queue_directory, tern::DeliveryLog::Bounce,
                                                       queue_id_);
            !s)
            return answer(4, s.error().describe());
    answer(0, "");
}

void Session::answer(int status, const std::string& reason) noexcept {
    tern::AttrList reply;
    reply.add_int(tern::kBounceStatus, status);
    if (status != 0) reply.add(tern::kBounceReason, reason.substr(0, tern::kBounceAttrLimits.max_value_bytes));
    if (tern::Status s = tern::write_attr_message(fd_.get(), reply, service_.settings().timeout_ms); !s)
        tern::log_warning("bounce: %s", s.error().describe().c_str());
    service_.remove(this);  // destroys *this: nothing may follow
}

}  // namespace bounce
