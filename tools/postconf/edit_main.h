// tools/postconf/edit_main.h - postconf -e / -X: change main.cf in place
//
// SYNOPSIS
//     tern::Result<postconf::Edit> e = postconf::parse_assignment("relayhost = [mx]:587");
//     std::string text = postconf::edit_main_cf(old_text, edits, removals);
//     tern::Status ok = postconf::rewrite_file("/etc/tern/main.cf", text);
// DESCRIPTION
//     edit_main_cf is pure: every logical line that sets a name in EDITS
//     becomes "name = value" (its continuation lines dropped), every one
//     that sets a name in REMOVALS disappears, comments and other lines
//     stay as they are, and names not yet in the file are appended in the
//     order given, as Postfix's postconf does. rewrite_file writes a
//     temporary file in the same directory with the old file's mode,
//     fsyncs it and renames it over the old one, so a reader sees either
//     the old or the new main.cf, never half of one.
// ERRORS
//     parse_assignment: "missing '=' after attribute name: ..." and
//     "missing attribute name: ..." as Postfix words them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace postconf {

struct Edit {
    std::string name;
    std::string value;
};

[[nodiscard]] tern::Result<Edit> parse_assignment(std::string_view text);
[[nodiscard]] std::string edit_main_cf(std::string_view text, const std::vector<Edit>& edits,
                                       const std::vector<std::string>& removals);
[[nodiscard]] tern::Status rewrite_file(const std::string& path, std::string_view text);

}  // namespace postconf
