// lib/mail/match_list.h - the entry syntax Postfix's match lists share: "!" and /file/name
//
// SYNOPSIS
//     Status s = tern::expand_match_list(config.list("mynetworks"), "mynetworks",
//         [&](std::string_view text, bool negated) -> tern::Status { ...add one plain entry... });
// DESCRIPTION
//     Postfix's domain lists (mydestination, relay_domains, ...) and
//     network lists (mynetworks, ...) read their entries alike: a leading
//     "!" negates the entry; an entry that starts with "/" names a file
//     whose white-space or comma separated words are more entries (read
//     with read_config_file and split_config_list, lib/mail/config.h).
//     expand_match_list_entry handles both and hands every plain entry,
//     with its negation, to add_plain; what a plain entry means (a
//     domain, a network, a type:table) is the caller's business.
// LIMITS
//     Files nest at most kMaxMatchListFileDepth deep; each is read up to
//     kMaxMatchListFileBytes.
// ERRORS
//     Permanent, prefixed with `param`: a bare "!", nesting too deep, an
//     unreadable file, or whatever add_plain returns.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace tern {

inline constexpr int kMaxMatchListFileDepth = 8;
inline constexpr std::size_t kMaxMatchListFileBytes = 4 * 1024 * 1024;

using MatchListAdder = std::function<Status(std::string_view text, bool negated)>;

[[nodiscard]] Status expand_match_list_entry(std::string_view entry, std::string_view param,
                                             const MatchListAdder& add_plain, int depth = 0);
// Every entry of a list, in order; stops at the first error.
[[nodiscard]] Status expand_match_list(const std::vector<std::string>& entries, std::string_view param,
                                       const MatchListAdder& add_plain);

}  // namespace tern
