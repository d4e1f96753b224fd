// tools/postmap/query.h - postmap -q and -s: look keys up, list tables
//
// SYNOPSIS
//     int status = postmap::query_key(specs, "key", options, stdout);   // -q key
//     int status = postmap::query_stream(specs, stdin_text, options, stdout);  // -q -
//     int status = postmap::dump_maps(specs, options, stdout);          // -s
// DESCRIPTION
//     Tables are opened with open_table(), so every readable type works
//     (hash, btree, texthash, regexp, cidr, inline, static). -q KEY
//     prints the value of the first table that has KEY and returns 0,
//     or returns 1 when none has it. -q - reads one key per line from
//     the text and prints "key<TAB>value" for each key found; it returns
//     0 when at least one was found. -s prints "key<TAB>value" for every
//     entry of every table. Keys are folded for fixed-key tables unless
//     -f, as in Postfix.
// ERRORS
//     A table that cannot be opened or read ends the program through
//     log_fatal ("table TYPE:NAME: query error: ..."), exit status 1, as
//     Postfix's postmap does.
#pragma once

#include <cstdio>
#include <string_view>
#include <vector>

#include "lib/mail/tables/table.h"
#include "tools/postmap/options.h"

namespace postmap {

[[nodiscard]] int query_key(const std::vector<tern::TableSpec>& specs, std::string_view key, const Options& options,
                            std::FILE* out);
[[nodiscard]] int query_stream(const std::vector<tern::TableSpec>& specs, std::string_view keys,
                               const Options& options, std::FILE* out);
[[nodiscard]] int dump_maps(const std::vector<tern::TableSpec>& specs, const Options& options, std::FILE* out);

// Lines of text without their line ends (a last line without one counts).
[[nodiscard]] std::vector<std::string_view> split_lines(std::string_view text);

}  // namespace postmap
