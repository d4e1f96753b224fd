// cleanup/settings.h - the main.cf parameters and lookup tables cleanup uses
//
// SYNOPSIS
//     tern::Result<cleanup::Settings> s = cleanup::load_settings(tern::config());
//     cleanup::set_settings(std::move(*s));           // before the loop (still root)
//     const cleanup::Settings& s = cleanup::settings();
// DESCRIPTION
//     Reads once, before chroot, everything cleanup needs: myhostname,
//     myorigin, mydestination, mail_name, header_size_limit,
//     hopcount_limit, message_size_limit, virtual_alias_recursion_limit,
//     virtual_alias_expansion_limit, and opens the tables of
//     canonical_maps, sender_canonical_maps, recipient_canonical_maps,
//     virtual_alias_maps and header_checks (each a list of "type:name").
//     Tests fill a Settings by hand.
// ERRORS
//     A bad value or a table that cannot be opened is an Error naming the
//     parameter; the daemon stops with it (bad configuration).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/tables/table.h"

namespace cleanup {

// Recipients one message may have after alias expansion: the queue file
// reader's limit (lib/mail/queue_file.h), so cleanup never writes a file
// qmgr refuses.
inline constexpr std::size_t kMaxRecipients = 100'000;

struct Settings {
    std::string myhostname = "localhost";
    std::string myorigin = "localhost";
    std::string mail_name = "tern";
    std::vector<std::string> mydestination;
    std::size_t header_size_limit = 102400;
    long long hopcount_limit = 50;
    std::uint64_t message_size_limit = 10240000;  // 0: no limit
    std::size_t virtual_alias_recursion_limit = 1000;
    std::size_t virtual_alias_expansion_limit = 1000;
    std::vector<tern::TablePtr> canonical_maps;
    std::vector<tern::TablePtr> sender_canonical_maps;
    std::vector<tern::TablePtr> recipient_canonical_maps;
    std::vector<tern::TablePtr> virtual_alias_maps;
    std::vector<tern::TablePtr> header_checks;
};

[[nodiscard]] tern::Result<Settings> load_settings(const tern::Config& config);
void set_settings(Settings settings);
[[nodiscard]] const Settings& settings();
// True when a table behind any of the maps was replaced (exit after work).
[[nodiscard]] bool tables_changed(const Settings& settings);

}  // namespace cleanup
