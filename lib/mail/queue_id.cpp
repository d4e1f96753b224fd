// lib/mail/queue_id.cpp - make and check queue IDs (see queue_id.h)
#include "lib/mail/queue_id.h"

#include <array>

namespace tern {
namespace {

constexpr std::uint64_t kBase = 62;
constexpr std::string_view kDigits =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::uint64_t kMicrosPerSecond = 1000000;

constexpr std::uint64_t power(std::uint64_t base, std::size_t exponent) {
    std::uint64_t result = 1;
    for (std::size_t i = 0; i < exponent; ++i) result *= base;
    return result;
}
constexpr std::uint64_t kMaxSeconds = power(kBase, kQueueIdSecondDigits) - 1;
static_assert(power(kBase, kQueueIdMicroDigits) > kMicrosPerSecond);

// Value of one base-62 digit, or -1.
constexpr int digit_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    if (c >= 'a' && c <= 'z') return c - 'a' + 36;
    return -1;
}

void append_fixed(std::string& out, std::uint64_t value, std::size_t width) {
    std::array<char, 16> digits{};
    for (std::size_t i = width; i-- > 0;) {
        digits[i] = kDigits[value % kBase];
        value /= kBase;
    }
    out.append(digits.data(), width);
}

void append_minimal(std::string& out, std::uint64_t value) {
    std::array<char, kQueueIdMaxInodeDigits> digits{};
    std::size_t count = 0;
    do {
        digits[count++] = kDigits[value % kBase];
        value /= kBase;
    } while (value != 0);
    while (count > 0) out.push_back(digits[--count]);
}

// Decodes `text` as base-62 digits; false on a bad digit or overflow.
bool decode(std::string_view text, std::uint64_t& value) noexcept {
    value = 0;
    for (const char c : text) {
        const int digit = digit_value(c);
        if (digit < 0) return false;
        if (value > (UINT64_MAX - static_cast<std::uint64_t>(digit)) / kBase) return false;
        value = value * kBase + static_cast<std::uint64_t>(digit);
    }
    return true;
}

struct Decoded {
    std::uint64_t seconds = 0;
    std::uint64_t micros = 0;
    std::uint64_t inode = 0;
};

bool decode_id(std::string_view name, Decoded& out) noexcept {
    if (name.size() < kMinQueueIdLength || name.size() > kMaxQueueIdLength) return false;
    const std::string_view inode_digits = name.substr(kQueueIdSecondDigits + kQueueIdMicroDigits);
    if (inode_digits.size() > 1 && inode_digits[0] == '0') return false;  // not canonical
    return decode(name.substr(0, kQueueIdSecondDigits), out.seconds) &&
           decode(name.substr(kQueueIdSecondDigits, kQueueIdMicroDigits), out.micros) &&
           out.micros < kMicrosPerSecond && decode(inode_digits, out.inode);
}

}  // namespace

QueueId QueueId::make(const timeval& arrival, std::uint64_t inode) {
    std::uint64_t seconds = arrival.tv_sec < 0 ? 0 : static_cast<std::uint64_t>(arrival.tv_sec);
    std::uint64_t micros = arrival.tv_usec < 0 ? 0 : static_cast<std::uint64_t>(arrival.tv_usec);
    if (micros >= kMicrosPerSecond) micros = kMicrosPerSecond - 1;
    if (seconds > kMaxSeconds) seconds = kMaxSeconds;
    std::string text;
    text.reserve(kMaxQueueIdLength);
    append_fixed(text, seconds, kQueueIdSecondDigits);
    append_fixed(text, micros, kQueueIdMicroDigits);
    append_minimal(text, inode);
    timeval stored{};
    stored.tv_sec = static_cast<time_t>(seconds);
    stored.tv_usec = static_cast<suseconds_t>(micros);
    return QueueId(std::move(text), stored, inode);
}

std::optional<QueueId> QueueId::parse(std::string_view name) {
    Decoded decoded;
    if (!decode_id(name, decoded)) return std::nullopt;
    timeval arrival{};
    arrival.tv_sec = static_cast<time_t>(decoded.seconds);
    arrival.tv_usec = static_cast<suseconds_t>(decoded.micros);
    return QueueId(std::string(name), arrival, decoded.inode);
}

bool is_valid_queue_id(std::string_view name) noexcept {
    Decoded decoded;
    return decode_id(name, decoded);
}

}  // namespace tern
