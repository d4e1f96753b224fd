// lib/mail/tables/unix_table.h - unix:passwd.byname and unix:group.byname tables
//
// SYNOPSIS
//     tern::Result<tern::TablePtr> t = tern::open_unix_table("passwd.byname", {});
//     (*t)->lookup("root")   // "root:x:0:0:root:/root:/bin/bash"
// DESCRIPTION
//     Postfix's unix: table type: passwd.byname looks the key up with
//     getpwnam_r() and answers the passwd(5) line; group.byname uses
//     getgrnam_r() and answers "name:passwd:gid:member,member". Keys are
//     folded to lower case like other fixed-key tables. A lookup reads
//     the system's user database at the time of the lookup; for
//     passwd.byname a name it does not find there is also looked up in a
//     snapshot of the user list taken when the table was opened (at most
//     200000 entries), because a daemon that opened it before chroot
//     usually cannot reach the user database afterwards (Postfix uses
//     proxymap instead). Users added later are seen live outside a
//     chroot, and inside one after the daemon restarts.
// ERRORS
//     open: Permanent for another map name. lookup: Temporary when the
//     user database cannot be read (errno other than "not found").
#pragma once

#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/tables/table.h"

namespace tern {

[[nodiscard]] Result<TablePtr> open_unix_table(std::string_view name, const TableOptions& options = {});

}  // namespace tern
