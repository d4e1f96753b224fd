// lib/mail/status_line.cpp - the "to=<...>, relay=..., status=..." line and Postfix's delay format
//
// SYNOPSIS
//     See lib/mail/status_line.h; format_delay is declared in
//     lib/mail/delivery_agent.h.
// DESCRIPTION
//     format_delay follows Postfix's format_tv() with its defaults (two
//     significant digits, delay_logging_resolution_limit = 2 decimals):
//     the resolution shrinks as the value grows, the value is rounded to
//     it, and trailing zeros are dropped: 0.004 -> "0", 0.012 -> "0.01",
//     0.123 -> "0.12", 1.26 -> "1.3", 12.4 -> "12", 123.7 -> "124".
// LIMITS
//     Addresses and reason are made printable and cut before logging, so
//     the line stays below the log line limit.
#include "lib/mail/status_line.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/delivery_agent.h"
#include "lib/mail/xtext.h"

namespace tern {
namespace {

constexpr std::int64_t kMillion = 1'000'000;
constexpr std::int64_t kSignificantDigits = 100;  // 10^2
constexpr std::int64_t kMaxResolutionUs = 10'000;  // 2 decimals
constexpr std::size_t kMaxAddressLogBytes = 500;
constexpr std::size_t kMaxReasonLogBytes = 2000;

double seconds_between(const timeval& from, const timeval& to) noexcept {
    return static_cast<double>(to.tv_sec - from.tv_sec) + static_cast<double>(to.tv_usec - from.tv_usec) / 1e6;
}

// The address part of an ORCPT ("rfc822;a@b" xtext, "utf-8;..." uxtext).
std::string orcpt_address(std::string_view orcpt) {
    const std::size_t semicolon = orcpt.find(';');
    if (semicolon == std::string_view::npos) return std::string(orcpt);
    const std::string_view type = orcpt.substr(0, semicolon);
    const std::string_view value = orcpt.substr(semicolon + 1);
    std::optional<std::string> decoded = iequals(type, "utf-8") ? decode_uxtext(value) : decode_xtext(value);
    return decoded ? std::move(*decoded) : std::string(value);
}

}  // namespace

std::string format_delay(double seconds) {
    if (!(seconds > 0)) return "0";  // negative and NaN too
    if (seconds > 1e12) seconds = 1e12;
    std::int64_t sec = static_cast<std::int64_t>(seconds);
    std::int64_t usec = std::llround((seconds - static_cast<double>(sec)) * 1e6);
    if (usec >= kMillion) {
        sec += 1;
        usec -= kMillion;
    }
    std::int64_t resolution_us = kMaxResolutionUs;
    if (sec > 0) {
        std::int64_t magnitude = 1;  // 10^(digits of sec), up to the significant digits
        while (sec >= magnitude && magnitude <= kSignificantDigits / 10) magnitude *= 10;
        resolution_us = (kMillion / kSignificantDigits) * magnitude;
    } else {
        while (usec >= kSignificantDigits * resolution_us) resolution_us *= 10;
    }
    usec += resolution_us / 2;
    if (usec >= kMillion) {
        sec += 1;
        usec -= kMillion;
    }
    std::string out = std::to_string(sec);
    if (usec < resolution_us) return out;
    out += '.';
    std::int64_t rest = usec;
    for (std::int64_t digit = kMillion / 10; rest >= resolution_us && digit > 0; digit /= 10) {
        out += static_cast<char>('0' + rest / digit);
        rest %= digit;
    }
    return out;
}

void log_recipient_status(const RecipientStatusLine& line) {
    timeval now{};
    ::gettimeofday(&now, nullptr);
    const std::string recipient = printable(line.recipient, kMaxAddressLogBytes);
    std::string orig_to;
    if (!line.orcpt.empty()) {
        const std::string original = orcpt_address(line.orcpt);
        if (original != line.recipient) orig_to = "orig_to=<" + printable(original, kMaxAddressLogBytes) + ">, ";
    }
    const std::string delays = format_delay(seconds_between(line.arrival, line.active_since)) + "/" +
                               format_delay(seconds_between(line.active_since, line.received)) + "/" +
                               format_delay(line.conn_setup_s) + "/" + format_delay(line.transmit_s);
    log_info("%s: to=<%s>, %srelay=%s, delay=%s, delays=%s, dsn=%s, status=%s (%s)",
             printable(line.queue_id, 40).c_str(), recipient.c_str(), orig_to.c_str(),
             printable(line.relay, kMaxAddressLogBytes).c_str(),
             format_delay(seconds_between(line.arrival, now)).c_str(), delays.c_str(),
             printable(line.dsn, 20).c_str(), std::string(to_string(line.status)).c_str(),
             printable(line.reason, kMaxReasonLogBytes).c_str());
}

}  // namespace tern
