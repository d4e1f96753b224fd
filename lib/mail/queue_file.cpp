// lib/mail/queue_file.cpp - queue file reader and in-place updates (see queue_file.h)
#include "lib/mail/queue_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

namespace tern {
namespace {

constexpr std::size_t kWindowBytes = 64 * 1024;
constexpr std::size_t kMaxMagicBytes = 64;  // room for a longer magic of a later version

[[nodiscard]] tl::unexpected<Error> corrupt(std::string_view path, std::uint64_t offset, std::string_view what) {
    return fail(Retry::Permanent,
                std::string(path) + ": corrupt queue file at offset " + std::to_string(offset) + ": " + std::string(what));
}

// Reads `length` bytes at `offset` completely; a short file is corrupt.
Status pread_fully(int fd, char* out, std::size_t length, std::uint64_t offset, std::string_view path) {
    while (length > 0) {
        const ssize_t got = ::pread(fd, out, length, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return fail(Retry::Temporary, "read " + std::string(path), errno);
        if (got == 0) return corrupt(path, offset, "file ends early");
        out += got;
        length -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
    return {};
}

// The bytes of a queue file, from memory or through a window on an fd.
class RecordSource {
public:
    RecordSource(std::string_view bytes) : bytes_(bytes), size_(bytes.size()) {}
    RecordSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
    [[nodiscard]] std::uint64_t size() const noexcept { return size_; }

    // The caller has checked offset + length <= size().
    Result<std::string_view> read(std::uint64_t offset, std::size_t length, std::string_view path) {
        if (fd_ < 0) return bytes_.substr(static_cast<std::size_t>(offset), length);
        if (offset >= window_offset_ && offset + length <= window_offset_ + window_.size())
            return std::string_view(window_).substr(static_cast<std::size_t>(offset - window_offset_), length);
        const std::size_t want = static_cast<std::size_t>(
            std::min<std::uint64_t>(std::max(length, kWindowBytes), size_ - offset));
        window_.resize(want);
        window_offset_ = offset;
        if (auto got = pread_fully(fd_, window_.data(), want, offset, path); !got) {
            window_.clear();
            return tl::unexpected(got.error());
        }
        return std::string_view(window_).substr(0, length);
    }

private:
    int fd_ = -1;
    std::string_view bytes_;
    std::uint64_t size_ = 0;
    std::string window_;
    std::uint64_t window_offset_ = 0;
};

struct PendingRecipient {
    QueueRecipient recipient;
    bool has_orcpt = false;
    bool has_notify = false;
};

class Parser {
public:
    Parser(RecordSource& source, std::string_view path, const QueueFileLimits& limits)
        : source_(source), path_(path), limits_(limits) {}
    Result<QueueFile> run();

private:
    Status check_length(char type, std::uint32_t length) const;
    Status handle(RecordType type, std::string_view payload, std::uint32_t length);
    Status handle_envelope(RecordType type, std::string_view payload);
    Status handle_recipient(RecordType type, std::string_view payload);
    Status handle_attribute(std::string_view payload);
    Status handle_end(std::string_view payload, std::uint32_t length);
    Status check_complete() const;
    Status once(bool& seen, RecordType type) {
        if (seen) return corrupt(path_, offset_, "duplicate " + std::string(record_type_name(type)) + " record");
        seen = true;
        return {};
    }
    [[nodiscard]] tl::unexpected<Error> bad(std::string_view what) const { return corrupt(path_, offset_, what); }

    RecordSource& source_;
    std::string_view path_;
    const QueueFileLimits& limits_;
    QueueFile file_;
    std::uint64_t offset_ = 0;  // start of the record being handled
    std::optional<PendingRecipient> pending_;
    bool seen_arrival_ = false, seen_sender_ = false, seen_envid_ = false;
    bool seen_ret_ = false, seen_schedule_ = false, seen_warning_ = false, seen_end_ = false;
};

Status Parser::check_length(char type, std::uint32_t length) const {
    const std::uint64_t left = source_.size() - offset_ - kRecordHeaderBytes;
    if (length > left) return bad("record length " + std::to_string(length) + " runs past the end of the file");
    switch (static_cast<RecordType>(type)) {
        case RecordType::Status:
            return length == kStatusPayloadBytes ? Status{} : bad("status record of wrong size");
        case RecordType::Schedule:
            return length == kSchedulePayloadBytes ? Status{} : bad("schedule record of wrong size");
        case RecordType::Warning:
            return length == kWarningPayloadBytes ? Status{} : bad("delay warning record of wrong size");
        case RecordType::End: return length == kEndPayloadBytes ? Status{} : bad("end record of wrong size");
        case RecordType::Content:
            return length <= limits_.max_content_chunk_bytes ? Status{} : bad("content record too long");
        case RecordType::Magic:
            return length <= kMaxMagicBytes ? Status{} : bad("not a queue file (bad magic)");
        case RecordType::Arrival:
            return length <= kMaxArrivalPayloadBytes ? Status{} : bad("bad arrival time");
        case RecordType::Sender:
        case RecordType::EnvId:
        case RecordType::Ret:
        case RecordType::Attribute:
        case RecordType::OriginalRecipient:
        case RecordType::Notify:
        case RecordType::Recipient:
            return length <= limits_.max_envelope_record_bytes ? Status{} : bad("envelope record too long");
    }
    return bad("unknown record type");
}

Result<QueueFile> Parser::run() {
    file_.file_size = source_.size();
    if (source_.size() > limits_.max_file_bytes) return bad("file larger than the limit");
    while (offset_ < source_.size() && !seen_end_) {
        if (source_.size() - offset_ < kRecordHeaderBytes) return bad("truncated record header");
        auto header_bytes = source_.read(offset_, kRecordHeaderBytes, path_);
        if (!header_bytes) return tl::unexpected(header_bytes.error());
        const RecordHeader header = *decode_record_header(*header_bytes);
        if (!is_known_record_type(header.type)) return bad("unknown record type");
        if (auto ok = check_length(header.type, header.length); !ok) return tl::unexpected(ok.error());
        const auto type = static_cast<RecordType>(header.type);
        std::string_view payload;
        if (type != RecordType::Content) {
            auto read = source_.read(offset_ + kRecordHeaderBytes, header.length, path_);
            if (!read) return tl::unexpected(read.error());
            payload = *read;
        }
        if (auto ok = handle(type, payload, header.length); !ok) return tl::unexpected(ok.error());
        offset_ += kRecordHeaderBytes + header.length;
    }
    if (auto ok = check_complete(); !ok) return tl::unexpected(ok.error());
    return std::move(file_);
}

Status Parser::handle(RecordType type, std::string_view payload, std::uint32_t length) {
    if (offset_ == 0 && type != RecordType::Magic) return bad("not a queue file (no magic record)");
    const bool in_group = type == RecordType::Status || type == RecordType::OriginalRecipient ||
                          type == RecordType::Notify || type == RecordType::Recipient;
    if (pending_ && !in_group) return bad("recipient without address record");
    switch (type) {
        case RecordType::Magic:
            if (offset_ != 0) return bad("magic record not first");
            if (payload.substr(0, kMagicPrefix.size()) == kMagicPrefix && payload != kMagicPayload)
                return bad("unsupported queue file version");
            return payload == kMagicPayload ? Status{} : bad("not a queue file (bad magic)");
        case RecordType::Content:
            file_.content.push_back({offset_ + kRecordHeaderBytes, length});
            file_.content_size += length;
            return {};
        case RecordType::End: return handle_end(payload, length);
        case RecordType::Status:
        case RecordType::OriginalRecipient:
        case RecordType::Notify:
        case RecordType::Recipient: return handle_recipient(type, payload);
        case RecordType::Attribute: return handle_attribute(payload);
        case RecordType::Arrival:
        case RecordType::Sender:
        case RecordType::EnvId:
        case RecordType::Ret:
        case RecordType::Schedule:
        case RecordType::Warning: return handle_envelope(type, payload);
    }
    return bad("unknown record type");
}

Status Parser::handle_envelope(RecordType type, std::string_view payload) {
    switch (type) {
        case RecordType::Arrival: {
            if (auto ok = once(seen_arrival_, type); !ok) return ok;
            const auto arrival = decode_arrival(payload);
            if (!arrival) return bad("bad arrival time");
            file_.arrival = *arrival;
            return {};
        }
        case RecordType::Sender:
            if (auto ok = once(seen_sender_, type); !ok) return ok;
            if (!valid_envelope_text(payload)) return bad("bad sender");
            file_.sender = payload;
            return {};
        case RecordType::EnvId:
            if (auto ok = once(seen_envid_, type); !ok) return ok;
            if (payload.empty() || !valid_envelope_text(payload)) return bad("bad ENVID");
            file_.envid = payload;
            return {};
        case RecordType::Ret: {
            if (auto ok = once(seen_ret_, type); !ok) return ok;
            const auto ret = decode_ret(payload);
            if (!ret) return bad("bad RET");
            file_.ret = *ret;
            return {};
        }
        case RecordType::Schedule: {
            if (auto ok = once(seen_schedule_, type); !ok) return ok;
            const auto schedule = decode_schedule(payload);
            if (!schedule) return bad("bad schedule record");
            file_.schedule = *schedule;
            file_.schedule_offset = offset_;
            return {};
        }
        case RecordType::Warning: {
            if (auto ok = once(seen_warning_, type); !ok) return ok;
            const auto sent = decode_warning(payload);
            if (!sent) return bad("bad delay warning record");
            file_.warning_sent_s = *sent;
            file_.warning_offset = offset_;
            return {};
        }
        case RecordType::Magic:
        case RecordType::Attribute:
        case RecordType::Status:
        case RecordType::OriginalRecipient:
        case RecordType::Notify:
        case RecordType::Recipient:
        case RecordType::Content:
        case RecordType::End: break;
    }
    return bad("unexpected record");
}

Status Parser::handle_recipient(RecordType type, std::string_view payload) {
    if (type == RecordType::Status) {
        if (pending_) return bad("recipient without address record");
        if (file_.recipients.size() >= limits_.max_recipients) return bad("too many recipients");
        const auto status = decode_status(payload);
        if (!status) return bad("bad recipient status");
        pending_.emplace();
        pending_->recipient.status = *status;
        pending_->recipient.status_offset = offset_;
        return {};
    }
    if (!pending_) return bad("recipient record without status record");
    if (type == RecordType::OriginalRecipient) {
        if (pending_->has_orcpt) return bad("duplicate ORCPT record");
        if (payload.empty() || !valid_envelope_text(payload)) return bad("bad ORCPT");
        pending_->has_orcpt = true;
        pending_->recipient.orcpt = payload;
        return {};
    }
    if (type == RecordType::Notify) {
        if (pending_->has_notify) return bad("duplicate NOTIFY record");
        const auto notify = decode_notify(payload);
        if (!notify) return bad("bad NOTIFY");
        pending_->has_notify = true;
        pending_->recipient.notify = *notify;
        return {};
    }
    if (payload.empty() || !valid_envelope_text(payload)) return bad("bad recipient address");
    pending_->recipient.address = payload;
    file_.recipients.push_back(std::move(pending_->recipient));
    pending_.reset();
    return {};
}

Status Parser::handle_attribute(std::string_view payload) {
    if (file_.attributes.size() >= limits_.max_attributes) return bad("too many attributes");
    const std::size_t equals = payload.find('=');
    if (equals == std::string_view::npos) return bad("attribute without '='");
    const std::string_view name = payload.substr(0, equals);
    const std::string_view value = payload.substr(equals + 1);
    if (!valid_attribute_name(name)) return bad("bad attribute name");
    if (!valid_envelope_text(value)) return bad("bad attribute value");
    if (file_.attribute(name) != nullptr) return bad("duplicate attribute " + std::string(name));
    file_.attributes.push_back({std::string(name), std::string(value)});
    return {};
}

Status Parser::handle_end(std::string_view payload, std::uint32_t length) {
    const auto size = decode_end(payload);
    if (!size) return bad("bad end record");
    if (offset_ + kRecordHeaderBytes + length != source_.size()) return bad("data after the end record");
    if (*size != source_.size()) return bad("end record names size " + std::to_string(*size));
    seen_end_ = true;
    return {};
}

Status Parser::check_complete() const {
    if (!seen_end_) return bad("no end record (truncated file)");
    if (!seen_arrival_) return bad("no arrival time record");
    if (!seen_sender_) return bad("no sender record");
    if (!seen_schedule_) return bad("no schedule record");
    if (file_.recipients.empty()) return bad("no recipients");
    return {};
}

// Reads the fixed-size record at `offset` and checks its type and size.
Status check_fixed_record(int fd, std::uint64_t offset, RecordType type, std::size_t payload_bytes,
                          std::string_view path) {
    char header[kRecordHeaderBytes];
    if (auto got = pread_fully(fd, header, sizeof header, offset, path); !got) return got;
    const auto decoded = decode_record_header(std::string_view(header, sizeof header));
    if (decoded->type != static_cast<char>(type) || decoded->length != payload_bytes)
        return fail(Retry::Permanent, std::string(path) + ": no " + std::string(record_type_name(type)) +
                                          " record at offset " + std::to_string(offset));
    return {};
}

Status pwrite_fully(int fd, std::string_view bytes, std::uint64_t offset, std::string_view path) {
    while (true) {
        const ssize_t wrote = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) return fail(Retry::Temporary, "write " + std::string(path), errno);
        // A short write of a few bytes within one block does not happen on
        // local file systems; treat it as a failed update all the same.
        if (static_cast<std::size_t>(wrote) != bytes.size())
            return fail(Retry::Temporary, std::string(path) + ": short write at offset " + std::to_string(offset));
        return {};
    }
}

Status rewrite_fixed(int fd, std::uint64_t offset, RecordType type, std::string_view payload, std::string_view path) {
    if (auto ok = check_fixed_record(fd, offset, type, payload.size(), path); !ok) return ok;
    std::string record;
    append_record(record, type, payload);
    return pwrite_fully(fd, record, offset, path);
}

}  // namespace

const std::string* QueueFile::attribute(std::string_view name) const noexcept {
    for (const QueueAttribute& attribute : attributes)
        if (attribute.name == name) return &attribute.value;
    return nullptr;
}

std::size_t QueueFile::todo_count() const noexcept {
    return static_cast<std::size_t>(std::count_if(recipients.begin(), recipients.end(), [](const QueueRecipient& r) {
        return r.status == RecipientStatus::Todo;
    }));
}

Result<QueueFile> read_queue_file(int fd, std::string_view path, const QueueFileLimits& limits) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(Retry::Temporary, "fstat " + std::string(path), errno);
    if (!S_ISREG(st.st_mode)) return fail(Retry::Permanent, std::string(path) + ": not a regular file");
    RecordSource source(fd, static_cast<std::uint64_t>(st.st_size));
    return Parser(source, path, limits).run();
}

Result<QueueFile> parse_queue_file(std::string_view bytes, const QueueFileLimits& limits) {
    RecordSource source(bytes);
    return Parser(source, "queue file", limits).run();
}

std::string content_from_bytes(std::string_view bytes, const QueueFile& file) {
    std::string content;
    content.reserve(static_cast<std::size_t>(file.content_size));
    for (const ContentChunk& chunk : file.content)
        content.append(bytes.substr(static_cast<std::size_t>(chunk.offset), chunk.length));
    return content;
}

Result<std::size_t> ContentReader::read(std::span<char> out) {
    std::size_t filled = 0;
    while (filled < out.size() && chunk_ < file_.content.size()) {
        const ContentChunk& chunk = file_.content[chunk_];
        const std::size_t want = std::min<std::size_t>(out.size() - filled, chunk.length - chunk_used_);
        if (auto got = pread_fully(fd_, out.data() + filled, want, chunk.offset + chunk_used_, path_); !got)
            return tl::unexpected(got.error());
        filled += want;
        chunk_used_ += static_cast<std::uint32_t>(want);
        if (chunk_used_ == chunk.length) {
            ++chunk_;
            chunk_used_ = 0;
        }
    }
    return filled;
}

Result<std::string> ContentReader::read_all(std::uint64_t max_bytes) {
    if (file_.content_size > max_bytes)
        return fail(Retry::Permanent, std::string(path_) + ": content larger than " + std::to_string(max_bytes));
    std::string content(static_cast<std::size_t>(file_.content_size), '\0');
    std::size_t filled = 0;
    while (filled < content.size()) {
        auto got = read(std::span<char>(content.data() + filled, content.size() - filled));
        if (!got) return tl::unexpected(got.error());
        if (*got == 0) break;
        filled += *got;
    }
    content.resize(filled);
    return content;
}

Status mark_recipient_done(int fd, std::uint64_t status_offset, std::string_view path) {
    return rewrite_fixed(fd, status_offset, RecordType::Status, encode_status(RecipientStatus::Done), path);
}

Status update_schedule(int fd, std::uint64_t schedule_offset, const Schedule& schedule, std::string_view path) {
    return rewrite_fixed(fd, schedule_offset, RecordType::Schedule, encode_schedule(schedule), path);
}

Status update_warning(int fd, std::uint64_t warning_offset, std::int64_t sent_s, std::string_view path) {
    return rewrite_fixed(fd, warning_offset, RecordType::Warning, encode_warning(sent_s), path);
}

bool valid_attribute_name(std::string_view name) noexcept {
    if (name.empty() || name.size() > kMaxAttributeNameBytes) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

bool valid_envelope_text(std::string_view text) noexcept {
    return text.find_first_of(std::string_view("\0\r\n", 3)) == std::string_view::npos;
}

}  // namespace tern
