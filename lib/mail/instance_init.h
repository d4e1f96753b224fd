// lib/mail/instance_init.h - write main.cf and master.cf for a new instance (tern init)
//
// SYNOPSIS
//     tern::Status ok = tern::init_instance("/srv/mx1/etc", {{"myhostname", "mx1.example.com"}});
// DESCRIPTION
//     Creates DIR (and missing parents, mode 0755) and writes DIR/main.cf
//     and DIR/master.cf from the templates compiled in from conf/. Each
//     override replaces the template's line for that name (an active
//     "name = ..." line, else its "#name = ..." example line) or is
//     appended at the end. The resulting main.cf must parse and pass
//     Config::validate() before anything is written.
// ERRORS
//     Refuses, before writing either file, when DIR/main.cf or
//     DIR/master.cf exists; refuses a bad override (empty name, white
//     space or "=" in the name, a newline or NUL in the value) and a
//     value that fails the parameter's check. Files are created with
//     O_EXCL, so a file that appears meanwhile is not overwritten either.
#pragma once

#include <string>

#include "lib/base/result.h"
#include "lib/mail/config.h"

namespace tern {

[[nodiscard]] Status init_instance(const std::string& dir, const Overrides& overrides);
// The main.cf text init_instance would write (for tests and tern init -n style previews).
[[nodiscard]] Result<std::string> instance_main_cf(const Overrides& overrides);

}  // namespace tern
