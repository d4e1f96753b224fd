// lib/mail/address.cpp - RFC 5321 envelope paths: parse, check, quote and unquote addresses
#include "lib/mail/address.h"

#include <arpa/inet.h>

#include <algorithm>

#include "lib/base/text.h"
#include "lib/mail/xtext.h"

namespace tern {
namespace {

bool is_8bit(char c) noexcept { return static_cast<unsigned char>(c) >= 0x80; }

// RFC 5322 atext, plus 8-bit bytes when SMTPUTF8 allows them (RFC 6531 section 3.3).
bool is_atext(char c, bool allow_8bit) noexcept {
    if (is_8bit(c)) return allow_8bit;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// RFC 5321 qtextSMTP: printable ASCII but '"' and '\\'.
bool is_qtext(char c, bool allow_8bit) noexcept {
    if (is_8bit(c)) return allow_8bit;
    return c >= 32 && c <= 126 && c != '"' && c != '\\';
}

// Matches a quoted-string at the start of `text`; appends its content
// without quotes and escapes to `out`; returns the bytes used, 0 on error.
std::size_t take_quoted_string(std::string_view text, bool allow_8bit, std::string& out) {
    for (std::size_t i = 1; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') return i + 1;
        if (c == '\\') {
            // quoted-pairSMTP: "\" followed by any ASCII 32..126.
            if (++i >= text.size()) return 0;
            const char escaped = text[i];
            if (!(escaped >= 32 && escaped <= 126) && !(allow_8bit && is_8bit(escaped))) return 0;
            out.push_back(escaped);
            continue;
        }
        if (!is_qtext(c, allow_8bit)) return 0;
        out.push_back(c);
    }
    return 0;
}

// Matches a dot-string local part; Postfix is lenient about misplaced dots
// (".a", "a.", "a..b" occur in the wild), so we are too. Returns bytes used.
std::size_t take_dot_string(std::string_view text, bool allow_8bit, std::string& out) {
    std::size_t i = 0;
    while (i < text.size() && (text[i] == '.' || is_atext(text[i], allow_8bit))) out.push_back(text[i++]);
    return i;
}

// "@d1,@d2:" at the start of `text`; returns the bytes used, 0 on error.
std::size_t take_source_route(std::string_view text, bool allow_8bit) noexcept {
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return 0;
    std::string_view route = text.substr(0, colon);
    while (true) {
        if (route.empty() || route.front() != '@') return 0;
        const std::size_t comma = route.find(',');
        if (!is_valid_domain(route.substr(1, comma == std::string_view::npos ? route.npos : comma - 1), allow_8bit))
            return 0;
        if (comma == std::string_view::npos) break;
        route.remove_prefix(comma + 1);
    }
    return colon + 1;
}

Result<Path> parse_mailbox(std::string_view mailbox, const PathOptions& options, Path path) {
    std::string local;
    const std::size_t local_bytes = !mailbox.empty() && mailbox.front() == '"'
                                        ? take_quoted_string(mailbox, options.allow_8bit, local)
                                        : take_dot_string(mailbox, options.allow_8bit, local);
    if (local_bytes == 0) return fail(Retry::Permanent, "malformed local part");
    const std::string_view rest = mailbox.substr(local_bytes);
    path.address = std::move(local);
    if (local_bytes > kMaxLocalPartBytes) path.exceeds_rfc5321 = true;
    if (rest.empty()) {
        // <postmaster>, <user>: no domain. <""> would read as the null path.
        if (path.address.empty()) return fail(Retry::Permanent, "empty local part without domain");
        return path;
    }
    if (rest.front() != '@') return fail(Retry::Permanent, "unexpected character after local part");
    const std::string_view domain = rest.substr(1);
    if (domain.empty()) return fail(Retry::Permanent, "empty domain");
    if (domain.size() > kMaxDomainBytes) return fail(Retry::Permanent, "domain longer than 255 bytes");
    if (!is_valid_domain(domain, options.allow_8bit)) return fail(Retry::Permanent, "malformed domain");
    path.address.push_back('@');
    path.address.append(domain);
    return path;
}

bool needs_quoting(std::string_view local) noexcept {
    if (local.empty() || local.front() == '.' || local.back() == '.') return true;
    if (local.find("..") != std::string_view::npos) return true;
    return std::any_of(local.begin(), local.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80) return false;  // 8-bit clean, as Postfix with SMTPUTF8
        return byte <= ' ' || byte == 0x7f || std::string_view("()<>@,;:\\\"[]").find(c) != std::string_view::npos;
    });
}

}  // namespace

Result<Path> parse_path(std::string_view text, const PathOptions& options) {
    Path path;
    std::string_view inner = text;
    if (!text.empty() && text.front() == '<') {
        if (text.size() < 2 || text.back() != '>') return fail(Retry::Permanent, "missing '>'");
        inner = text.substr(1, text.size() - 2);
        path.had_angle_brackets = true;
    } else if (options.strict_rfc821) {
        return fail(Retry::Permanent, "address not enclosed in <>");
    }
    if (text.size() + (path.had_angle_brackets ? 0 : 2) > kMaxPathBytes) path.exceeds_rfc5321 = true;
    if (std::any_of(inner.begin(), inner.end(), is_8bit)) {
        if (!options.allow_8bit) return fail(Retry::Permanent, "8-bit address without SMTPUTF8");
        if (!is_valid_utf8(inner)) return fail(Retry::Permanent, "malformed UTF-8 in address");
    }
    if (inner.empty()) {
        if (!options.allow_empty) return fail(Retry::Permanent, "empty address");
        return path;
    }
    if (inner.front() == '@') {
        const std::size_t used = take_source_route(inner, options.allow_8bit);
        if (used == 0) return fail(Retry::Permanent, "malformed source route");
        inner.remove_prefix(used);
        path.had_source_route = true;
        if (inner.empty()) return fail(Retry::Permanent, "source route without mailbox");
    }
    return parse_mailbox(inner, options, std::move(path));
}

std::string quote_address(std::string_view internal) {
    if (internal.empty()) return {};
    const std::size_t at = internal.rfind('@');
    const std::string_view local = internal.substr(0, at);
    const std::string_view domain = at == std::string_view::npos ? std::string_view{} : internal.substr(at);
    if (!needs_quoting(local)) return std::string(internal);
    std::string out = "\"";
    for (const char c : local) {
        if (c == '"' || c == '\\' || c == '\r') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    out.append(domain);
    return out;
}

std::string unquote_address(std::string_view external) {
    const std::size_t at = external.rfind('@');
    const std::string_view local = external.substr(0, at);
    std::string out;
    out.reserve(external.size());
    for (std::size_t i = 0; i < local.size(); ++i) {
        if (local[i] == '"') continue;
        if (local[i] == '\\') {
            if (i + 1 == local.size()) continue;
            ++i;
        }
        out.push_back(local[i]);
    }
    if (at != std::string_view::npos) out.append(external.substr(at));
    return out;
}

std::string_view domain_of(std::string_view address) noexcept {
    const std::size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
}

std::string_view local_part_of(std::string_view address) noexcept { return address.substr(0, address.rfind('@')); }

bool is_valid_hostname(std::string_view name, bool allow_8bit) noexcept {
    if (name.empty() || name.size() > kMaxDomainBytes) return false;
    if (allow_8bit && !is_valid_utf8(name)) return false;
    std::size_t label_start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            const std::string_view label = name.substr(label_start, i - label_start);
            if (label.empty() || label.size() > kMaxLabelBytes) return false;
            if (label.front() == '-' || label.back() == '-') return false;
            label_start = i + 1;
            continue;
        }
        const char c = name[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || (allow_8bit && is_8bit(c));
        if (!ok) return false;
    }
    return true;
}

bool is_address_literal(std::string_view domain) noexcept {
    if (domain.size() < 3 || domain.front() != '[' || domain.back() != ']') return false;
    const std::string_view inner = domain.substr(1, domain.size() - 2);
    // inet_pton stops at a NUL: "[1.2.3.4\0@x]" must not pass as 1.2.3.4.
    if (inner.find('\0') != std::string_view::npos) return false;
    char text[64];  // longest IPv6 text form is 45 bytes
    unsigned char binary[16];
    constexpr std::string_view kIpv6Tag = "IPv6:";
    if (inner.size() > kIpv6Tag.size() && iequals(inner.substr(0, kIpv6Tag.size()), kIpv6Tag)) {
        const std::string_view address = inner.substr(kIpv6Tag.size());
        if (address.size() >= sizeof text) return false;
        address.copy(text, address.size());
        text[address.size()] = '\0';
        return inet_pton(AF_INET6, text, binary) == 1;
    }
    if (inner.size() >= sizeof text) return false;
    inner.copy(text, inner.size());
    text[inner.size()] = '\0';
    return inet_pton(AF_INET, text, binary) == 1;
}

bool is_valid_domain(std::string_view domain, bool allow_8bit) noexcept {
    if (!domain.empty() && domain.front() == '[') return is_address_literal(domain);
    return is_valid_hostname(domain, allow_8bit);
}

bool is_fqdn(std::string_view domain) noexcept {
    if (is_address_literal(domain)) return true;
    return is_valid_hostname(domain, true) && domain.find('.') != std::string_view::npos;
}

}  // namespace tern
