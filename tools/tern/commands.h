// tools/tern/commands.h - the tern commands and what they share
//
// SYNOPSIS
//     tern_cmd::Invocation inv{.config_dir = "/etc/tern", .verbose = 0, .args = {"start"}};
//     int status = tern_cmd::run_start(inv);       // exit status for main()
// DESCRIPTION
//     One function per command of tern(1); each returns the process exit
//     status and reports through lib/base/log.h in the words of Postfix's
//     postfix-script, with "tern" for "Postfix":
//         tern/tern-script: fatal: the tern mail system is not running
//     load_instance() reads main.cf for the commands that need it and
//     points logging at "<syslog_name>/tern-script" (stderr, plus
//     maillog_file or syslog).
// ERRORS
//     Exit 0 on success, 1 on any failure, as postfix(1).
#pragma once

#include <string>
#include <vector>

#include "lib/mail/config.h"

namespace tern_cmd {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;

struct Invocation {
    std::string config_dir;         // absolute; -c, $MAIL_CONFIG or the default
    int verbose = 0;                // -v count, passed on to master
    std::vector<std::string> args;  // the command and its arguments
};

// The parts of main.cf the control commands use, read once.
struct Instance {
    tern::Config config;
    std::string queue_dir;
    std::string daemon_dir;
};

// Reads main.cf (fatal on error) and sets up "tern-script" logging.
[[nodiscard]] Instance load_instance(const Invocation& inv);

// Checks run by "tern check" and before "tern start": false after a fatal
// problem was logged; warnings are logged and do not count.
[[nodiscard]] bool check_instance(const Instance& instance);

int run_start(const Invocation& inv);
int run_stop(const Invocation& inv);
int run_abort(const Invocation& inv);
int run_reload(const Invocation& inv);
int run_status(const Invocation& inv);
int run_check(const Invocation& inv);
int run_flush(const Invocation& inv);
int run_init(const Invocation& inv);

}  // namespace tern_cmd
