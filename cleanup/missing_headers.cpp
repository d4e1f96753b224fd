// cleanup/missing_headers.cpp - Message-Id, Date, From when missing (see missing_headers.h)
#include "cleanup/missing_headers.h"

#include <cctype>
#include <cstdio>

#include "lib/base/text.h"
#include "lib/mail/address.h"
#include "lib/mail/mail_date.h"

namespace cleanup {
namespace {

constexpr std::size_t kMaxMessageIdBytes = 998;

bool is_phrase(std::string_view text) noexcept {
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == ' ' || c >= 0x80) continue;
        if (std::string_view("!#$%&'*+-/=?^_`{|}~.").find(static_cast<char>(c)) != std::string_view::npos) continue;
        return false;
    }
    return true;
}

std::string quoted_phrase(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    return out + "\"";
}

std::string from_header(const MissingInfo& info, std::string_view prefix) {
    std::string h(prefix);
    h.append("From: ");
    if (info.sender.empty()) return h + "MAILER-DAEMON\r\n";
    const std::string address = tern::printable(tern::quote_address(info.sender), 500);
    const std::string name = tern::printable(tern::trim(info.full_name), 200);
    if (name.empty()) return h + address + "\r\n";
    h.append(is_phrase(name) ? name : quoted_phrase(name));
    return h + " <" + address + ">\r\n";
}

}  // namespace

std::string_view header_name(std::string_view header) noexcept {
    const std::size_t colon = header.find(':');
    std::string_view name = header.substr(0, colon == std::string_view::npos ? 0 : colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    return name;
}

std::string header_value(std::string_view header) {
    const std::size_t colon = header.find(':');
    if (colon == std::string_view::npos) return {};
    std::string value;
    for (const char c : header.substr(colon + 1))
        if (c != '\r' && c != '\n') value.push_back(c);
    return std::string(tern::trim(value));
}

void SeenHeaders::note(std::string_view header) {
    const std::string_view name = header_name(header);
    if (tern::iequals(name, "From")) from = true;
    else if (tern::iequals(name, "Date")) date = true;
    else if (tern::iequals(name, "Received")) ++received;
    else if (tern::iequals(name, "Message-ID")) {
        if (!message_id) message_id_value = header_value(header).substr(0, kMaxMessageIdBytes);
        message_id = true;
    } else if (name.size() > 7 && tern::iequals(name.substr(0, 7), "Resent-")) {
        resent = true;
        const std::string_view rest = name.substr(7);
        if (tern::iequals(rest, "From")) resent_from = true;
        else if (tern::iequals(rest, "Date")) resent_date = true;
        else if (tern::iequals(rest, "Message-ID")) resent_message_id = true;
    }
}

std::string make_message_id(std::string_view queue_id, std::string_view myhostname, std::time_t when) {
    std::tm utc{};
    ::gmtime_r(&when, &utc);
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%04d%02d%02d%02d%02d%02d", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                  utc.tm_hour, utc.tm_min, utc.tm_sec);
    return "<" + std::string(stamp) + "." + std::string(queue_id) + "@" + tern::printable(myhostname, 255) + ">";
}

std::string missing_headers(const SeenHeaders& seen, const MissingInfo& info) {
    const std::string_view prefix = seen.resent ? "Resent-" : "";
    const bool has_id = seen.resent ? seen.resent_message_id : seen.message_id;
    const bool has_date = seen.resent ? seen.resent_date : seen.date;
    const bool has_from = seen.resent ? seen.resent_from : seen.from;
    std::string out;
    if (!has_id)
        out.append(prefix).append("Message-Id: ").append(make_message_id(info.queue_id, info.myhostname, info.when))
            .append("\r\n");
    if (!has_date) out.append(prefix).append("Date: ").append(tern::rfc5322_date(info.when)).append("\r\n");
    if (!has_from) out.append(from_header(info, prefix));
    return out;
}

}  // namespace cleanup
