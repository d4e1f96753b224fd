// lib/mail/tables/table.h - Postfix-style lookup tables behind one interface
//
// SYNOPSIS
//     tern::Result<std::unique_ptr<tern::LookupTable>> t =
//         tern::open_table("hash:/etc/tern/transport", {});
//     if (!t) log_fatal("%s", t.error().describe().c_str());
//     tern::Result<std::optional<std::string>> v = (*t)->lookup("example.com");
//     if (!v) defer(v.error());            // Temporary: the table could not be read
//     else if (*v) use(**v);               // found
//     if ((*t)->changed()) exit_after_this_work();
// DESCRIPTION
//     A table spec is "type:name" as in Postfix. Types (one file each in
//     lib/mail/tables/):
//       hash:FILE, btree:FILE  Berkeley DB FILE.db made by postmap(1)
//       texthash:FILE          a postmap source file read into memory
//       inline:{ k=v, { k = v with spaces }, ... }
//       static:VALUE, static:{ value with spaces }
//       regexp:FILE            regexp_table(5), POSIX extended regexps
//       cidr:FILE              cidr_table(5), IPv4 and IPv6 networks
//       unix:passwd.byname     getpwnam(3); unix:group.byname getgrnam(3)
//       proxy:TYPE:NAME        TYPE:NAME read directly (tern opens tables
//                              before chroot, so there is no proxymap)
//     Fixed-key tables (hash, btree, texthash, inline) fold the lookup key
//     to lower case, as Postfix does, unless TableOptions::fold_keys is
//     false (postmap -f); regexp and cidr match the key as given. A bad
//     line in a text table is skipped with a warning "TYPE map FILE, line
//     N: reason" (Postfix's behaviour), kept in warnings() and logged when
//     TableOptions::log_warnings is set. changed() says whether the file
//     behind the table was replaced since it was opened, so a daemon can
//     exit after its work and be restarted with the new table.
// ERRORS
//     open_table: Permanent for a bad spec or unknown type, Temporary for
//     a file that cannot be opened or read. lookup: Temporary for I/O
//     trouble; a missing key is an empty optional, never an error.
// LIMITS
//     A key longer than TableOptions::max_key_bytes never matches. Text
//     tables are read up to max_file_bytes (a larger file is an error),
//     and one logical line up to kMaxTableLineBytes.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace tern {

// header_checks hands whole header lines to regexp tables; Postfix's
// default header_size_limit is 102400, so a key may be that long.
inline constexpr std::size_t kMaxLookupKeyBytes = 102400;
inline constexpr std::size_t kMaxTableFileBytes = 64 * 1024 * 1024;
inline constexpr std::size_t kMaxTableLineBytes = 1024 * 1024;

struct TableOptions {
    bool fold_keys = true;                          // lower-case keys of fixed-key tables
    std::size_t max_key_bytes = kMaxLookupKeyBytes;  // longer keys never match
    std::size_t max_file_bytes = kMaxTableFileBytes;  // text tables read into memory
    bool log_warnings = true;                       // log bad lines through log_warning
};

// Called for each entry by for_each(); return false to stop early.
using EntryVisitor = std::function<bool(std::string_view key, std::string_view value)>;

// Identity of a file, to notice when it is replaced (postmap renames).
struct FileStamp {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    struct timespec mtime {};
    [[nodiscard]] static std::optional<FileStamp> of(const std::string& path) noexcept;
    [[nodiscard]] static FileStamp of(const struct stat& st) noexcept;
    [[nodiscard]] bool same_as(const FileStamp& other) const noexcept;
};

class LookupTable {
public:
    LookupTable(std::string type, std::string name) : type_(std::move(type)), name_(std::move(name)) {}
    virtual ~LookupTable() = default;
    LookupTable(const LookupTable&) = delete;
    LookupTable& operator=(const LookupTable&) = delete;

    // Looks key up: the value, nullopt when not found (or the key is too
    // long), a Temporary error when the table cannot be read.
    [[nodiscard]] Result<std::optional<std::string>> lookup(std::string_view key) const;
    // Visits every entry (postmap -s); Permanent error for types that
    // cannot list their entries (regexp, cidr, static), as Postfix.
    [[nodiscard]] virtual Status for_each(const EntryVisitor& visit) const;
    // True when the file behind the table was replaced or is gone.
    [[nodiscard]] bool changed() const;

    [[nodiscard]] const std::string& type() const noexcept { return type_; }
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] std::string spec() const { return type_ + ":" + name_; }
    // Bad lines skipped while loading, "TYPE map FILE, line N: reason".
    [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

    // Set by the opener (fixed-key tables fold, pattern tables do not).
    void configure(const TableOptions& options, bool fixed_keys);
    void watch_file(std::string path, const FileStamp& stamp);
    void add_warning(std::string text);

protected:
    // key is already checked against the limit and folded when wanted.
    [[nodiscard]] virtual Result<std::optional<std::string>> find(std::string_view key) const = 0;

private:
    std::string type_;
    std::string name_;
    std::vector<std::string> warnings_;
    bool fold_keys_ = false;
    bool log_warnings_ = true;
    std::size_t max_key_bytes_ = kMaxLookupKeyBytes;
    std::string watched_path_;
    std::optional<FileStamp> watched_stamp_;
};

using TablePtr = std::unique_ptr<LookupTable>;

// Opens "type:name". Text tables are read and parsed now.
[[nodiscard]] Result<TablePtr> open_table(std::string_view spec, const TableOptions& options = {});

// Splits "type:name"; Permanent error when there is no type.
struct TableSpec {
    std::string type;
    std::string name;
};
[[nodiscard]] Result<TableSpec> split_table_spec(std::string_view spec);

// Parsers for text tables, for the openers, tests and fuzzers: the text
// is the file's content and name is used in messages and in name().
[[nodiscard]] Result<TablePtr> parse_texthash_table(std::string_view text, const std::string& name,
                                                    const TableOptions& options = {});
[[nodiscard]] Result<TablePtr> parse_regexp_table(std::string_view text, const std::string& name,
                                                  const TableOptions& options = {});
[[nodiscard]] Result<TablePtr> parse_cidr_table(std::string_view text, const std::string& name,
                                                const TableOptions& options = {});
// name is what follows "inline:", braces included.
[[nodiscard]] Result<TablePtr> parse_inline_table(std::string_view name, const TableOptions& options = {});
[[nodiscard]] Result<TablePtr> make_static_table(std::string_view name, const TableOptions& options = {});

}  // namespace tern
