// lib/mail/master_cf.h - master.cf: the services master runs
//
// SYNOPSIS
//     tern::Result<std::vector<tern::MasterService>> s =
//         tern::load_master_cf(cfg);            // reads cfg.config_dir()/master.cf
//     tern::parse_master_cf(text, "master.cf", cfg);
// DESCRIPTION
//     Postfix's master.cf syntax: one service per entry; continuation lines
//     start with white space; "#" comments. Columns: service, type (inet,
//     unix, unix-dgram, fifo, pass), private, unpriv, chroot, wakeup,
//     maxproc, command + args. "-" means the default: private y, unpriv y,
//     chroot n, wakeup 0, maxproc default_process_limit. Wakeup may end in
//     "?" (only when the service is in use). Arguments "-o name=value" and
//     "-o { name = value }" are collected as overrides (values unexpanded:
//     the daemon expands them as main.cf values) and stay in args as "-o"
//     and the word after it; $name in other arguments is expanded against
//     main.cf when every name in it is a main.cf parameter (pipe's
//     ${recipient} stays); "{ a b }" is one argument "a b". A service whose
//     command is in kCoveredElsewhere (trivial-rewrite, tlsmgr, anvil,
//     scache, proxymap, postlogd, flush, verify, pipe, ...) is returned
//     with covered_by set so master can skip it with one warning. An inet
//     service is never private: "-" means n there, "y" is an error.
// ERRORS
//     "FILE, line N: reason" for a wrong column count, bad type, bad
//     y/n/-, bad number, or a duplicate service name/type pair.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"

namespace tern {

enum class ServiceType { Inet, Unix, UnixDgram, Fifo, Pass };

struct MasterService {
    std::string name;  // "smtp", "127.0.0.1:2525", "pickup", ...
    ServiceType type = ServiceType::Unix;
    bool private_access = true;
    bool unprivileged = true;
    bool chroot = false;
    int wakeup_s = 0;
    bool wakeup_when_used = false;  // "60?"
    int max_processes = 0;          // 0: no limit
    std::string command;            // first word of the command column
    std::vector<std::string> args;  // the rest, "-o" pairs included
    // The columns and arguments as written ("-" kept), for postconf -M.
    std::string private_written, unpriv_written, chroot_written, wakeup_written, maxproc_written;
    std::vector<std::string> args_written;  // the same words unexpanded, "{ }" groups as written (postconf -M)
    Overrides overrides;            // from -o name=value
    std::string covered_by;         // non-empty: skip, tern does this job in covered_by
    std::string file;
    int line = 0;

    // "name/type" as Postfix writes it, unique within master.cf.
    [[nodiscard]] std::string key() const;
};

[[nodiscard]] std::string_view service_type_name(ServiceType type) noexcept;
// What covers a Postfix daemon COMMAND in tern ("" when tern runs it).
[[nodiscard]] std::string_view covered_elsewhere(std::string_view command) noexcept;

[[nodiscard]] Result<std::vector<MasterService>> parse_master_cf(std::string_view text, const std::string& file_name,
                                                                 const Config& cfg);
[[nodiscard]] Result<std::vector<MasterService>> load_master_cf(const Config& cfg);

}  // namespace tern
