// tern - start, stop and check a tern mail system (man/man1/tern.1)
//
// SYNOPSIS
//     tern [-c config_dir] [-v] command [argument ...]
// DESCRIPTION
//     The control program, as Postfix's postfix(1) and postfix-script:
//     start, stop, abort, reload, status, check, flush; and init DIR
//     [name=value ...], which writes a new instance's main.cf and master.cf.
//     The configuration directory is -c DIR, else $MAIL_CONFIG, else the
//     built-in one; -c sets MAIL_CONFIG, so master inherits it.
// SECURITY
//     Every command but init is for root only, as postfix(1) is; init
//     writes files only where its caller may.
// ERRORS
//     Exit 0 on success, 1 on any failure or a usage error (postfix(1)).
#include <getopt.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/config.h"
#include "tools/tern/commands.h"

namespace {

using tern_cmd::Invocation;

struct Command {
    std::string_view name;
    int (*run)(const Invocation&);
    bool takes_arguments;
    bool root_only;
};

constexpr Command kCommands[] = {
    {"start", tern_cmd::run_start, false, true},   {"stop", tern_cmd::run_stop, false, true},
    {"abort", tern_cmd::run_abort, false, true},   {"reload", tern_cmd::run_reload, false, true},
    {"status", tern_cmd::run_status, false, true}, {"check", tern_cmd::run_check, false, true},
    {"flush", tern_cmd::run_flush, false, true},   {"init", tern_cmd::run_init, true, false},
};

const Command* find_command(std::string_view name) {
    for (const Command& command : kCommands)
        if (command.name == name) return &command;
    return nullptr;
}

[[noreturn]] void usage() { tern::log_fatal("usage: tern [-c config_dir] [-v] command"); }

// Parses the options; the first word that is not one is the command.
Invocation parse_options(int argc, char** argv) {
    Invocation inv;
    int option = 0;
    while ((option = ::getopt(argc, argv, "+c:v")) != -1) {
        switch (option) {
        case 'c':
            if (optarg[0] != '/') tern::log_fatal("-c requires absolute pathname");
            if (::setenv("MAIL_CONFIG", optarg, 1) != 0) tern::log_fatal("setenv MAIL_CONFIG failed");
            break;
        case 'v':
            tern::log_set_verbosity(++inv.verbose);
            break;
        default:
            usage();
        }
    }
    if (optind >= argc) usage();
    for (int i = optind; i < argc; ++i) inv.args.emplace_back(argv[i]);
    inv.config_dir = tern::default_config_dir();
    if (inv.config_dir.empty() || inv.config_dir.front() != '/')
        tern::log_fatal("config directory must be an absolute pathname: %s", inv.config_dir.c_str());
    return inv;
}

}  // namespace

int main(int argc, char** argv) {
    tern::log_open("tern", "tern");
    const Invocation inv = parse_options(argc, argv);
    const Command* command = find_command(inv.args.front());
    if (command == nullptr || command->root_only) {
        if (::getuid() != 0) {
            tern::log_error("to submit mail, use the tern sendmail command");
            tern::log_fatal("the tern command is reserved for the superuser");
        }
    }
    if (command == nullptr) {
        tern::log_open("tern/tern-script", "tern/tern-script");
        tern::log_fatal("unknown command: '%s'. Usage: tern start (or stop, reload, abort, flush, check, status, init)",
                        tern::printable(inv.args.front(), 100).c_str());
    }
    if (!command->takes_arguments && inv.args.size() > 1)
        tern::log_fatal("usage: tern %s (no arguments)", inv.args.front().c_str());
    return command->run(inv);
}
