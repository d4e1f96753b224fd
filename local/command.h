// local/command.h - deliver a message to "|command": environment, time limit, exit status
//
// SYNOPSIS
//     local::CommandSpec spec{.command = "procmail -a x", .uid = u, .gid = g, .cwd = home,
//                             .shell = "/bin/sh", .environment = local::command_environment(vars, exported),
//                             .time_limit_s = 1000};
//     local::CommandResult r = local::run_command(spec, prefix_with_from_line, reader);
//     local::CommandVerdict v = local::judge_command(r, spec.command);
//     std::optional<local::SysexitsEntry> e = local::sysexits_entry(75);   // 4.3.0 "temporary failure"
// DESCRIPTION
//     As Postfix's local(8) pipe delivery: the command runs with
//     shell -c COMMAND (local_command_shell, else /bin/sh) as uid/gid
//     (real and effective, supplementary groups {gid}), in cwd (the
//     home directory; "/" when it cannot be entered), with a clean
//     environment: the variables command_environment builds (HOME LOGNAME
//     USER SHELL SENDER RECIPIENT LOCAL DOMAIN EXTENSION
//     ORIGINAL_RECIPIENT PATH=/usr/bin:/bin, plus export_environment names
//     taken from our own environment). The message goes to standard input:
//     `prefix` (the "From " line and header lines, LF-ended) then the
//     stored content with CRLF turned into LF. Standard output and error
//     are collected (at most kMaxCommandOutputBytes) for the bounce
//     reason. After time_limit_s the process group is killed (SIGKILL).
//     judge_command maps the outcome as Postfix's pipe_command and
//     sys_exits: exit 0 sent "delivered to command: CMD"; a <sysexits.h>
//     code with its DSN and text (EX_TEMPFAIL and EX_OSERR defer, the
//     others bounce); any other status bounces "Command died with status
//     N: \"CMD\""; a signal defers "Command died with signal N"; the time
//     limit bounces (5.3.0) "Command time limit exceeded: \"CMD\"", as
//     Postfix's pipe_command does. Output, made
//     printable, follows as ". Command output: TEXT".
// SECURITY
//     Called as root; the child drops to uid/gid for good before exec, so
//     the command never runs as root unless uid is 0 (Postfix refuses
//     that, and so do the callers). Descriptors are close-on-exec.
// LIMITS
//     Output kept: kMaxCommandOutputBytes; reason text kMaxCommandReasonBytes.
#pragma once

#include <sys/time.h>
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/delivery_protocol.h"
#include "lib/mail/queue_file.h"

namespace local {

inline constexpr std::size_t kMaxCommandOutputBytes = 4096;
inline constexpr std::size_t kMaxCommandReasonBytes = 1000;
inline constexpr std::string_view kCommandPath = "/usr/bin:/bin";

struct CommandVariables {
    std::string home, logname, user, shell;
    std::string sender, recipient, local, domain, extension, original_recipient;
};

// "From SENDER  DATE" LF-ended (MAILER-DAEMON for the null sender), as
// Postfix puts in front of a message piped to a command.
[[nodiscard]] std::string command_from_line(std::string_view sender, const timeval& arrival);

// "NAME=VALUE" strings for the child, in a fixed order.
[[nodiscard]] std::vector<std::string> command_environment(const CommandVariables& vars,
                                                           const std::vector<std::string>& exported);

struct CommandSpec {
    std::string command;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string cwd;
    std::string shell = "/bin/sh";
    std::vector<std::string> environment;
    long long time_limit_s = 1000;
};

enum class CommandEnd { Exited, Signaled, TimedOut, NotStarted };

struct CommandResult {
    CommandEnd end = CommandEnd::NotStarted;
    int code = 0;        // exit status or signal number
    std::string output;  // stdout and stderr, bounded
    std::string error;   // NotStarted: why
};

[[nodiscard]] CommandResult run_command(const CommandSpec& spec, std::string_view prefix,
                                        tern::ContentReader& content);

struct SysexitsEntry {
    int code;
    std::string_view dsn;
    std::string_view text;
};
[[nodiscard]] std::optional<SysexitsEntry> sysexits_entry(int code) noexcept;

struct CommandVerdict {
    tern::DeliveryStatus status = tern::DeliveryStatus::Deferred;
    std::string dsn;
    std::string reason;
};
[[nodiscard]] CommandVerdict judge_command(const CommandResult& result, std::string_view command);

}  // namespace local
