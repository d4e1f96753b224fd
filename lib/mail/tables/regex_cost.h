// lib/mail/tables/regex_cost.h - refuse regular expressions that glibc's regcomp cannot compile in time
//
// SYNOPSIS
//     std::optional<std::string> why = tern::regex_cost_problem("(a{1,255}){1,255}", true);
//     tern::RegexCost cost = tern::estimate_regex_cost(pattern, extended);
// DESCRIPTION
//     glibc compiles a counted repetition by copying its operand once per
//     count, "x+" as "xx*", and "x{1,n}" as nested optional copies, so:
//       - nested counts multiply: "((a{1,255}){1,255}){1,255}" needs GBs;
//       - copies of an operand that can match the empty string cost far
//         more: "(.*){1,1000}" or "((((.*)+)+)+)+" take seconds to minutes;
//       - stacked operators ("a*+", ".*++++") multiply both, and POSIX
//         leaves their meaning undefined anyway.
//     estimate_regex_cost walks the pattern (extended or basic syntax,
//     bracket expressions skipped) and reports the expanded size, the
//     copies made of empty-matching operands and how deeply such copies
//     nest. regex_cost_problem says why a pattern is refused, if it is.
// LIMITS
//     kMaxRegexExpansion elements after expansion (".{1,1000}" passes),
//     kMaxNullableCopies copies of empty-matching operands, nested at most
//     kMaxNullableDepth deep; no stacked repetition operators. Real
//     patterns (addresses, header checks) stay far below.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tern {

inline constexpr std::size_t kMaxRegexExpansion = 1000;
inline constexpr std::size_t kMaxNullableCopies = 64;
inline constexpr std::size_t kMaxNullableDepth = 3;

struct RegexCost {
    std::size_t size = 0;             // elements after expansion (saturates above the limit)
    std::size_t nullable_copies = 0;  // copies made of operands that match ""
    std::size_t nullable_depth = 0;   // nesting of such copies
    bool stacked = false;             // "a*+", "a{2}{3}", ...
};

[[nodiscard]] RegexCost estimate_regex_cost(std::string_view pattern, bool extended) noexcept;
[[nodiscard]] std::optional<std::string> regex_cost_problem(std::string_view pattern, bool extended);

}  // namespace tern
