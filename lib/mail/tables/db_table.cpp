// lib/mail/tables/db_table.cpp - hash: and btree: tables (Berkeley DB files made by postmap)
#include "lib/mail/tables/db_table.h"

#include <sys/stat.h>

namespace tern {

namespace {

class DbTable final : public LookupTable {
public:
    DbTable(DbType type, std::string name, DbHandle handle)
        : LookupTable(db_type_name(type), std::move(name)), handle_(std::move(handle)) {}

    Status for_each(const EntryVisitor& visit) const override {
        return handle_.for_each([&](std::string_view key, std::string_view value) {
            return visit(strip_trailing_nul(key), strip_trailing_nul(value));
        });
    }

protected:
    Result<std::optional<std::string>> find(std::string_view key) const override {
        std::string with_nul(key);
        with_nul.push_back('\0');
        Result<std::optional<std::string>> value = handle_.get(with_nul);
        if (value && !*value) value = handle_.get(key);
        if (value && *value && !(*value)->empty() && (*value)->back() == '\0') (*value)->pop_back();
        return value;
    }

private:
    DbHandle handle_;
};

}  // namespace

std::string db_file_path(std::string_view name) { return std::string(name) + ".db"; }

std::string_view strip_trailing_nul(std::string_view bytes) noexcept {
    if (!bytes.empty() && bytes.back() == '\0') bytes.remove_suffix(1);
    return bytes;
}

Result<TablePtr> open_db_table(DbType type, std::string_view name, const TableOptions& options) {
    const std::string path = db_file_path(name);
    Result<DbHandle> handle = DbHandle::open_read(path, type);
    if (!handle) return tl::unexpected(handle.error());
    struct stat st {};
    const int fd = handle->fd();
    const bool have_stamp = fd >= 0 && ::fstat(fd, &st) == 0;
    auto table = std::make_unique<DbTable>(type, std::string(name), std::move(*handle));
    table->configure(options, true);
    if (have_stamp) table->watch_file(path, FileStamp::of(st));
    return TablePtr(std::move(table));
}

}  // namespace tern
