// lib/mail/tables/table.cpp - the LookupTable base and the "type:name" opener
#include "lib/mail/tables/table.h"

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/tables/db_table.h"
#include "lib/mail/tables/table_text.h"
#include "lib/mail/tables/unix_table.h"

namespace tern {

std::optional<FileStamp> FileStamp::of(const std::string& path) noexcept {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return of(st);
}

FileStamp FileStamp::of(const struct stat& st) noexcept {
    return FileStamp{st.st_dev, st.st_ino, st.st_size, st.st_mtim};
}

bool FileStamp::same_as(const FileStamp& other) const noexcept {
    return device == other.device && inode == other.inode && size == other.size &&
           mtime.tv_sec == other.mtime.tv_sec && mtime.tv_nsec == other.mtime.tv_nsec;
}

Result<std::optional<std::string>> LookupTable::lookup(std::string_view key) const {
    if (key.size() > max_key_bytes_) return std::optional<std::string>{};
    if (!fold_keys_) return find(key);
    return find(to_lower(key));
}

Status LookupTable::for_each(const EntryVisitor&) const {
    return fail(Retry::Permanent, "table " + spec() + ": sequence operation is not supported");
}

bool LookupTable::changed() const {
    if (!watched_stamp_) return false;
    const std::optional<FileStamp> now = FileStamp::of(watched_path_);
    return !now || !now->same_as(*watched_stamp_);
}

void LookupTable::configure(const TableOptions& options, bool fixed_keys) {
    fold_keys_ = fixed_keys && options.fold_keys;
    log_warnings_ = options.log_warnings;
    max_key_bytes_ = options.max_key_bytes;
}

void LookupTable::watch_file(std::string path, const FileStamp& stamp) {
    watched_path_ = std::move(path);
    watched_stamp_ = stamp;
}

void LookupTable::add_warning(std::string text) {
    if (log_warnings_) log_warning("%s", text.c_str());
    warnings_.push_back(std::move(text));
}

Result<TableSpec> split_table_spec(std::string_view spec) {
    const std::size_t colon = spec.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == spec.size())
        return fail(Retry::Permanent, "open dictionary: expecting \"type:name\" form instead of \"" +
                                          printable(spec, 200) + "\"");
    return TableSpec{std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
}

namespace {

using TextParser = Result<TablePtr> (*)(std::string_view, const std::string&, const TableOptions&);

Result<TablePtr> open_text_table(const std::string& path, const TableOptions& options, TextParser parse) {
    Result<TableFile> file = read_table_file(path, options.max_file_bytes);
    if (!file) return tl::unexpected(file.error());
    Result<TablePtr> table = parse(file->text, path, options);
    if (table) (*table)->watch_file(path, file->stamp);
    return table;
}

}  // namespace

Result<TablePtr> open_table(std::string_view spec, const TableOptions& options) {
    Result<TableSpec> parts = split_table_spec(spec);
    if (!parts) return tl::unexpected(parts.error());
    const std::string& type = parts->type;
    const std::string& name = parts->name;
    if (type == "hash") return open_db_table(DbType::Hash, name, options);
    if (type == "btree") return open_db_table(DbType::Btree, name, options);
    if (type == "texthash") return open_text_table(name, options, parse_texthash_table);
    if (type == "regexp") return open_text_table(name, options, parse_regexp_table);
    if (type == "cidr") return open_text_table(name, options, parse_cidr_table);
    if (type == "inline") return parse_inline_table(name, options);
    if (type == "static") return make_static_table(name, options);
    if (type == "unix") return open_unix_table(name, options);
    // Postfix's proxymap reads a table for chrooted daemons; tern opens tables before chroot.
    if (type == "proxy") {
        std::string_view inner = name;
        while (inner.substr(0, 6) == "proxy:") inner.remove_prefix(6);  // no recursion on proxy:proxy:...
        return open_table(inner, options);
    }
    return fail(Retry::Permanent, "unsupported dictionary type: " + printable(type, 100));
}

}  // namespace tern
