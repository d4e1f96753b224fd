// smtpd/restriction_maps.h - the recipient tables behind reject_unlisted_recipient/_sender
//
// SYNOPSIS
//     tern::Result<smtpd::RecipientMaps> maps = smtpd::RecipientMaps::load(config);   // before chroot
//     tern::Result<bool> known = maps->contains(smtpd::MapSet::LocalRecipients, "u+x@here", "here", "+", true);
//     bool checked = maps->enabled(smtpd::MapSet::LocalRecipients);   // local_recipient_maps not empty
// DESCRIPTION
//     Opens the tables of local_recipient_maps, virtual_mailbox_maps,
//     relay_recipient_maps, and the rewriting tables that make an
//     address known (canonical_maps, recipient_canonical_maps,
//     virtual_alias_maps). "proxy:type:name" is "type:name" read
//     directly. contains() asks each table of a set, as Postfix's
//     mail_addr_find() does: "user+ext@domain", "user@domain", then for
//     a local domain "user+ext" and "user", then "@domain".
//     A table that cannot be opened because its file is missing or
//     unreadable is logged once ("TABLE is unavailable") and every lookup
//     in it is a Temporary error, so mail to that class is deferred
//     (451 4.3.0) rather than refused or let through, as Postfix does.
// ERRORS
//     load(): Permanent error naming the parameter for a bad table spec or
//     an unknown table type.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/tables/table.h"

namespace smtpd {

enum class MapSet { LocalRecipients, VirtualMailboxes, RelayRecipients, Rewriting };

class RecipientMaps {
public:
    [[nodiscard]] static tern::Result<RecipientMaps> load(const tern::Config& config);

    [[nodiscard]] bool enabled(MapSet set) const noexcept;
    [[nodiscard]] tern::Result<bool> contains(MapSet set, std::string_view address, std::string_view domain,
                                              std::string_view delimiters, bool domain_is_local) const;

private:
    using Tables = std::vector<std::shared_ptr<tern::LookupTable>>;
    [[nodiscard]] const Tables& tables(MapSet set) const noexcept;
    Tables local_;
    Tables virtual_mailbox_;
    Tables relay_;
    Tables rewriting_;
};

// Opens one table of a map list; see RecipientMaps for the missing-file rule.
[[nodiscard]] tern::Result<std::shared_ptr<tern::LookupTable>> open_map(std::string_view spec, std::string_view param);

}  // namespace smtpd
