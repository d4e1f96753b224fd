// lib/mail/address.h - RFC 5321 envelope paths: parse, check, quote and unquote addresses
//
// SYNOPSIS
//     Result<Path> p = parse_path("<\"a b\"@example.com>", {.allow_empty = false});
//     p->address                           // "a b@example.com" (internal form)
//     std::string wire = quote_address(p->address);  // "\"a b\"@example.com"
//     std::string internal = unquote_address(wire);  // "a b@example.com"
//     std::string_view d = domain_of("u@Example.COM"); // "Example.COM"
//     std::string_view l = local_part_of("u@x");        // "u"
//     bool ok = is_valid_domain("[IPv6:2001:db8::1]", false);
//     bool fqdn = is_fqdn("mail.example.com");
// DESCRIPTION
//     parse_path takes the path argument of MAIL FROM or RCPT TO as the
//     command tokenizer cut it out (RFC 5321 section 4.1.2) and returns
//     the address in internal form, the way Postfix keeps addresses: the
//     local part unquoted, the domain as sent, "" for the null path "<>".
//       - "<local@domain>", "<local>" (no domain, e.g. <postmaster>),
//         "<>" when allow_empty;
//       - quoted local parts ("a b"@x, "a\"b"@x) with quoted-pairs;
//       - a source route (<@a,@b:u@d>) is checked and dropped, as Postfix
//         does: the result is u@d;
//       - without strict_rfc821, a path without angle brackets (u@x) is
//         accepted, like Postfix's strict_rfc821_envelopes = no;
//       - 8-bit bytes only with allow_8bit (SMTPUTF8 declared), and then
//         only as valid UTF-8;
//       - the domain must be a host name (labels of letters, digits, '-'
//         and '_', as Postfix allows) or an address literal [1.2.3.4] or
//         [IPv6:...].
//     Stricter than Postfix: no RFC 822 comments or phrases, nothing after
//     the closing '>', no empty domain after '@'.
//     quote_address and unquote_address convert between internal and
//     external form as Postfix's quote_822_local and unquote_822_local do:
//     the local part (everything before the last '@') is quoted when it is
//     not a dot-atom; 8-bit bytes are left alone.
// LIMITS
//     RFC 5321 section 4.5.3.1: a domain over kMaxDomainBytes or with a
//     label over kMaxLabelBytes is refused (DNS cannot carry it, so mail
//     to it could never be delivered). A local part over
//     kMaxLocalPartBytes or a path over kMaxPathBytes is accepted and
//     flagged in Path::exceeds_rfc5321, as Postfix accepts them (SRS and
//     VERP addresses often have long local parts); the command line limit
//     bounds them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace tern {

inline constexpr std::size_t kMaxLocalPartBytes = 64;
inline constexpr std::size_t kMaxDomainBytes = 255;
inline constexpr std::size_t kMaxLabelBytes = 63;
inline constexpr std::size_t kMaxPathBytes = 256;  // including the angle brackets

struct PathOptions {
    bool allow_empty = false;    // "<>": the null sender of MAIL FROM
    bool strict_rfc821 = false;  // strict_rfc821_envelopes: angle brackets required
    bool allow_8bit = false;     // SMTPUTF8 declared: UTF-8 allowed
};

struct Path {
    std::string address;           // internal form; "" for the null path
    bool had_angle_brackets = false;
    bool had_source_route = false;
    bool exceeds_rfc5321 = false;  // local part > 64 or path > 256 bytes
};

// Errors are Retry::Permanent with a text for the log; the SMTP reply is
// the caller's (smtp_command maps it to Postfix's wording).
[[nodiscard]] Result<Path> parse_path(std::string_view text, const PathOptions& options);

[[nodiscard]] std::string quote_address(std::string_view internal);
[[nodiscard]] std::string unquote_address(std::string_view external);

// Split at the last '@': "a@b@c" has local part "a@b" and domain "c". An
// address without '@' is all local part.
[[nodiscard]] std::string_view domain_of(std::string_view address) noexcept;
[[nodiscard]] std::string_view local_part_of(std::string_view address) noexcept;

[[nodiscard]] bool is_valid_hostname(std::string_view name, bool allow_8bit) noexcept;
[[nodiscard]] bool is_address_literal(std::string_view domain) noexcept;
[[nodiscard]] bool is_valid_domain(std::string_view domain, bool allow_8bit) noexcept;
// A host name with at least two labels, or an address literal (what
// reject_non_fqdn_sender/_recipient accept).
[[nodiscard]] bool is_fqdn(std::string_view domain) noexcept;

}  // namespace tern
