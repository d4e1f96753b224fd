// tools/postmap/build.h - make NAME.db from NAME, add to it (-i), delete from it (-d)
//
// SYNOPSIS
//     tern::TableSpec spec = postmap::map_spec("/etc/tern/transport", "hash");
//     tern::Status built = postmap::build_map(spec, options);            // postmap FILE
//     tern::Status added = postmap::add_to_map(spec, stdin_text, options);  // postmap -i
//     tern::Result<bool> gone = postmap::delete_keys(spec, {"key"}, options);  // postmap -d
// DESCRIPTION
//     The source is postmap(1)'s format: "key whitespace value" lines,
//     "#" comments, continuation lines that start with white space.
//     Keys are folded to lower case unless -f. A line without a value is
//     warned about ("FILE, line N: expected format: key whitespace
//     value") and skipped; a duplicate key is warned about ("duplicate
//     entry") and its first value kept, unless -r (last value wins) or
//     -w (silence). Every change goes through DbWriter: a new file is
//     written next to NAME.db and renamed over it, so readers never see
//     a partial table. Run by root, the work is done as the owner of the
//     source file unless -o; a new NAME.db gets the source's mode unless -p.
// ERRORS
//     Only hash: and btree: can be written; other types are a Permanent
//     error, as in Postfix. I/O trouble is a Temporary error.
// LIMITS
//     A source file is read up to kMaxSourceBytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/tables/db_handle.h"
#include "lib/mail/tables/table.h"
#include "tools/postmap/options.h"

namespace postmap {

inline constexpr std::size_t kMaxSourceBytes = 512 * 1024 * 1024;

// "[type:]file": a bare file gets default_type.
[[nodiscard]] tern::TableSpec map_spec(const std::string& argument, const std::string& default_type);
[[nodiscard]] std::optional<tern::DbType> db_type_of(std::string_view type) noexcept;

[[nodiscard]] tern::Status build_map(const tern::TableSpec& spec, const Options& options);
[[nodiscard]] tern::Status add_to_map(const tern::TableSpec& spec, std::string_view text, const Options& options);
// True when at least one key was there and is now gone.
[[nodiscard]] tern::Result<bool> delete_keys(const tern::TableSpec& spec, const std::vector<std::string>& keys,
                                             const Options& options);

}  // namespace postmap
