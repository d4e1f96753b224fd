// master/service_table.h - the services master runs, resolved from master.cf
//
// SYNOPSIS
//     std::vector<ServiceSpec> specs = master::resolve_services(entries, cfg, command_exists);
//     std::vector<std::string> argv = master::build_child_argv(spec, config_dir, listen_count, verbosity);
//     ServiceDiff d = master::diff_services(old_specs, new_specs);
// DESCRIPTION
//     resolve_services turns master.cf entries into ServiceSpecs: it skips,
//     with one warning each, services tern covers elsewhere (covered_by),
//     types master cannot serve (unix-dgram, pass) and commands missing
//     from daemon_directory, so a Postfix master.cf starts with what exists.
//     build_child_argv writes the command line of master_protocol.h: the
//     master.cf "-o name=value" pairs and "-v" become options, every other
//     argument follows "--" as a service argument.
//     diff_services compares two tables by "name/type" for SIGHUP: a
//     service is unchanged, restarted with its listeners kept (only the
//     command, arguments or process settings changed), replaced (its
//     listening address changed), added or removed.
//     All but the command_exists callback are pure, for unit tests.
// LIMITS
//     A command starting with "/" runs as written; any other is looked up
//     in daemon_directory.
// SECURITY
//     Pure data for master (root): the child drops privileges itself,
//     as -u and -C on its command line ask.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lib/mail/config.h"
#include "lib/mail/master_cf.h"

namespace master {

struct ServiceSpec {
    tern::MasterService entry;
    std::string path;          // daemon_directory/command
    std::string listener_key;  // what decides the listening sockets
    int max_processes = 0;     // 0: no limit
};

struct ServiceDiff {
    std::vector<std::string> unchanged;
    std::vector<std::string> restarted;  // same listeners, new processes
    std::vector<std::string> replaced;   // new listeners and processes
    std::vector<std::string> added;
    std::vector<std::string> removed;
};

using CommandExists = std::function<bool(const std::string& path)>;

// What decides a service's listening sockets: type, name, private, and for
// an inet port without a host, inet_interfaces and inet_protocols.
[[nodiscard]] std::string make_listener_key(const tern::MasterService& entry, const std::string& inet_interfaces,
                                            const std::string& inet_protocols);

[[nodiscard]] std::vector<ServiceSpec> resolve_services(const std::vector<tern::MasterService>& entries,
                                                        const tern::Config& cfg, const CommandExists& command_exists);

[[nodiscard]] std::vector<std::string> build_child_argv(const ServiceSpec& spec, const std::string& config_dir,
                                                        int listen_count, int verbosity);

[[nodiscard]] bool same_service(const ServiceSpec& a, const ServiceSpec& b);

[[nodiscard]] ServiceDiff diff_services(const std::vector<ServiceSpec>& old_specs,
                                        const std::vector<ServiceSpec>& new_specs);

}  // namespace master
