// local/settings.h - the main.cf parameters local(8) uses, read once at start
//
// SYNOPSIS
//     tern::Result<local::Settings> s = local::load_settings(tern::config());   // as root, before the loop
//     if (s->commands.from_alias) ...;  s->alias_maps[0].table->lookup("root");
//     local::Permissions p = local::parse_permissions("alias, forward");
// DESCRIPTION
//     Postfix names and defaults (lib/mail/params.cpp): alias_maps,
//     home_mailbox, mail_spool_directory, mailbox_transport,
//     fallback_transport, recipient_delimiter, forward_path (kept raw: its
//     $home... are local(8) macros), default_privs, allow_mail_to_commands,
//     allow_mail_to_files, command_time_limit, export_environment,
//     local_command_shell, owner_request_special, expand_owner_alias,
//     mailbox_delivery_lock, myhostname, myorigin, queue_directory,
//     ipc_timeout. The alias tables are opened here, with the owner of
//     each table's file (root for tables without one): commands and files
//     named in an alias run with default_privs when the owner is root, else
//     with the owner's rights, as Postfix does.
// ERRORS
//     A bad value, an alias table that cannot be opened, an unknown
//     default_privs user: a Permanent error naming the parameter.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/domain_class.h"
#include "lib/mail/mailbox.h"
#include "lib/mail/tables/table.h"
#include "local/recipient.h"

namespace local {

// Where "|command" or "/file" destinations are allowed from.
struct Permissions {
    bool from_alias = false;
    bool from_forward = false;
    bool from_include = false;
    bool operator==(const Permissions&) const = default;
};
[[nodiscard]] Permissions parse_permissions(std::string_view value);

struct AliasTable {
    tern::TablePtr table;
    uid_t owner = 0;
};

struct Settings {
    std::string myhostname;
    std::string myorigin;
    std::string queue_directory;
    std::string home_mailbox;
    std::string mail_spool_directory;
    std::string mailbox_transport;
    std::string fallback_transport;
    std::string recipient_delimiter;
    std::string forward_path;
    std::string local_command_shell;  // "" = /bin/sh
    UserAccount default_privs;
    Permissions commands;
    Permissions files;
    long long command_time_limit_s = 1000;
    long long ipc_timeout_s = 3600;
    std::vector<std::string> export_environment;
    bool owner_request_special = true;
    bool expand_owner_alias = false;
    tern::MboxLocking locking;
    std::vector<AliasTable> alias_maps;
    std::unique_ptr<tern::DomainClassifier> domains;
};

[[nodiscard]] tern::Result<Settings> load_settings(const tern::Config& config);
// The owner of a table's file ("hash:/etc/aliases" -> /etc/aliases.db); 0 when none.
[[nodiscard]] uid_t table_owner(const tern::LookupTable& table);

}  // namespace local
