// lib/mail/xtext.h - RFC 3461 xtext and RFC 6533 unitext encoding for DSN parameters
//
// SYNOPSIS
//     std::string wire = encode_xtext("a+b=c");          // "a+2Bb+3Dc"
//     std::optional<std::string> text = decode_xtext("a+2Bb"); // "a+b"
//     std::optional<std::string> utf8 = decode_uxtext("caf\\x{E9}@x"); // "café@x" in UTF-8
//     bool ok = is_valid_utf8(bytes);
// DESCRIPTION
//     ENVID=, ORCPT= and AUTH= carry their values in xtext (RFC 3461
//     section 4): printable US-ASCII (33..126) except "+" and "=", and
//     "+XX" for any other byte. encode_xtext escapes "+", "=" and every
//     byte outside 33..126, with upper-case hex as the RFC asks.
//     decode_xtext refuses a byte outside 33..126, a "+" not followed by
//     two hex digits, and a "+00" (a NUL has no place in an envelope);
//     it accepts lower-case hex and a bare "=", as Postfix does.
//     decode_uxtext decodes the utf-8-addr-xtext of RFC 6533 section 3
//     (ORCPT=utf-8;...): UTF-8 as is, "\x{HEX}" for one code point.
// LIMITS
//     Output is never longer than three times the input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern {

[[nodiscard]] std::string encode_xtext(std::string_view text);
[[nodiscard]] std::optional<std::string> decode_xtext(std::string_view xtext);
[[nodiscard]] std::optional<std::string> decode_uxtext(std::string_view uxtext);
[[nodiscard]] bool is_valid_utf8(std::string_view bytes) noexcept;

}  // namespace tern
