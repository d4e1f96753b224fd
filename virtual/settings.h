// virtual/settings.h - virtual(8)'s main.cf parameters and tables, loaded once as root
//
// SYNOPSIS
//     tern::Result<virt::Settings> s = virt::load_settings(tern::config());
// DESCRIPTION
//     virtual_mailbox_base (must be an absolute path), virtual_mailbox_maps,
//     virtual_uid_maps, virtual_gid_maps (opened now, before any
//     privilege change), virtual_minimum_uid, virtual_mailbox_limit
//     (bytes, 0 = none), virtual_mailbox_lock ("fcntl", "flock" (treated
//     as fcntl) and "dotlock"), recipient_delimiter.
// ERRORS
//     Permanent, naming the parameter: a relative base, a table that
//     cannot be opened, a value out of range. The daemon stops (log_fatal)
//     as Postfix's virtual does on a bad configuration.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/mailbox.h"
#include "lib/mail/tables/table.h"

namespace virt {

// A main.cf table list and its parameter name (for warnings).
struct Maps {
    std::string parameter;  // "virtual_uid_maps"
    std::vector<tern::TablePtr> tables;
};

struct Settings {
    std::string mailbox_base;
    Maps mailbox_maps;
    Maps uid_maps;
    Maps gid_maps;
    long long minimum_uid = 100;
    long long mailbox_limit = 51200000;
    tern::MboxLocking locking;
    std::string recipient_delimiter;
};

[[nodiscard]] tern::Result<Settings> load_settings(const tern::Config& config);
// "fcntl, dotlock" -> both on; unknown words are ignored.
[[nodiscard]] tern::MboxLocking parse_locking(std::string_view value);

}  // namespace virt
