// smtpd/restriction_reply.cpp - reply codes and texts of smtpd's restrictions
#include "smtpd/restriction_reply.h"

#include <cctype>

#include "lib/base/log.h"
#include "lib/base/text.h"

namespace smtpd {

namespace {

bool is_digits(std::string_view text, std::size_t min, std::size_t max) {
    if (text.size() < min || text.size() > max) return false;
    for (const char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

// A parameter tern's table may not know yet: main.cf's value, else Postfix's default.
tern::Result<int> code_param(const tern::Config& config, std::string_view name, int fallback) {
    if (!config.is_set(name) && tern::find_param(name) == nullptr) return fallback;
    const std::string value = config.get(name);
    const std::optional<long long> number = tern::parse_integer(tern::trim(value));
    if (!number || *number < 0 || *number > 999)
        return tern::fail(tern::Retry::Permanent, "parameter " + std::string(name) + ": bad numerical value: " +
                                                      tern::printable(value, 100));
    return static_cast<int>(*number);
}

bool bool_param(const tern::Config& config, std::string_view name, bool fallback) {
    if (!config.is_set(name) && tern::find_param(name) == nullptr) return fallback;
    const tern::Result<bool> value = config.boolean(name);
    return value ? *value : fallback;
}

}  // namespace

std::string_view reply_class_text(ReplyClass reply_class) noexcept {
    switch (reply_class) {
    case ReplyClass::Client: return "Client host";
    case ReplyClass::Helo: return "Helo command";
    case ReplyClass::Sender: return "Sender address";
    case ReplyClass::Recipient: return "Recipient address";
    case ReplyClass::Data: return "Data command";
    case ReplyClass::EndOfData: return "End-of-data";
    }
    return "Client host";
}

tern::Result<ReplyCodes> load_reply_codes(const tern::Config& config) {
    ReplyCodes codes;
    struct CodeParam {
        std::string_view name;
        int* target;
    };
    const CodeParam params[] = {
        {"reject_code", &codes.reject},
        {"defer_code", &codes.defer},
        {"access_map_reject_code", &codes.access_reject},
        {"access_map_defer_code", &codes.access_defer},
        {"relay_domains_reject_code", &codes.relay},
        {"non_fqdn_reject_code", &codes.non_fqdn},
        {"invalid_hostname_reject_code", &codes.invalid_hostname},
        {"unknown_local_recipient_reject_code", &codes.unknown_local},
        {"unknown_virtual_alias_reject_code", &codes.unknown_virtual_alias},
        {"unknown_virtual_mailbox_reject_code", &codes.unknown_virtual_mailbox},
        {"unknown_relay_recipient_reject_code", &codes.unknown_relay},
    };
    for (const CodeParam& param : params) {
        tern::Result<int> value = code_param(config, param.name, *param.target);
        if (!value) return tl::unexpected(value.error());
        *param.target = *value;
    }
    codes.soft_bounce = bool_param(config, "soft_bounce", false);
    codes.show_table = bool_param(config, "show_user_unknown_table_name", true);
    return codes;
}

bool is_valid_dsn(std::string_view dsn) noexcept {
    if (dsn.size() < 5 || (dsn[0] != '2' && dsn[0] != '4' && dsn[0] != '5') || dsn[1] != '.') return false;
    const std::string_view rest = dsn.substr(2);
    const std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return false;
    return is_digits(rest.substr(0, dot), 1, 3) && is_digits(rest.substr(dot + 1), 1, 3);
}

DsnText split_dsn(std::string_view default_dsn, std::string_view text) {
    const std::size_t end = text.find_first_of(" \t");
    const std::string_view first = text.substr(0, end);
    if (!is_valid_dsn(first) || (first[0] != '4' && first[0] != '5'))
        return DsnText{std::string(default_dsn), text};
    std::string_view rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    return DsnText{std::string(first), rest};
}

std::string fix_dsn(std::string_view dsn, ReplyClass reply_class) {
    // Address status codes (X.1.Y) only make sense for the address they name.
    if (dsn.size() < 5 || dsn.substr(1, 3) != ".1.") return std::string(dsn);
    const char detail = dsn.size() == 5 ? dsn[4] : '0';
    const std::string prefix(1, dsn[0]);
    switch (reply_class) {
    case ReplyClass::Sender:
        switch (detail) {
        case '2': case '8': return prefix + ".1.8";
        case '3': case '7': return prefix + ".1.7";
        default: return prefix + ".1.0";
        }
    case ReplyClass::Recipient:
        switch (detail) {
        case '1': case '2': case '3': case '4': case '5': case '6': return std::string(dsn);
        case '7': return prefix + ".1.3";
        case '8': return prefix + ".1.2";
        default: return prefix + ".1.0";
        }
    case ReplyClass::Client:
    case ReplyClass::Helo:
    case ReplyClass::Data:
    case ReplyClass::EndOfData: return prefix + ".7.1";
    }
    return std::string(dsn);
}

std::string format_reply(int code, std::string_view dsn, std::string_view text, bool soft_bounce) {
    std::string reply = std::to_string(code) + " " + std::string(dsn) + " " + std::string(text);
    if (code < 400 || code > 599) {
        tern::log_warning("SMTP reply code configuration error: %s", tern::printable(reply, 200).c_str());
        reply = "450 4.7.1 Service unavailable";
    } else if (!is_valid_dsn(dsn)) {
        tern::log_warning("DSN detail code configuration error: %s", tern::printable(reply, 200).c_str());
        reply = "450 4.7.1 Service unavailable";
    }
    if (reply.size() > kMaxReplyBytes) reply.resize(kMaxReplyBytes);
    for (char& c : reply) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7f) c = ' ';
    }
    if (soft_bounce && reply[0] == '5') reply[0] = '4';
    reply[4] = reply[0];  // the enhanced code's class follows the reply code
    return reply;
}

}  // namespace smtpd
