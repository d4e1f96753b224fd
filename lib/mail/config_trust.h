// lib/mail/config_trust.h - may this caller pick that configuration directory? (setgid commands)
//
// SYNOPSIS
//     tern::Status trusted = tern::check_config_trust(tern::default_config_dir());
//     if (!trusted) tern::log_fatal_exit(EX_NOPERM, "%s", trusted.error().text.c_str());
// DESCRIPTION
//     A setgid command (postqueue; postdrop has the same rule) runs with
//     group rights a local user does not have, so the user must not point
//     it at a main.cf of their own (another queue_directory, other
//     sockets). Root may use any directory; anyone else only the
//     compiled-in default (TERN_SYSCONFDIR) or a directory that, with its
//     main.cf, is owned by root and not group or other writable.
//     Postfix asks for alternate_config_directories instead; tern has no
//     such parameter yet.
// ERRORS
//     Permanent, naming the directory.
#pragma once

#include <string>

#include "lib/base/result.h"

namespace tern {

[[nodiscard]] Status check_config_trust(const std::string& config_dir);

}  // namespace tern
