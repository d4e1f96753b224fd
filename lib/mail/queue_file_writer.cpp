// lib/mail/queue_file_writer.cpp - write a queue file record by record (see queue_file_writer.h)
#include "lib/mail/queue_file_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace tern {
namespace {

constexpr std::size_t kBufferBytes = 64 * 1024;
constexpr std::size_t kChunkBytes = 64 * 1024;

Status duplicate(std::string_view what) { return fail(Retry::Permanent, "queue file: duplicate " + std::string(what)); }

}  // namespace

QueueFileWriter::QueueFileWriter(Fd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {
    buffer_.reserve(kBufferBytes + kChunkBytes + kRecordHeaderBytes);
    append_record(buffer_, RecordType::Magic, kMagicPayload);
}

Status QueueFileWriter::usable() const {
    if (error_) return tl::unexpected(*error_);
    if (finished_) return fail(Retry::Permanent, path_ + ": queue file already finished");
    return {};
}

Status QueueFileWriter::envelope_text(std::string_view what, std::string_view text, bool may_be_empty) const {
    if (text.empty() && !may_be_empty) return fail(Retry::Permanent, "queue file: empty " + std::string(what));
    if (!valid_envelope_text(text))
        return fail(Retry::Permanent, "queue file: NUL, CR or LF in " + std::string(what));
    if (text.size() > limits_.max_envelope_record_bytes)
        return fail(Retry::Permanent, "queue file: " + std::string(what) + " too long");
    return {};
}

Status QueueFileWriter::flush() {
    std::string_view left = buffer_;
    while (!left.empty()) {
        const ssize_t wrote = ::pwrite(fd_.get(), left.data(), left.size(), static_cast<off_t>(offset_));
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote <= 0) {
            error_ = Error{Retry::Temporary, "write " + path_, wrote < 0 ? errno : ENOSPC};
            return tl::unexpected(*error_);
        }
        left.remove_prefix(static_cast<std::size_t>(wrote));
        offset_ += static_cast<std::uint64_t>(wrote);
    }
    buffer_.clear();
    return {};
}

Status QueueFileWriter::flush_content() {
    if (pending_content_.empty()) return {};
    append_record(buffer_, RecordType::Content, pending_content_);
    pending_content_.clear();
    return buffer_.size() >= kBufferBytes ? flush() : Status{};
}

Status QueueFileWriter::append(RecordType type, std::string_view payload) {
    if (auto ok = flush_content(); !ok) return ok;
    append_record(buffer_, type, payload);
    return buffer_.size() >= kBufferBytes ? flush() : Status{};
}

Status QueueFileWriter::add_arrival(const timeval& arrival) {
    if (auto ok = usable(); !ok) return ok;
    if (has_arrival_) return duplicate("arrival time");
    has_arrival_ = true;
    return append(RecordType::Arrival, encode_arrival(arrival));
}

Status QueueFileWriter::add_sender(std::string_view sender) {
    if (auto ok = usable(); !ok) return ok;
    if (has_sender_) return duplicate("sender");
    if (auto ok = envelope_text("sender", sender, true); !ok) return ok;
    has_sender_ = true;
    return append(RecordType::Sender, sender);
}

Status QueueFileWriter::add_envid(std::string_view envid) {
    if (auto ok = usable(); !ok) return ok;
    if (has_envid_) return duplicate("ENVID");
    if (auto ok = envelope_text("ENVID", envid, false); !ok) return ok;
    has_envid_ = true;
    return append(RecordType::EnvId, envid);
}

Status QueueFileWriter::add_ret(DsnRet ret) {
    if (auto ok = usable(); !ok) return ok;
    if (ret == DsnRet::None) return {};
    if (has_ret_) return duplicate("RET");
    has_ret_ = true;
    return append(RecordType::Ret, encode_ret(ret));
}

Status QueueFileWriter::add_attribute(std::string_view name, std::string_view value) {
    if (auto ok = usable(); !ok) return ok;
    if (!valid_attribute_name(name))
        return fail(Retry::Permanent, "queue file: bad attribute name " + std::string(name.substr(0, 100)));
    if (std::find(attribute_names_.begin(), attribute_names_.end(), name) != attribute_names_.end())
        return duplicate("attribute " + std::string(name));
    if (attribute_names_.size() >= limits_.max_attributes)
        return fail(Retry::Permanent, "queue file: too many attributes");
    std::string payload;
    payload.reserve(name.size() + 1 + value.size());
    payload.append(name).append("=").append(value);
    if (auto ok = envelope_text("attribute " + std::string(name), payload, false); !ok) return ok;
    attribute_names_.emplace_back(name);
    return append(RecordType::Attribute, payload);
}

Status QueueFileWriter::add_recipient(const RecipientSpec& recipient) {
    if (auto ok = usable(); !ok) return ok;
    if (recipient_count_ >= limits_.max_recipients) return fail(Retry::Permanent, "queue file: too many recipients");
    if (auto ok = envelope_text("recipient", recipient.address, false); !ok) return ok;
    if (auto ok = envelope_text("ORCPT", recipient.orcpt, true); !ok) return ok;
    if (recipient.notify != 0 && !valid_notify(recipient.notify))
        return fail(Retry::Permanent, "queue file: bad NOTIFY flags " + std::to_string(recipient.notify));
    ++recipient_count_;
    if (auto ok = append(RecordType::Status, encode_status(recipient.status)); !ok) return ok;
    if (!recipient.orcpt.empty())
        if (auto ok = append(RecordType::OriginalRecipient, recipient.orcpt); !ok) return ok;
    if (recipient.notify != 0)
        if (auto ok = append(RecordType::Notify, encode_notify(recipient.notify)); !ok) return ok;
    return append(RecordType::Recipient, recipient.address);
}

Status QueueFileWriter::add_content(std::string_view bytes) {
    if (auto ok = usable(); !ok) return ok;
    content_size_ += bytes.size();
    while (!bytes.empty()) {
        const std::size_t take = std::min(bytes.size(), kChunkBytes - pending_content_.size());
        pending_content_.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (pending_content_.size() == kChunkBytes)
            if (auto ok = flush_content(); !ok) return ok;
    }
    return {};
}

Status QueueFileWriter::add_schedule(const Schedule& schedule) {
    if (auto ok = usable(); !ok) return ok;
    if (has_schedule_) return duplicate("schedule");
    has_schedule_ = true;
    return append(RecordType::Schedule, encode_schedule(schedule));
}

Status QueueFileWriter::add_warning(std::int64_t sent_s) {
    if (auto ok = usable(); !ok) return ok;
    if (has_warning_) return duplicate("delay warning");
    has_warning_ = true;
    return append(RecordType::Warning, encode_warning(sent_s));
}

Status QueueFileWriter::finish() {
    if (auto ok = usable(); !ok) return ok;
    if (!has_arrival_) return fail(Retry::Permanent, path_ + ": queue file without arrival time");
    if (!has_sender_) return fail(Retry::Permanent, path_ + ": queue file without sender");
    if (recipient_count_ == 0) return fail(Retry::Permanent, path_ + ": queue file without recipients");
    if (!has_schedule_)
        if (auto ok = add_schedule(Schedule{}); !ok) return ok;
    if (!has_warning_)
        if (auto ok = add_warning(0); !ok) return ok;
    if (auto ok = flush_content(); !ok) return ok;
    const std::uint64_t total = size() + kRecordHeaderBytes + kEndPayloadBytes;
    append_record(buffer_, RecordType::End, encode_end(total));
    if (auto ok = flush(); !ok) return ok;
    finished_ = true;
    return {};
}

}  // namespace tern
