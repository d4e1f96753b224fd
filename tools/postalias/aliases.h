// tools/postalias/aliases.h - parse aliases(5) entries as Postfix's postalias does (pure)
//
// SYNOPSIS
//     postalias::AliasLine parsed = postalias::parse_alias_line("Root: admin, \"|/bin/x y\"", true);
//     if (parsed.entry) add(parsed.entry->name, parsed.entry->value);   // "root", "admin, \"|/bin/x y\""
//     else warn(parsed.problem);                  // "need name:value pair", "name must be local"
// DESCRIPTION
//     One logical line of an aliases file (continuation lines already
//     joined, comments dropped: lib/mail/tables/table_text.h) is
//     "name: value, value, ...". The name ends at the first ':' outside
//     double quotes; surrounding white space is dropped, a quoted name is
//     unquoted, and the name is folded to lower case unless fold is
//     false. A name with an '@' outside quotes is refused ("name must be
//     local"), as is a line without a name or a value ("need name:value
//     pair"). The value is split on commas outside quotes, comments and
//     angle brackets; each element is trimmed, runs of white space
//     outside quotes become one space, empty elements go, and the rest
//     are joined with ", " - what Postfix's RFC 822 tokenizer makes of
//     "a ,b" ("a, b") and "x\n  continued" ("x continued").
// LIMITS
//     Lines come from LogicalLineReader, which caps their length; the
//     parser copies at most the line.
// BUGS
//     Backslash-quoted characters outside double quotes are kept as
//     they are, where Postfix re-quotes the address ("\\root" stays
//     \\root, Postfix stores "\\root").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postalias {

struct AliasEntry {
    std::string name;
    std::string value;
    bool operator==(const AliasEntry&) const = default;
};

struct AliasLine {
    std::optional<AliasEntry> entry;
    std::string problem;  // set when entry is empty
};

[[nodiscard]] AliasLine parse_alias_line(std::string_view line, bool fold);
// The value list in Postfix's normal form ("" when it has no element).
[[nodiscard]] std::string normalize_alias_value(std::string_view value);

}  // namespace postalias
