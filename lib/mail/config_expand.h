// lib/mail/config_expand.h - expand $name, ${name}, ${name?text}, ${name:text} in main.cf values
//
// SYNOPSIS
//     tern::Result<std::string> v = tern::expand_macros("$myhostname, localhost", lookup);
//     std::vector<std::string> names = tern::macro_names("${a?x} $b");  // {"a", "b"}
// DESCRIPTION
//     Postfix's macro syntax: $name or ${name} or $(name) is the named
//     parameter's value, itself expanded; $$ is one "$"; ${name?text}
//     is text when the value is not empty, ${name:text} text when it is
//     empty; ${name?{text1}:{text2}} picks one of two. An undefined name
//     expands to nothing. lookup() returns the unexpanded value, or
//     nullopt when the name is not defined.
// ERRORS
//     The error text is the reason only: "macro loop via $b", "truncated
//     macro reference: ...", "empty macro name", "attribute name syntax
//     error at: ...". Postfix's relational form ${{a} == {b} ? ...} is refused.
// LIMITS
//     At most kMaxExpansionDepth nested names, kMaxExpandedBytes of output.
//     Each name is expanded once per call (memoised), so a chain of names
//     that doubles the text each level stops at the byte limit instead of
//     taking exponential time.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace tern {

using RawLookup = std::function<std::optional<std::string>(std::string_view)>;

[[nodiscard]] Result<std::string> expand_macros(std::string_view text, const RawLookup& lookup);
[[nodiscard]] std::vector<std::string> macro_names(std::string_view text);

}  // namespace tern
