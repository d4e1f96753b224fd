// lib/mail/tables/db_table.h - hash: and btree: tables (Berkeley DB files made by postmap)
//
// SYNOPSIS
//     tern::Result<tern::TablePtr> t = tern::open_db_table(tern::DbType::Hash, "/etc/tern/transport", {});
//     std::string file = tern::db_file_path("/etc/tern/transport");   // ".../transport.db"
// DESCRIPTION
//     Opens NAME.db read-only. Postfix on Linux stores each key and value
//     with a trailing NUL byte (DICT_FLAG_TRY1NULL) unless postmap -n made
//     the file; dict_db.c looks a key up with the NUL first and then
//     without it (DICT_FLAG_TRY0NULL), and so does this table, so files
//     made by Postfix's postmap and by ours read the same. A trailing NUL
//     is stripped from the value. The file's identity is recorded from
//     the descriptor Berkeley DB opened, so changed() notices a rebuild.
// ERRORS
//     A missing or unreadable NAME.db is a Temporary error; a file that
//     is not a database of the type named is Permanent.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/tables/db_handle.h"
#include "lib/mail/tables/table.h"

namespace tern {

[[nodiscard]] std::string db_file_path(std::string_view name);

[[nodiscard]] Result<TablePtr> open_db_table(DbType type, std::string_view name, const TableOptions& options);

// Drops one trailing NUL: "key\0" -> "key".
[[nodiscard]] std::string_view strip_trailing_nul(std::string_view bytes) noexcept;

}  // namespace tern
