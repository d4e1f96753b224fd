// lib/mail/queue_record.h - the records a queue file is made of: types, framing, fixed payloads
//
// SYNOPSIS
//     std::string out;
//     append_record(out, RecordType::Sender, "a@example.com");
//     std::optional<RecordHeader> h = decode_record_header(bytes);  // 5 bytes
//     std::string s = encode_status(RecipientStatus::Done);           // 1 byte
//     std::optional<Schedule> q = decode_schedule(payload);
//     std::string w = encode_warning(sent_s);                         // 12 digits
//     std::optional<std::int64_t> sent = decode_warning(payload);      // 0 = not yet
// DESCRIPTION
//     The building blocks of the format that lib/mail/queue_file.h
//     documents. A record is a type byte, a payload length (4 bytes,
//     unsigned, big-endian) and the payload. The fixed payloads (magic,
//     status, schedule, end) are encoded and checked here so that the
//     writer, the reader and the in-place updates share one definition.
//     Types are printable letters so `od -c` shows a file's structure.
//
//     The delay warning record 'W' (Postfix's REC_TYPE_WARN) holds when
//     qmgr sent the message's delay notice (delay_warning_time): 12 digits
//     of epoch seconds, all zero while none was sent. Fixed width, so qmgr
//     rewrites it in place like the schedule record. Postfix stores the
//     time the warning is due instead; storing the time it was sent lets a
//     changed delay_warning_time apply to mail already queued. Files
//     written before the record existed have none: qmgr sends them no
//     delay notice (it could not remember having sent one).
// LIMITS
//     The decoders accept exactly one spelling of each fixed payload
//     (digits only, fixed width, no sign, no spaces but the separator).
#pragma once

#include <sys/time.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/mail/dsn.h"

namespace tern {

enum class RecordType : char {
    Magic = 'V',              // "tern-queue-file 1": format and version
    Arrival = 'T',            // "SECONDS.MICROS" of arrival
    Sender = 'F',             // envelope sender; empty is the null sender
    EnvId = 'E',              // DSN ENVID (RFC 3461)
    Ret = 'B',                // DSN RET: "FULL" or "HDRS"
    Attribute = 'A',          // "name=value", message-level
    Status = 'S',             // starts a recipient: 1 byte, rewritten in place
    OriginalRecipient = 'O',  // DSN ORCPT of the recipient being built
    Notify = 'N',             // DSN NOTIFY flags of the recipient being built
    Recipient = 'R',          // the recipient address; ends the recipient
    Content = 'C',            // message bytes, stored exactly as given
    Schedule = 'Q',           // next attempt and attempt count, rewritten in place
    Warning = 'W',            // when the delay notice was sent (0: not yet), rewritten in place
    End = 'X',                // total file size; always the last record
};

// The status of one recipient, rewritten in place when it is done.
enum class RecipientStatus { Todo, Done };

// DSN NOTIFY bits and RET: lib/mail/dsn.h.

// qmgr's per-message schedule: when to try next and how often it tried.
struct Schedule {
    std::int64_t next_attempt_s = 0;  // seconds since the epoch; 0 = now
    std::uint32_t attempts = 0;
    friend bool operator==(const Schedule&, const Schedule&) = default;
};

inline constexpr std::size_t kRecordHeaderBytes = 5;
inline constexpr std::string_view kMagicPayload = "tern-queue-file 1";
inline constexpr std::string_view kMagicPrefix = "tern-queue-file ";
inline constexpr std::size_t kStatusPayloadBytes = 1;
inline constexpr std::size_t kScheduleSecondDigits = 12;
inline constexpr std::size_t kScheduleAttemptDigits = 6;
inline constexpr std::size_t kSchedulePayloadBytes = kScheduleSecondDigits + 1 + kScheduleAttemptDigits;
inline constexpr std::size_t kWarningPayloadBytes = 12;
inline constexpr std::size_t kEndPayloadBytes = 20;
inline constexpr std::int64_t kMaxScheduleSeconds = 999'999'999'999;
inline constexpr std::uint32_t kMaxScheduleAttempts = 999'999;
inline constexpr std::size_t kMaxArrivalPayloadBytes = 12 + 1 + 6;

struct RecordHeader {
    char type;  // not yet checked against RecordType
    std::uint32_t length;
};

// Appends header and payload; the payload must fit in 32 bits.
void append_record(std::string& out, RecordType type, std::string_view payload);
void append_record_header(std::string& out, RecordType type, std::uint32_t length);
[[nodiscard]] std::optional<RecordHeader> decode_record_header(std::string_view bytes) noexcept;
[[nodiscard]] bool is_known_record_type(char type) noexcept;
[[nodiscard]] std::string_view record_type_name(RecordType type) noexcept;

[[nodiscard]] std::string encode_status(RecipientStatus status);
[[nodiscard]] std::optional<RecipientStatus> decode_status(std::string_view payload) noexcept;
// Clamps next_attempt_s to 0..kMaxScheduleSeconds, attempts to kMaxScheduleAttempts.
[[nodiscard]] std::string encode_schedule(const Schedule& schedule);
[[nodiscard]] std::optional<Schedule> decode_schedule(std::string_view payload) noexcept;
// Clamps sent_s to 0..kMaxScheduleSeconds; 0 means no notice was sent yet.
[[nodiscard]] std::string encode_warning(std::int64_t sent_s);
[[nodiscard]] std::optional<std::int64_t> decode_warning(std::string_view payload) noexcept;
[[nodiscard]] std::string encode_end(std::uint64_t file_size);
[[nodiscard]] std::optional<std::uint64_t> decode_end(std::string_view payload) noexcept;
[[nodiscard]] std::string encode_arrival(const timeval& arrival);
[[nodiscard]] std::optional<timeval> decode_arrival(std::string_view payload) noexcept;
[[nodiscard]] std::string encode_notify(unsigned notify);
// 1..15 with NEVER alone; anything else is refused.
[[nodiscard]] std::optional<unsigned> decode_notify(std::string_view payload) noexcept;
[[nodiscard]] std::string_view encode_ret(DsnRet ret) noexcept;
[[nodiscard]] std::optional<DsnRet> decode_ret(std::string_view payload) noexcept;
[[nodiscard]] bool valid_notify(unsigned notify) noexcept;

}  // namespace tern
