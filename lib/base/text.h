// lib/base/text.h - small string helpers shared by every parser
//
// SYNOPSIS
//     std::string_view t = trim("  a b \t");            // "a b"
//     std::vector<std::string> v = split_list("a, b c"); // {"a","b","c"}
//     std::string safe = printable(peer_text, 200);      // for log lines
//     std::optional<long long> n = parse_integer("42");
//     bool same = iequals("EHLO", "ehlo");
// DESCRIPTION
//     Pure functions on bytes; none allocates more than its output needs.
//     split_list splits on commas and white space as Postfix lists do.
//     printable replaces control and 8-bit bytes with '?' and cuts the
//     text at max_bytes, so peer text can go into a log line safely.
// LIMITS
//     parse_integer takes decimal digits with an optional leading '-'
//     (std::from_chars: no '+', no spaces) within long long; printable
//     returns at most max_bytes bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

inline constexpr std::string_view kWhitespace = " \t\r\n\f\v";

[[nodiscard]] std::string_view trim(std::string_view text) noexcept;
[[nodiscard]] std::vector<std::string> split_list(std::string_view text);
[[nodiscard]] std::vector<std::string> split_on(std::string_view text, std::string_view separators);
[[nodiscard]] std::string printable(std::string_view text, std::size_t max_bytes = 1000);
[[nodiscard]] std::optional<long long> parse_integer(std::string_view text) noexcept;
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;
[[nodiscard]] std::string to_lower(std::string_view text);

}  // namespace tern
