// lib/mail/queue_listing.cpp - walk the queue for mailq, showq records (see queue_listing.h)
#include "lib/mail/queue_listing.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/delivery_log.h"
#include "lib/mail/queue_id.h"

namespace tern {

namespace {

constexpr std::string_view kRecordName = "record";
constexpr std::string_view kRecordMessage = "message";
constexpr std::string_view kRecordRecipient = "recipient";
constexpr std::string_view kRecordEnd = "end";

tl::unexpected<Error> refuse(const std::string& why) {
    return fail(Retry::Permanent, "showq listing: " + why);
}

// A whole number in [0, max] from `name`, or an Error naming it.
Result<long long> bounded_int(const AttrList& record, std::string_view name, long long max) {
    Result<long long> value = record.get_int(name);
    if (!value) return value;
    if (*value < 0 || *value > max) return refuse("attribute " + std::string(name) + " out of range");
    return value;
}

// The delay reasons of defer/ID: the newest record per recipient, found by
// status offset and address, else by address alone (as Postfix's showq).
class DelayReasons {
public:
    DelayReasons(const std::string& queue_directory, std::string_view queue_id, std::size_t max_reason_bytes) {
        Result<std::vector<DeliveryRecord>> records = read_delivery_log(queue_directory, DeliveryLog::Defer, queue_id);
        if (!records) {
            log_debug("defer log of %s: %s", std::string(queue_id).c_str(), records.error().describe().c_str());
            return;
        }
        for (DeliveryRecord& record : newest_per_recipient(*records)) {
            std::string reason = record.reason.substr(0, max_reason_bytes);
            by_address_[record.recipient] = reason;
            by_offset_[{record.offset, std::move(record.recipient)}] = std::move(reason);
        }
    }

    [[nodiscard]] std::string find(const QueueRecipient& recipient) const {
        if (by_address_.empty()) return {};
        if (auto exact = by_offset_.find({recipient.status_offset, recipient.address}); exact != by_offset_.end())
            return exact->second;
        auto same = by_address_.find(recipient.address);
        return same == by_address_.end() ? std::string() : same->second;
    }

private:
    std::unordered_map<std::string, std::string> by_address_;
    std::map<std::pair<std::uint64_t, std::string>, std::string> by_offset_;
};

}  // namespace

QueueScanner::QueueScanner(std::string queue_directory, const ListingLimits& limits,
                           const QueueFileLimits& file_limits)
    : queue_directory_(std::move(queue_directory)), limits_(limits), file_limits_(file_limits) {}

bool QueueScanner::open_next_queue() {
    while (queue_index_ < kListedQueues.size()) {
        current_ = kListedQueues[queue_index_++];
        std::string path(to_string(current_));
        if (!queue_directory_.empty())
            path = queue_directory_ + (queue_directory_.back() == '/' ? "" : "/") + path;
        dir_.reset(::opendir(path.c_str()));
        if (dir_) return true;
        log_warning("open queue folder %s: %s", printable(path).c_str(), std::strerror(errno));
    }
    return false;
}

std::optional<ListedMessage> QueueScanner::next() {
    while (listed_ < limits_.max_messages) {
        if (!dir_ && !open_next_queue()) return std::nullopt;
        errno = 0;
        const dirent* entry = ::readdir(dir_.get());
        if (entry == nullptr) {
            dir_.reset();
            continue;
        }
        const std::string_view name = entry->d_name;
        if (!is_valid_queue_id(name)) continue;  // ".", "..", temporary files
        if (std::optional<ListedMessage> message = read_entry(name)) {
            ++listed_;
            return message;
        }
    }
    return std::nullopt;
}

std::optional<ListedMessage> QueueScanner::read_entry(std::string_view name) {
    const std::string shown = std::string(to_string(current_)) + "/" + std::string(name);
    const Fd fd(::openat(::dirfd(dir_.get()), std::string(name).c_str(),
                         O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) return std::nullopt;  // gone to another queue meanwhile, or not ours to read
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    Result<QueueFile> file = read_queue_file(fd.get(), shown, file_limits_);
    if (!file) {
        log_debug("skipped %s: %s", shown.c_str(), file.error().describe().c_str());
        return std::nullopt;
    }
    ListedMessage message;
    message.queue_name = std::string(to_string(current_));
    message.queue_id = std::string(name);
    message.arrival_time = file->arrival.tv_sec != 0 ? file->arrival.tv_sec : st.st_mtime;
    message.message_size = static_cast<long long>(file->content_size);
    message.sender = std::move(file->sender);
    // Postfix's showq reads the defer log of deferred mail only.
    std::optional<DelayReasons> reasons;
    if (current_ == QueueName::Deferred) reasons.emplace(queue_directory_, name, limits_.max_reason_bytes);
    for (QueueRecipient& recipient : file->recipients) {
        if (recipient.status != RecipientStatus::Todo) continue;
        if (message.recipients.size() >= limits_.max_recipients) break;
        std::string reason = reasons ? reasons->find(recipient) : std::string();
        message.recipients.push_back({std::move(recipient.address), std::move(reason)});
    }
    // Postfix's showq sends the defer log's recipients first, then the others.
    if (reasons)
        std::stable_partition(message.recipients.begin(), message.recipients.end(),
                              [](const ListedRecipient& r) { return !r.delay_reason.empty(); });
    return message;
}

void encode_listed_message(const ListedMessage& message, std::string& out) {
    AttrList head;
    head.add(kRecordName, kRecordMessage)
        .add("queue_name", message.queue_name)
        .add("queue_id", message.queue_id)
        .add_int("arrival_time", message.arrival_time)
        .add_int("message_size", message.message_size)
        .add_int("forced_expire", message.forced_expire ? 1 : 0)
        .add("sender", message.sender)
        .add_int("recipient_count", static_cast<long long>(message.recipients.size()));
    encode(head, out);
    for (const ListedRecipient& recipient : message.recipients) {
        AttrList record;
        record.add(kRecordName, kRecordRecipient).add("address", recipient.address);
        if (!recipient.delay_reason.empty()) record.add("delay_reason", recipient.delay_reason);
        encode(record, out);
    }
}

AttrList listing_end_record() {
    AttrList end;
    end.add(kRecordName, kRecordEnd);
    return end;
}

Result<std::optional<ListedMessage>> ListingAssembler::feed(const AttrList& record) {
    if (done_) return refuse("record after the end record");
    Result<std::string_view> kind = record.require(kRecordName);
    if (!kind) return tl::unexpected(kind.error());
    if (message_) {
        if (*kind != kRecordRecipient) return refuse("recipient record expected");
        return add_recipient(record);
    }
    if (*kind == kRecordEnd) {
        if (Status st = record.allow_only({kRecordName}); !st) return tl::unexpected(st.error());
        done_ = true;
        return std::nullopt;
    }
    if (*kind != kRecordMessage) return refuse("message or end record expected");
    return start_message(record);
}

Result<std::optional<ListedMessage>> ListingAssembler::start_message(const AttrList& record) {
    if (Status st = record.allow_only({kRecordName, "queue_name", "queue_id", "arrival_time", "message_size",
                                       "forced_expire", "sender", "recipient_count"});
        !st)
        return tl::unexpected(st.error());
    ListedMessage message;
    Result<std::string_view> queue_name = record.require("queue_name");
    Result<std::string_view> queue_id = record.require("queue_id");
    Result<std::string_view> sender = record.require("sender");
    Result<long long> arrival = bounded_int(record, "arrival_time", std::numeric_limits<long long>::max());
    Result<long long> size = bounded_int(record, "message_size", std::numeric_limits<long long>::max());
    Result<long long> expire = bounded_int(record, "forced_expire", 1);
    Result<long long> count = bounded_int(record, "recipient_count", static_cast<long long>(limits_.max_recipients));
    for (const Error* error : {queue_name ? nullptr : &queue_name.error(), queue_id ? nullptr : &queue_id.error(),
                               sender ? nullptr : &sender.error(), arrival ? nullptr : &arrival.error(),
                               size ? nullptr : &size.error(), expire ? nullptr : &expire.error(),
                               count ? nullptr : &count.error()})
        if (error != nullptr) return tl::unexpected(*error);
    if (!queue_name_from_string(*queue_name) || !is_valid_queue_id(*queue_id))
        return refuse("bad queue name or queue ID");
    message.queue_name = std::string(*queue_name);
    message.queue_id = std::string(*queue_id);
    message.sender = std::string(*sender);
    message.arrival_time = *arrival;
    message.message_size = *size;
    message.forced_expire = *expire == 1;
    recipients_left_ = static_cast<std::size_t>(*count);
    if (recipients_left_ == 0) return std::optional<ListedMessage>(std::move(message));
    message.recipients.reserve(std::min<std::size_t>(recipients_left_, 1024));
    message_ = std::move(message);
    return std::nullopt;
}

Result<std::optional<ListedMessage>> ListingAssembler::add_recipient(const AttrList& record) {
    if (Status st = record.allow_only({kRecordName, "address", "delay_reason"}); !st)
        return tl::unexpected(st.error());
    Result<std::string_view> address = record.require("address");
    if (!address) return tl::unexpected(address.error());
    const std::string_view reason = record.get("delay_reason").value_or("");
    if (reason.size() > limits_.max_reason_bytes) return refuse("delay_reason too long");
    message_->recipients.push_back({std::string(*address), std::string(reason)});
    if (--recipients_left_ > 0) return std::nullopt;
    std::optional<ListedMessage> finished = std::move(message_);
    message_.reset();
    return finished;
}

}  // namespace tern
