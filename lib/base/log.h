// lib/base/log.h - the one logging function, in Postfix's line shape
//
// SYNOPSIS
//     tern::log_open("tern/smtpd", "smtpd");      // syslog ident, stderr name
//     tern::log_use_file("/var/log/tern.log");     // maillog_file, before chroot
//     tern::log_use_syslog(true);
//     tern::log_info("%s: client=%s", id, client);
//     tern::log_warning("%s, line %d: unknown parameter %s", file, line, name);
//     tern::log_fatal("open %s: %s", path, strerror(errno));   // logs, then exit(1)
//     tern::log_fatal_exit(EX_USAGE, "no recipients specified");
// DESCRIPTION
//     Every process logs through here. A line goes to any of: standard
//     error ("NAME: warning: text", for commands run by a person),
//     syslog (facility mail, ident "tern/NAME", with the pid), and a file
//     (maillog_file), where it is written as
//         Nov 23 10:00:00 host tern/smtpd[123]: warning: text
//     so pflogsumm and log monitors read it like Postfix's. Levels
//     warning, error, fatal and panic prefix the text as Postfix does;
//     info has no prefix; debug lines are written only at verbosity >= 1.
//     The format is printf's (checked by the compiler); "%m" is not
//     supported, pass strerror(errno) instead.
// LIMITS
//     A line is cut at kMaxLogLineBytes. Text from a peer must go through
//     printable() (lib/base/text.h) first and is never the format.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace tern {

inline constexpr std::size_t kMaxLogLineBytes = 4000;

enum class LogLevel { Debug, Info, Warning, Error, Fatal, Panic };

// Names the process. stderr_name is what a person sees on standard error.
void log_open(std::string_view syslog_ident, std::string_view stderr_name);
// Standard error is on by default; daemons turn it off once detached.
void log_use_stderr(bool on);
void log_use_syslog(bool on);
// Appends lines to `path` (opened now, O_APPEND, so it works after chroot).
[[nodiscard]] Status log_use_file(const std::string& path);
// The host name written in file lines (default: gethostname()).
void log_set_hostname(std::string_view host);
void log_set_verbosity(int level);
[[nodiscard]] int log_verbosity();
// Called after a fatal line instead of exit(1), for tests; nullptr resets.
void log_set_fatal_hook(void (*hook)());

void log_msg(LogLevel level, const char* format, ...) __attribute__((format(printf, 2, 3)));
void log_debug(const char* format, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char* format, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char* format, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char* format, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void log_fatal(const char* format, ...) __attribute__((format(printf, 1, 2)));
// A fatal line, then exit(exit_status): commands that promise sysexits codes.
[[noreturn]] void log_fatal_exit(int exit_status, const char* format, ...) __attribute__((format(printf, 2, 3)));
[[noreturn]] void log_panic(const char* format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace tern

// Broken invariants (our bugs): log and abort so master restarts the process.
#define TERN_PANIC(...) ::tern::log_panic(__VA_ARGS__)
#define TERN_ASSERT(cond)                                                              \
    do {                                                                               \
        if (!(cond)) ::tern::log_panic("%s:%d: assertion failed: %s", __FILE__, __LINE__, #cond); \
    } while (0)
