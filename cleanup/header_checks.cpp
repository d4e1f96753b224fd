// cleanup/header_checks.cpp - header_checks actions and log lines (see header_checks.h)
#include "cleanup/header_checks.h"

#include <cctype>
#include <utility>

#include "lib/base/text.h"
#include "lib/mail/address.h"

namespace cleanup {
namespace {

constexpr std::size_t kLoggedHeaderBytes = 200;
constexpr std::string_view kDefaultRejectText = "Message content rejected";

struct ActionName {
    std::string_view word;
    HeaderAction action;
};
constexpr ActionName kActions[] = {
    {"REJECT", HeaderAction::Reject},     {"DISCARD", HeaderAction::Discard},
    {"HOLD", HeaderAction::Hold},         {"IGNORE", HeaderAction::Ignore},
    {"WARN", HeaderAction::Warn},         {"REDIRECT", HeaderAction::Redirect},
    {"PREPEND", HeaderAction::Prepend},   {"REPLACE", HeaderAction::Replace},
    {"DUNNO", HeaderAction::None},        {"OK", HeaderAction::None},
};

// True when text starts with an RFC 3463 code "c.s.d" followed by a space or the end.
std::size_t status_code_length(std::string_view text) noexcept {
    if (text.size() < 5 || (text[0] != '4' && text[0] != '5') || text[1] != '.') return 0;
    std::size_t i = 2;
    for (int part = 0; part < 2; ++part) {
        const std::size_t start = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 3) ++i;
        if (i == start) return 0;
        if (part == 0) {
            if (i >= text.size() || text[i] != '.') return 0;
            ++i;
        }
    }
    return (i == text.size() || text[i] == ' ') ? i : 0;
}

}  // namespace

HeaderVerdict parse_header_action(std::string_view value) {
    value = tern::trim(value);
    const std::size_t space = value.find_first_of(" \t");
    const std::string_view word = value.substr(0, space);
    const std::string_view rest = space == std::string_view::npos ? std::string_view() : tern::trim(value.substr(space));
    for (const ActionName& a : kActions)
        if (tern::iequals(word, a.word)) return {a.action, std::string(rest)};
    return {HeaderAction::Unsupported, std::string(word)};
}

std::string header_lookup_key(std::string_view header) {
    std::string key;
    key.reserve(header.size());
    for (const char c : header)
        if (c != '\r') key.push_back(c);
    while (!key.empty() && key.back() == '\n') key.pop_back();
    return key;
}

tern::Result<HeaderVerdict> check_header(const std::vector<tern::TablePtr>& tables, std::string_view header) {
    if (tables.empty()) return HeaderVerdict{};
    const std::string key = header_lookup_key(header);
    for (const tern::TablePtr& table : tables) {
        tern::Result<std::optional<std::string>> v = table->lookup(key);
        if (!v) return tl::unexpected(v.error());
        if (*v) return parse_header_action(**v);
    }
    return HeaderVerdict{};
}

std::string reject_reply(std::string_view text) {
    text = tern::trim(text);
    if (text.empty()) text = kDefaultRejectText;
    const std::size_t code = status_code_length(text);
    if (code == 0) return "550 5.7.1 " + tern::printable(text, 400);
    const std::string basic = text[0] == '4' ? "450 " : "550 ";
    std::string_view rest = tern::trim(text.substr(code));
    if (rest.empty()) rest = kDefaultRejectText;
    return basic + std::string(text.substr(0, code)) + " " + tern::printable(rest, 400);
}

std::string header_log_line(std::string_view queue_id, std::string_view action, std::string_view header,
                            const LogContext& who, std::string_view detail) {
    std::string line(queue_id);
    line.append(": ").append(action).append(": header ");
    line.append(tern::printable(header_lookup_key(header), kLoggedHeaderBytes));
    if (who.client_address.empty()) line.append(" from local");
    else line.append(" from ").append(tern::printable(who.client_name, 255)).append("[")
             .append(tern::printable(who.client_address, 64)).append("]");
    line.append("; from=<").append(tern::printable(tern::quote_address(who.sender), 300));
    line.append("> to=<").append(tern::printable(tern::quote_address(who.recipient), 300)).append(">");
    if (!who.protocol.empty()) line.append(" proto=").append(tern::printable(who.protocol, 20));
    if (!who.helo.empty()) line.append(" helo=<").append(tern::printable(who.helo, 255)).append(">");
    if (!detail.empty()) line.append(": ").append(tern::printable(detail, 400));
    return line;
}

}  // namespace cleanup
