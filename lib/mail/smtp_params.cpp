// lib/mail/smtp_params.cpp - ESMTP parameters of MAIL FROM and RCPT TO (used by smtp_command)
#include "lib/mail/smtp_params.h"

#include <algorithm>
#include <string>

#include "lib/base/text.h"
#include "lib/mail/xtext.h"

namespace tern {
namespace {

tl::unexpected<Error> reply(std::string text) { return fail(Retry::Permanent, std::move(text)); }

tl::unexpected<Error> duplicate(std::string_view name) {
    return reply("501 5.5.4 Error: duplicate " + std::string(name) + " parameter");
}

tl::unexpected<Error> unsupported(std::string_view word) {
    return reply("555 5.5.4 Unsupported option: " + printable(word, 200));
}

// "KEY=" prefix, case ignored; sets `value` to what follows.
bool has_key(std::string_view word, std::string_view key_with_equals, std::string_view& value) noexcept {
    if (word.size() < key_with_equals.size() || !iequals(word.substr(0, key_with_equals.size()), key_with_equals))
        return false;
    value = word.substr(key_with_equals.size());
    return true;
}

bool all_printable_ascii(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(), [](char c) { return c >= 32 && c <= 126; });
}

Status parse_size(std::string_view value, MailParams& params) {
    if (params.size) return duplicate("SIZE");
    if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return reply("501 5.5.4 Bad message size syntax");
    const auto size = parse_integer(value);  // fails past 2^63 - 1, as Postfix's off_t
    if (!size) return reply("552 5.3.4 Message size exceeds file system imposed limit");
    params.size = static_cast<std::uint64_t>(*size);
    return {};
}

Status parse_body(std::string_view word, std::string_view value, const CommandOptions& options, MailParams& params) {
    BodyType body = BodyType::Unspecified;
    if (iequals(value, "7BIT")) body = BodyType::SevenBit;
    if (iequals(value, "8BITMIME")) body = BodyType::EightBitMime;
    if (iequals(value, "BINARYMIME") && options.binarymime_enable) body = BodyType::BinaryMime;
    if (body == BodyType::Unspecified) return unsupported(word);
    if (params.body != BodyType::Unspecified) return duplicate("BODY");
    params.body = body;
    return {};
}

Status parse_dsn_mail_param(std::string_view word, const CommandOptions& options, MailParams& params) {
    if (!options.dsn_enable) return reply("501 5.7.1 DSN support is disabled");
    std::string_view value;
    if (has_key(word, "RET=", value)) {
        if (params.ret != DsnRet::None) return reply("501 5.5.4 Bad RET parameter syntax");
        if (iequals(value, "FULL")) params.ret = DsnRet::Full;
        if (iequals(value, "HDRS")) params.ret = DsnRet::Headers;
        if (params.ret == DsnRet::None) return reply("501 5.5.4 Bad RET parameter syntax");
        return {};
    }
    (void)has_key(word, "ENVID=", value);
    auto envid = decode_xtext(value);
    if (params.envid || !envid || !all_printable_ascii(*envid)) return reply("501 5.5.4 Bad ENVID parameter syntax");
    params.envid = std::move(*envid);
    return {};
}

Status parse_orcpt(std::string_view value, RcptParams& params) {
    constexpr std::string_view kBad = "501 5.5.4 Error: Bad ORCPT parameter syntax";
    const std::size_t semicolon = value.find(';');
    if (params.orcpt_address || semicolon == std::string_view::npos || semicolon == 0) return reply(std::string(kBad));
    const std::string_view type = value.substr(0, semicolon);
    const std::string_view coded = value.substr(semicolon + 1);
    auto address = iequals(type, "utf-8") ? decode_uxtext(coded) : decode_xtext(coded);
    if (!address || address->empty()) return reply(std::string(kBad));
    params.orcpt_type = std::string(type);
    params.orcpt_address = std::move(*address);
    return {};
}

}  // namespace

std::optional<unsigned> parse_notify(std::string_view value) {
    unsigned mask = 0;
    for (const std::string& word : split_on(value, ",")) {
        unsigned bit = 0;
        if (iequals(word, "NEVER")) bit = kDsnNotifyNever;
        if (iequals(word, "SUCCESS")) bit = kDsnNotifySuccess;
        if (iequals(word, "FAILURE")) bit = kDsnNotifyFailure;
        if (iequals(word, "DELAY")) bit = kDsnNotifyDelay;
        if (bit == 0 || (mask & bit) != 0) return std::nullopt;
        mask |= bit;
    }
    // RFC 3461 section 4.1: NEVER stands alone; an empty list is no list.
    if (mask == 0 || ((mask & kDsnNotifyNever) != 0 && mask != kDsnNotifyNever)) return std::nullopt;
    // ",SUCCESS" or "SUCCESS,,FAILURE" split cleanly but are not the RFC's syntax.
    if (value.front() == ',' || value.back() == ',' || value.find(",,") != std::string_view::npos) return std::nullopt;
    return mask;
}

Status parse_mail_param(std::string_view word, const CommandOptions& options, MailParams& params) {
    std::string_view value;
    if (has_key(word, "BODY=", value)) return parse_body(word, value, options, params);
    if (has_key(word, "SIZE=", value)) return parse_size(value, params);
    if (options.smtputf8_enable && iequals(word, "SMTPUTF8")) {
        if (params.smtputf8) return duplicate("SMTPUTF8");
        params.smtputf8 = true;
        return {};
    }
    if (options.auth_enable && has_key(word, "AUTH=", value)) {
        if (params.auth) return reply("503 5.5.4 Error: multiple AUTH= options");
        auto submitter = value == "<>" ? std::optional<std::string>("<>") : decode_xtext(value);
        if (!submitter || submitter->empty()) return reply("501 5.5.4 Bad AUTH parameter syntax");
        params.auth = std::move(*submitter);
        return {};
    }
    if (has_key(word, "RET=", value) || has_key(word, "ENVID=", value))
        return parse_dsn_mail_param(word, options, params);
    return unsupported(word);
}

Status parse_rcpt_param(std::string_view word, const CommandOptions& options, RcptParams& params) {
    std::string_view value;
    const bool is_notify = has_key(word, "NOTIFY=", value);
    const bool is_orcpt = !is_notify && has_key(word, "ORCPT=", value);
    if (!is_notify && !is_orcpt) return unsupported(word);
    if (!options.dsn_enable) return reply("501 5.7.1 DSN support is disabled");
    if (is_orcpt) return parse_orcpt(value, params);
    const auto mask = params.notify == 0 ? parse_notify(value) : std::nullopt;
    if (!mask) return reply("501 5.5.4 Error: Bad NOTIFY parameter syntax");
    params.notify = *mask;
    return {};
}

}  // namespace tern
