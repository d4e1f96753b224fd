// lib/mail/delivery_log.cpp - append to, read and remove the bounce/ID and defer/ID logs
//
// SYNOPSIS
//     See lib/mail/delivery_log.h.
// DESCRIPTION
//     A record is one attr message; all records of one append go out in
//     one write() on an O_APPEND descriptor, so concurrent writers never
//     interleave. The reader decodes record after record; a record that
//     does not decode (a crash tore it, later appends followed it) is
//     skipped by searching for the next attr magic, and a torn last
//     record is ignored. A durable append fsyncs the file, and the
//     directory when the append created the file, so the record survives
//     a crash before the caller marks the recipient done.
//     A log created by root (local, virtual) is given to the owner of
//     its directory (mail_owner), so bounce(8) can read and remove it.
// SECURITY
//     The queue ID must be valid (no path tricks); files are opened
//     O_NOFOLLOW and must be regular files.
#include "lib/mail/delivery_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <map>
#include <optional>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/mail/attr.h"
#include "lib/mail/queue_id.h"
#include "lib/mail/queue_name.h"

namespace tern {
namespace {

constexpr AttrLimits kRecordLimits{
    .max_attributes = 16,
    .max_name_bytes = 16,
    .max_value_bytes = 16 * 1024,
    .max_message_bytes = 80 * 1024,
};

std::string_view log_folder(DeliveryLog log) noexcept {
    switch (log) {
    case DeliveryLog::Bounce: return to_string(QueueName::Bounce);
    case DeliveryLog::Defer: return to_string(QueueName::Defer);
    }
    return to_string(QueueName::Defer);
}

std::string log_directory(std::string_view queue_directory, DeliveryLog log) {
    if (queue_directory.empty()) return std::string(log_folder(log));
    std::string out(queue_directory);
    if (!out.ends_with('/')) out += '/';
    out += log_folder(log);
    return out;
}

template <class T>
std::optional<T> parse_number(std::string_view text) noexcept {
    T value{};
    if (text.empty()) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

void encode_record(const DeliveryRecord& r, std::string& out) {
    AttrList list;
    list.add("recipient", r.recipient);
    if (!r.orcpt.empty()) list.add("orcpt", r.orcpt);
    if (r.notify != 0) list.add_int("notify", r.notify);
    list.add("offset", std::to_string(r.offset)).add("action", r.action).add("status", r.status).add("reason", r.reason);
    if (!r.remote_mta.empty()) list.add("remote_mta", r.remote_mta);
    if (!r.diagnostic.empty()) list.add("diagnostic", r.diagnostic);
    list.add_int("time", r.time_s);
    encode(list, out);
}

std::optional<DeliveryRecord> decode_record(const AttrList& list) {
    if (!list.allow_only({"recipient", "orcpt", "notify", "offset", "action", "status", "reason", "remote_mta",
                          "diagnostic", "time"}))
        return std::nullopt;
    const std::optional<std::string_view> recipient = list.get("recipient");
    const std::optional<std::string_view> action = list.get("action");
    const std::optional<std::string_view> status = list.get("status");
    const std::optional<std::string_view> offset_text = list.get("offset");
    const std::optional<std::string_view> time_text = list.get("time");
    if (!recipient || !action || !status || !offset_text || !time_text) return std::nullopt;
    const std::optional<std::uint64_t> offset = parse_number<std::uint64_t>(*offset_text);
    const std::optional<std::int64_t> time_s = parse_number<std::int64_t>(*time_text);
    const std::optional<unsigned> notify = parse_number<unsigned>(list.get("notify").value_or("0"));
    if (!offset || !time_s || !notify || *notify > 15) return std::nullopt;
    return DeliveryRecord{
        .recipient = std::string(*recipient),
        .orcpt = std::string(list.get("orcpt").value_or("")),
        .notify = *notify,
        .offset = *offset,
        .action = std::string(*action),
        .status = std::string(*status),
        .reason = std::string(list.get("reason").value_or("")),
        .remote_mta = std::string(list.get("remote_mta").value_or("")),
        .diagnostic = std::string(list.get("diagnostic").value_or("")),
        .time_s = *time_s,
    };
}

// Opens the log for appending; `created` says whether this call made it.
Result<Fd> open_for_append(const std::string& path, bool& created) {
    constexpr int kFlags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
    for (int attempt = 0; attempt < 3; ++attempt) {
        Fd fd(::open(path.c_str(), kFlags | O_CREAT | O_EXCL, 0600));
        if (fd.get() >= 0) {
            created = true;
            return fd;
        }
        if (errno != EEXIST) return fail(Retry::Temporary, "create " + path, errno);
        fd.reset(::open(path.c_str(), kFlags));
        if (fd.get() >= 0) {
            created = false;
            return fd;
        }
        if (errno != ENOENT) return fail(Retry::Temporary, "open " + path, errno);
    }
    return fail(Retry::Temporary, "open " + path + ": removed while opening it");
}

// Root-created logs belong to the owner of their directory (mail_owner).
Status give_to_directory_owner(int fd, const std::string& directory, const std::string& path) {
    if (::geteuid() != 0) return {};
    struct stat dir {};
    if (::stat(directory.c_str(), &dir) != 0) return fail(Retry::Temporary, "stat " + directory, errno);
    if (dir.st_uid == 0) return {};
    if (::fchown(fd, dir.st_uid, dir.st_gid) != 0) return fail(Retry::Temporary, "fchown " + path, errno);
    return {};
}

Status sync_directory(const std::string& directory) {
    Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) return fail(Retry::Temporary, "open " + directory, errno);
    if (::fsync(dir.get()) != 0) return fail(Retry::Temporary, "fsync " + directory, errno);
    return {};
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail(Retry::Temporary, "write " + path, n < 0 ? errno : EIO);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

Result<std::string> read_bounded(const std::string& path, bool& missing) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
        if (errno == ENOENT) {
            missing = true;
            return std::string{};
        }
        return fail(Retry::Temporary, "open " + path, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(Retry::Temporary, "fstat " + path, errno);
    if (!S_ISREG(st.st_mode)) return fail(Retry::Permanent, path + " is not a regular file");
    std::string bytes;
    bytes.resize(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), kMaxDeliveryLogBytes));
    std::size_t have = 0;
    while (have < bytes.size()) {
        const ssize_t n = ::read(fd.get(), bytes.data() + have, bytes.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(Retry::Temporary, "read " + path, errno);
        if (n == 0) break;
        have += static_cast<std::size_t>(n);
    }
    bytes.resize(have);
    return bytes;
}

// Decodes the records of `bytes`, skipping damaged ones; counts the skips.
std::vector<DeliveryRecord> decode_records(std::string_view bytes, std::size_t& skipped) {
    std::vector<DeliveryRecord> records;
    std::size_t pos = 0;
    while (pos < bytes.size() && records.size() < kMaxDeliveryLogRecords) {
        AttrDecoder decoder(kRecordLimits);
        Result<std::size_t> used = decoder.feed(bytes.substr(pos));
        std::optional<AttrList> message = used ? decoder.take_message() : std::nullopt;
        if (message) {
            pos += *used;
            if (std::optional<DeliveryRecord> record = decode_record(*message)) {
                records.push_back(std::move(*record));
                continue;
            }
            ++skipped;
            continue;
        }
        // Damaged: resynchronize on the next record's magic. A torn last
        // record (a crash mid-append) is dropped without a warning.
        const std::size_t next = bytes.find(kAttrMagic, pos + 1);
        if (next == std::string_view::npos) {
            if (!used || !decoder.mid_message()) ++skipped;
            break;
        }
        ++skipped;
        pos = next;
    }
    return records;
}

}  // namespace

std::string delivery_log_path(std::string_view queue_directory, DeliveryLog log, std::string_view queue_id) {
    return log_directory(queue_directory, log) + "/" + std::string(queue_id);
}

Status append_delivery_records(std::string_view queue_directory, DeliveryLog log, std::string_view queue_id,
                               std::span<const DeliveryRecord> records, bool durable) {
    if (!is_valid_queue_id(queue_id))
        return fail(Retry::Permanent, "delivery log: bad queue ID \"" + std::string(queue_id.substr(0, 40)) + "\"");
    if (records.empty()) return {};
    std::string bytes;
    for (const DeliveryRecord& record : records) encode_record(record, bytes);
    const std::string directory = log_directory(queue_directory, log);
    const std::string path = directory + "/" + std::string(queue_id);
    bool created = false;
    Result<Fd> fd = open_for_append(path, created);
    if (!fd) return tl::unexpected(fd.error());
    if (created)
        if (Status owner = give_to_directory_owner(fd->get(), directory, path); !owner) return owner;
    if (Status written = write_all(fd->get(), bytes, path); !written) return written;
    if (!durable) return {};
    if (::fsync(fd->get()) != 0) return fail(Retry::Temporary, "fsync " + path, errno);
    if (created) return sync_directory(directory);
    return {};
}

Result<std::vector<DeliveryRecord>> read_delivery_log(std::string_view queue_directory, DeliveryLog log,
                                                      std::string_view queue_id) {
    if (!is_valid_queue_id(queue_id))
        return fail(Retry::Permanent, "delivery log: bad queue ID \"" + std::string(queue_id.substr(0, 40)) + "\"");
    const std::string path = delivery_log_path(queue_directory, log, queue_id);
    bool missing = false;
    Result<std::string> bytes = read_bounded(path, missing);
    if (!bytes) return tl::unexpected(bytes.error());
    if (missing) return std::vector<DeliveryRecord>{};
    std::size_t skipped = 0;
    std::vector<DeliveryRecord> records = decode_records(*bytes, skipped);
    if (skipped > 0) log_warning("%s: skipped %zu damaged record(s)", path.c_str(), skipped);
    return records;
}

Status remove_delivery_log(std::string_view queue_directory, DeliveryLog log, std::string_view queue_id) {
    if (!is_valid_queue_id(queue_id))
        return fail(Retry::Permanent, "delivery log: bad queue ID \"" + std::string(queue_id.substr(0, 40)) + "\"");
    const std::string path = delivery_log_path(queue_directory, log, queue_id);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail(Retry::Temporary, "remove " + path, errno);
    return {};
}

std::vector<DeliveryRecord> newest_per_recipient(const std::vector<DeliveryRecord>& records) {
    std::vector<DeliveryRecord> out;
    std::map<std::pair<std::uint64_t, std::string_view>, std::size_t> index;  // views into `records`
    for (const DeliveryRecord& record : records) {
        const auto [slot, inserted] = index.try_emplace({record.offset, record.recipient}, out.size());
        if (inserted)
            out.push_back(record);
        else
            out[slot->second] = record;
    }
    return out;
}

}  // namespace tern
