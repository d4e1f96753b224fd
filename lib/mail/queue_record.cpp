// lib/mail/queue_record.cpp - record framing and fixed payloads (see queue_record.h)
#include "lib/mail/queue_record.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace tern {
namespace {

constexpr std::string_view kUnknownRecordType = "unknown";

bool all_digits(std::string_view text) noexcept {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Digits only (so no sign, no space); the caller fixes the width.
template <class T>
std::optional<T> parse_digits(std::string_view text) noexcept {
    if (!all_digits(text)) return std::nullopt;
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::string zero_padded(std::uint64_t value, std::size_t width) {
    std::string text(width, '0');
    for (std::size_t i = width; i-- > 0 && value != 0;) {
        text[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return text;
}

}  // namespace

void append_record_header(std::string& out, RecordType type, std::uint32_t length) {
    out.push_back(static_cast<char>(type));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
}

void append_record(std::string& out, RecordType type, std::string_view payload) {
    append_record_header(out, type, static_cast<std::uint32_t>(payload.size()));
    out.append(payload);
}

std::optional<RecordHeader> decode_record_header(std::string_view bytes) noexcept {
    if (bytes.size() < kRecordHeaderBytes) return std::nullopt;
    std::uint32_t length = 0;
    for (std::size_t i = 1; i < kRecordHeaderBytes; ++i)
        length = (length << 8) | static_cast<unsigned char>(bytes[i]);
    return RecordHeader{bytes[0], length};
}

std::string_view record_type_name(RecordType type) noexcept {
    switch (type) {
        case RecordType::Magic: return "magic";
        case RecordType::Arrival: return "arrival time";
        case RecordType::Sender: return "sender";
        case RecordType::EnvId: return "ENVID";
        case RecordType::Ret: return "RET";
        case RecordType::Attribute: return "attribute";
        case RecordType::Status: return "recipient status";
        case RecordType::OriginalRecipient: return "ORCPT";
        case RecordType::Notify: return "NOTIFY";
        case RecordType::Recipient: return "recipient";
        case RecordType::Content: return "content";
        case RecordType::Schedule: return "schedule";
        case RecordType::Warning: return "delay warning";
        case RecordType::End: return "end";
    }
    return kUnknownRecordType;
}

// record_type_name's switch is the one list of the known types.
bool is_known_record_type(char type) noexcept {
    return record_type_name(static_cast<RecordType>(type)) != kUnknownRecordType;
}

std::string encode_status(RecipientStatus status) {
    switch (status) {
        case RecipientStatus::Todo: return "T";
        case RecipientStatus::Done: return "D";
    }
    return "?";
}

std::optional<RecipientStatus> decode_status(std::string_view payload) noexcept {
    if (payload == "T") return RecipientStatus::Todo;
    if (payload == "D") return RecipientStatus::Done;
    return std::nullopt;
}

std::string encode_schedule(const Schedule& schedule) {
    const std::int64_t seconds = std::clamp<std::int64_t>(schedule.next_attempt_s, 0, kMaxScheduleSeconds);
    const std::uint32_t attempts = std::min(schedule.attempts, kMaxScheduleAttempts);
    return zero_padded(static_cast<std::uint64_t>(seconds), kScheduleSecondDigits) + ' ' +
           zero_padded(attempts, kScheduleAttemptDigits);
}

std::optional<Schedule> decode_schedule(std::string_view payload) noexcept {
    if (payload.size() != kSchedulePayloadBytes || payload[kScheduleSecondDigits] != ' ') return std::nullopt;
    const auto seconds = parse_digits<std::int64_t>(payload.substr(0, kScheduleSecondDigits));
    const auto attempts = parse_digits<std::uint32_t>(payload.substr(kScheduleSecondDigits + 1));
    if (!seconds || !attempts) return std::nullopt;
    return Schedule{*seconds, *attempts};
}

std::string encode_warning(std::int64_t sent_s) {
    return zero_padded(static_cast<std::uint64_t>(std::clamp<std::int64_t>(sent_s, 0, kMaxScheduleSeconds)),
                       kWarningPayloadBytes);
}

std::optional<std::int64_t> decode_warning(std::string_view payload) noexcept {
    if (payload.size() != kWarningPayloadBytes) return std::nullopt;
    return parse_digits<std::int64_t>(payload);
}

std::string encode_end(std::uint64_t file_size) { return zero_padded(file_size, kEndPayloadBytes); }

std::optional<std::uint64_t> decode_end(std::string_view payload) noexcept {
    if (payload.size() != kEndPayloadBytes) return std::nullopt;
    return parse_digits<std::uint64_t>(payload);
}

std::string encode_arrival(const timeval& arrival) {
    const std::uint64_t seconds = arrival.tv_sec < 0 ? 0 : static_cast<std::uint64_t>(arrival.tv_sec);
    const std::uint64_t micros =
        std::clamp<std::uint64_t>(arrival.tv_usec < 0 ? 0 : static_cast<std::uint64_t>(arrival.tv_usec), 0, 999999);
    return std::to_string(std::min<std::uint64_t>(seconds, kMaxScheduleSeconds)) + '.' + zero_padded(micros, 6);
}

std::optional<timeval> decode_arrival(std::string_view payload) noexcept {
    const std::size_t dot = payload.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot > kScheduleSecondDigits) return std::nullopt;
    if (payload.size() - dot - 1 != 6) return std::nullopt;
    const std::string_view second_text = payload.substr(0, dot);
    if (second_text.size() > 1 && second_text[0] == '0') return std::nullopt;  // one spelling only
    const auto seconds = parse_digits<std::int64_t>(second_text);
    const auto micros = parse_digits<std::int64_t>(payload.substr(dot + 1));
    if (!seconds || !micros) return std::nullopt;
    timeval arrival{};
    arrival.tv_sec = static_cast<time_t>(*seconds);
    arrival.tv_usec = static_cast<suseconds_t>(*micros);
    return arrival;
}

bool valid_notify(unsigned notify) noexcept {
    return notify >= 1 && notify <= kDsnNotifyAll && (notify == kDsnNotifyNever || (notify & kDsnNotifyNever) == 0);
}

std::string encode_notify(unsigned notify) { return std::to_string(notify); }

std::optional<unsigned> decode_notify(std::string_view payload) noexcept {
    if (payload.size() > 2 || (payload.size() == 2 && payload[0] == '0')) return std::nullopt;
    const auto notify = parse_digits<unsigned>(payload);
    if (!notify || !valid_notify(*notify)) return std::nullopt;
    return notify;
}

std::string_view encode_ret(DsnRet ret) noexcept {
    switch (ret) {
        case DsnRet::None: return "";
        case DsnRet::Full: return "FULL";
        case DsnRet::Headers: return "HDRS";
    }
    return "";
}

std::optional<DsnRet> decode_ret(std::string_view payload) noexcept {
    if (payload == "FULL") return DsnRet::Full;
    if (payload == "HDRS") return DsnRet::Headers;
    return std::nullopt;
}

}  // namespace tern
