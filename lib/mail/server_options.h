// lib/mail/server_options.h - the command line master gives a daemon
//
// SYNOPSIS
//     tern::Result<tern::ServerOptions> o = tern::parse_server_options(argc, argv);
//     // o->service_name, o->listen_count, o->chroot, o->args ...
// DESCRIPTION
//     Parses the options of lib/mail/master_protocol.h: -n NAME, -t TYPE,
//     -s COUNT, -c DIR, -u, -C, -w SECONDS, -v (repeatable), -d (debug:
//     log to standard error too), -o name=value (repeatable), and for a
//     run without master -l ADDRESS (stand-alone: listen on "host:port",
//     "[v6]:port", or a UNIX socket path starting with "/"). A value may
//     follow its letter in the same word ("-s1"). Options end at "--" or at
//     the first word that does not start with "-"; the rest are the
//     service's own arguments (ServerOptions::args).
//     Pure: no I/O, so it is unit-tested directly.
// LIMITS
//     -s at most kMaxListenFds, -w at most one year, -o needs "name=".
// ERRORS
//     An unknown option, a missing value or a bad number: Permanent, the
//     text names the option.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"

namespace tern {

struct ServerOptions {
    std::string config_dir;    // "" when -c is not given
    std::string service_name;  // -n; "" when not started by master
    std::string transport;     // -t: "inet", "unix", "fifo" or ""
    int listen_count = 0;      // -s
    bool unprivileged = false;  // -u
    bool chroot = false;        // -C
    int wakeup_s = 0;           // -w
    int verbosity = 0;          // -v count
    bool debug = false;         // -d
    std::string listen_address;  // -l, stand-alone mode
    Overrides overrides;        // -o name=value
    std::vector<std::string> args;
};

[[nodiscard]] Result<ServerOptions> parse_server_options(int argc, const char* const* argv);

}  // namespace tern
