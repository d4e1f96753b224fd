// lib/mail/tables/db_handle.h - own one Berkeley DB 5.3 database handle
//
// SYNOPSIS
//     tern::Result<tern::DbHandle> db = tern::DbHandle::open_read("/etc/x.db", tern::DbType::Hash);
//     tern::Result<std::optional<std::string>> v = db->get(std::string_view("key\0", 4));
//     tern::Result<tern::DbHandle> out = tern::DbHandle::create(tmp_path, tern::DbType::Hash);
//     out->put(key, value, false);  out->close();
// DESCRIPTION
//     DbHandle owns a DB* (no environment, no transactions: the way
//     Postfix uses hash: and btree: files) and closes it with
//     db->close(db, 0) when it goes out of scope. Keys and values are raw
//     bytes here; the trailing-NUL convention of Postfix is the caller's
//     business (db_table.cpp, db_writer.cpp). Berkeley DB's own error
//     messages go to the debug log, never to standard error.
// ERRORS
//     Every failure is a Temporary Error naming the file; errno_value is
//     set when Berkeley DB returned a system error.
#pragma once

#include <db.h>

#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/tables/table.h"

namespace tern {

enum class DbType { Hash, Btree };

[[nodiscard]] const char* db_type_name(DbType type) noexcept;

class DbHandle {
public:
    DbHandle() = default;
    DbHandle(DbHandle&& other) noexcept;
    DbHandle& operator=(DbHandle&& other) noexcept;
    DbHandle(const DbHandle&) = delete;
    DbHandle& operator=(const DbHandle&) = delete;
    ~DbHandle() { reset(); }

    // Opens an existing file read-only.
    [[nodiscard]] static Result<DbHandle> open_read(const std::string& path, DbType type);
    // Opens path (absent or empty, e.g. from mkstemp) read-write as a new database.
    [[nodiscard]] static Result<DbHandle> create(const std::string& path, DbType type);

    // nullopt when the key is absent.
    [[nodiscard]] Result<std::optional<std::string>> get(std::string_view key) const;
    // false when the key exists and overwrite is false (nothing written).
    [[nodiscard]] Result<bool> put(std::string_view key, std::string_view value, bool overwrite);
    // false when the key was absent.
    [[nodiscard]] Result<bool> remove(std::string_view key);
    // Raw keys and values in database order.
    [[nodiscard]] Status for_each(const EntryVisitor& visit) const;
    // The descriptor Berkeley DB reads, for fstat; -1 when unknown.
    [[nodiscard]] int fd() const noexcept;
    // Flushes and closes, reporting errors (the destructor cannot).
    [[nodiscard]] Status close();

    [[nodiscard]] bool valid() const noexcept { return db_ != nullptr; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    DbHandle(DB* db, std::string path) noexcept : db_(db), path_(std::move(path)) {}
    [[nodiscard]] static Result<DbHandle> open(const std::string& path, DbType type, u_int32_t flags);
    [[nodiscard]] tl::unexpected<Error> db_error(const char* what, int ret) const;
    void reset() noexcept;

    DB* db_ = nullptr;
    std::string path_;
};

}  // namespace tern
