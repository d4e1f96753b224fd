// lib/mail/config_edit.h - change main.cf text: replace, append and remove parameters
//
// SYNOPSIS
//     tern::Result<tern::ConfigEdit> e = tern::parse_assignment("relayhost = [mx]:587");
//     std::string text = tern::edit_main_cf(old_text, edits, removals);
//     Status ok = tern::rewrite_file("/etc/tern/main.cf", text);
// DESCRIPTION
//     edit_main_cf is pure: every logical line that sets a name in EDITS
//     becomes "name = value" (its continuation lines dropped), every one
//     that sets a name in REMOVALS disappears, comments and other lines
//     stay as they are, and names not yet in the file are appended in the
//     order given, as Postfix's postconf does. With uncomment, a name
//     that only appears as a "#name = ..." example line replaces that
//     line instead of being appended (tern init fills its template so). rewrite_file writes a
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

namespace tern {

struct ConfigEdit {
    std::string name;
    std::string value;
};

[[nodiscard]] Result<ConfigEdit> parse_assignment(std::string_view text);
[[nodiscard]] std::string edit_main_cf(std::string_view text, const std::vector<ConfigEdit>& edits,
                                       const std::vector<std::string>& removals, bool uncomment = false);
[[nodiscard]] Status rewrite_file(const std::string& path, std::string_view text);

}  // namespace tern
