// tools/postconf/print_main.h - postconf [-d] [-n] [-h] [-x] [name...]: print main.cf parameters
//
// SYNOPSIS
//     postconf::PrintOptions opt{.non_default = true};
//     tern::Result<std::string> text = postconf::format_parameters(cfg, opt, names);
// DESCRIPTION
//     Lines "name = value" ("name =" when the value is empty), or the
//     value alone with hide_names, sorted by name when no names are
//     given, in the order given otherwise. Values are as written (a
//     continued value joined by single spaces) unless expand is set.
//     Without names: every parameter of the table plus user-defined
//     parameters that another value refers to; non_default: only those
//     set in main.cf (and config_directory when -c or MAIL_CONFIG chose
//     it); defaults: the table's defaults. A name that is not a
//     parameter gets Postfix's warning "NAME: unknown parameter".
// ERRORS
//     An expansion error (-x) is returned: "parameter NAME: reason".
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"

namespace postconf {

struct PrintOptions {
    bool defaults = false;     // -d
    bool non_default = false;  // -n
    bool hide_names = false;   // -h
    bool expand = false;       // -x
    bool config_dir_explicit = false;  // -c or MAIL_CONFIG: config_directory counts as set
};

[[nodiscard]] tern::Result<std::string> format_parameters(const tern::Config& cfg, const PrintOptions& options,
                                                          const std::vector<std::string>& names);
// Postfix's "FILE: unused parameter: name=value" warnings, once per name.
void warn_unused_parameters(const tern::Config& cfg);

}  // namespace postconf
