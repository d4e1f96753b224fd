// lib/base/exec.h - replace the process with another program
//
// SYNOPSIS
//     tern::Error e = tern::exec_program("/usr/sbin/postqueue", {"postqueue", "-c", dir, "-f"});
//     log_fatal_exit(EX_OSERR, "%s", e.describe().c_str());   // only reached when exec failed
// DESCRIPTION
//     execv(path, words) with the words as argv (words[0] is the name the
//     program sees). Returns only when the exec failed.
// ERRORS
//     The returned Error names the path and keeps errno; ENOENT and EACCES
//     are Permanent, anything else Temporary.
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.h"

namespace tern {

[[nodiscard]] Error exec_program(const std::string& path, std::vector<std::string> words);

}  // namespace tern
