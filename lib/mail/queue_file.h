// lib/mail/queue_file.h - read queue files, stream their content, mark recipients done
//
// SYNOPSIS
//     Result<QueueFile> file = read_queue_file(fd.get(), "active/" + id);
//     if (!file) { file.error().temporary() ? retry later : move to corrupt/; }
//     for (const QueueRecipient& r : file->recipients)
//         if (r.status == RecipientStatus::Todo) deliver(r.address, r.orcpt, r.notify);
//     ContentReader content(fd.get(), *file);
//     while (true) { Result<std::size_t> n = content.read(buffer); if (!n || *n == 0) break; ... }
//     Status s = mark_recipient_done(fd.get(), r.status_offset);
//     Status t = update_schedule(fd.get(), file->schedule_offset, {next_s, attempts + 1});
//     if (file->warning_offset != 0) Status w = update_warning(fd.get(), file->warning_offset, now_s);
//     Result<QueueFile> parsed = parse_queue_file(bytes);   // tests, fuzzing
// DESCRIPTION
//     A queue file holds one message: its envelope and its content, as a
//     sequence of records (lib/mail/queue_record.h). Record = type byte,
//     payload length (4 bytes, big-endian), payload:
//       V magic      "tern-queue-file 1"; always the first record
//       T arrival    "SECONDS.MICROS" (micros exactly 6 digits)       once
//       F sender     address; empty payload is the null sender <>     once
//       E envid      DSN ENVID as received                          0..1
//       B ret        "FULL" or "HDRS"                               0..1
//       A attribute  "name=value", name [a-z0-9_]{1,64}, unique     0..n
//       recipient    a group of consecutive records:                1..n
//         S status   1 byte, "T" todo or "D" done: fixed size, so a
//                    delivery agent rewrites it in place with one pwrite
//         O orcpt    DSN ORCPT as received ("rfc822;a@b")           0..1
//         N notify   DSN NOTIFY bits as decimal, 1..15 (kDsnNotify*) 0..1
//         R address  the recipient; closes the group
//       C content    message bytes exactly as given (CRLF, dots, NUL and
//                    8-bit bytes round-trip); the content is all chunks
//                    concatenated in file order                     0..n
//       Q schedule   "NNNNNNNNNNNN AAAAAA": next attempt (epoch s) and
//                    attempt count, fixed width, rewritten in place  once
//       W warning    "NNNNNNNNNNNN": when qmgr sent the delay notice
//                    (epoch s), 0 while it has not; fixed width,
//                    rewritten in place. Files from before this
//                    record have none (warning_offset 0)           0..1
//       X end        total file size, 20 digits; always the last record
//     Except magic first and end last, records come in any order, so
//     cleanup may add recipients after the content (sendmail -t).
//
//     A file whose end record is missing, not last, or names another size
//     is corrupt: a truncated or half-written file is never delivered in
//     part. Envelope strings (sender, addresses, ORCPT, ENVID, attribute
//     values) never contain NUL, CR or LF; content may hold any byte.
//
//     read_queue_file() reads the envelope through a small window of the
//     file and records where content chunks are, without copying them;
//     ContentReader streams the content with pread, so a huge message
//     costs little memory. The parsed QueueFile keeps each recipient's
//     status record offset and the schedule record offset for the in-place
//     updates, which read the record first and refuse to overwrite
//     anything but a record of the expected type and size.
// LIMITS
//     QueueFileLimits caps file size, envelope record size, content chunk
//     size, recipients and attributes. Every length is checked against
//     the bytes left in the file and the limit before anything is read or
//     allocated for it.
// ERRORS
//     Permanent: the file is not a valid queue file (the text gives the
//     offset and what is wrong; the caller moves it to corrupt/).
//     Temporary: fstat, pread or pwrite failed (errno is kept).
//     Texts name the file as passed in `path`.
#pragma once

#include <sys/time.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/queue_record.h"

namespace tern {

struct QueueFileLimits {
    std::uint64_t max_file_bytes = std::uint64_t{4} << 30;
    std::uint32_t max_envelope_record_bytes = 16 * 1024;  // addresses, ENVID, attributes
    std::uint32_t max_content_chunk_bytes = 1024 * 1024;
    std::size_t max_recipients = 100'000;
    std::size_t max_attributes = 256;
};

inline constexpr std::size_t kMaxAttributeNameBytes = 64;

struct QueueAttribute {
    std::string name;
    std::string value;
    friend bool operator==(const QueueAttribute&, const QueueAttribute&) = default;
};

struct QueueRecipient {
    std::string address;
    std::string orcpt;                 // empty when none was given
    unsigned notify = 0;               // kDsnNotify* bits; 0 when none given
    RecipientStatus status = RecipientStatus::Todo;
    std::uint64_t status_offset = 0;   // where its status record starts
};

struct ContentChunk {
    std::uint64_t offset = 0;  // first content byte (after the header)
    std::uint32_t length = 0;
};

struct QueueFile {
    std::uint64_t file_size = 0;
    timeval arrival{};
    std::string sender;  // empty: the null sender
    std::string envid;
    DsnRet ret = DsnRet::None;
    std::vector<QueueAttribute> attributes;  // in file order
    std::vector<QueueRecipient> recipients;  // in file order
    std::vector<ContentChunk> content;       // in file order
    std::uint64_t content_size = 0;
    Schedule schedule;
    std::uint64_t schedule_offset = 0;
    std::int64_t warning_sent_s = 0;     // when the delay notice went out; 0: not yet
    std::uint64_t warning_offset = 0;    // 0: the file has no warning record

    // The value of attribute `name`, or nullptr.
    [[nodiscard]] const std::string* attribute(std::string_view name) const noexcept;
    [[nodiscard]] std::size_t todo_count() const noexcept;
};

[[nodiscard]] Result<QueueFile> read_queue_file(int fd, std::string_view path,
                                                const QueueFileLimits& limits = {});
[[nodiscard]] Result<QueueFile> parse_queue_file(std::string_view bytes, const QueueFileLimits& limits = {});

// The content of a file parsed from `bytes` (for tests and small files).
[[nodiscard]] std::string content_from_bytes(std::string_view bytes, const QueueFile& file);

// Streams the content of `file` from `fd` in file order. Both must outlive it.
class ContentReader {
public:
    ContentReader(int fd, const QueueFile& file, std::string_view path = "queue file") noexcept
        : fd_(fd), file_(file), path_(path) {}
    // Fills up to out.size() bytes; 0 at the end of the content (or for
    // an empty `out`). A file that shrank since it was parsed is Permanent.
    [[nodiscard]] Result<std::size_t> read(std::span<char> out);
    // All of it, if it is at most max_bytes (Permanent error if larger).
    [[nodiscard]] Result<std::string> read_all(std::uint64_t max_bytes);

private:
    int fd_;
    const QueueFile& file_;
    std::string_view path_;
    std::size_t chunk_ = 0;       // current chunk
    std::uint32_t chunk_used_ = 0;  // bytes of it already returned
};

// Rewrites the status record at `status_offset` to Done with one pwrite
// (after a pread that checks a status record is there). Idempotent. No
// fsync: the caller decides when the change must be durable.
[[nodiscard]] Status mark_recipient_done(int fd, std::uint64_t status_offset,
                                         std::string_view path = "queue file");
// Rewrites the schedule record at `schedule_offset` with one pwrite.
[[nodiscard]] Status update_schedule(int fd, std::uint64_t schedule_offset, const Schedule& schedule,
                                     std::string_view path = "queue file");

// Rewrites the delay warning record at `warning_offset` with one pwrite.
[[nodiscard]] Status update_warning(int fd, std::uint64_t warning_offset, std::int64_t sent_s,
                                    std::string_view path = "queue file");

// True for a name of [a-z0-9_]{1,kMaxAttributeNameBytes}.
[[nodiscard]] bool valid_attribute_name(std::string_view name) noexcept;
// True when text holds no NUL, CR or LF (envelope strings).
[[nodiscard]] bool valid_envelope_text(std::string_view text) noexcept;

}  // namespace tern
