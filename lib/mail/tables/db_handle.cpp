// lib/mail/tables/db_handle.cpp - own one Berkeley DB 5.3 database handle
#include "lib/mail/tables/db_handle.h"

#include <cstring>
#include <memory>

#include "lib/base/log.h"

namespace tern {

namespace {

// Postfix's default dict_db_cache_size; it speeds up building large tables.
constexpr u_int32_t kDbCacheBytes = 16 * 1024 * 1024;

struct CursorClose {
    void operator()(DBC* cursor) const noexcept { cursor->close(cursor); }
};
using CursorPtr = std::unique_ptr<DBC, CursorClose>;

// Berkeley DB reports details through this callback; they are for
// debugging (the caller gets an Error with the return code).
void log_db_message(const DB_ENV*, const char* prefix, const char* message) noexcept {
    log_debug("berkeley db: %s%s", prefix ? prefix : "", message ? message : "");
}

DBT make_dbt(std::string_view bytes) noexcept {
    DBT dbt;
    std::memset(&dbt, 0, sizeof dbt);
    dbt.data = const_cast<char*>(bytes.data());  // Berkeley DB does not write through it
    dbt.size = static_cast<u_int32_t>(bytes.size());
    return dbt;
}

std::string_view dbt_view(const DBT& dbt) noexcept {
    return {static_cast<const char*>(dbt.data), dbt.size};
}

}  // namespace

const char* db_type_name(DbType type) noexcept {
    switch (type) {
        case DbType::Hash: return "hash";
        case DbType::Btree: return "btree";
    }
    return "?";
}

DbHandle::DbHandle(DbHandle&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

DbHandle& DbHandle::operator=(DbHandle&& other) noexcept {
    if (this != &other) {
        reset();
        db_ = std::exchange(other.db_, nullptr);
        path_ = std::move(other.path_);
    }
    return *this;
}

void DbHandle::reset() noexcept {
    if (db_ != nullptr) db_->close(db_, 0);
    db_ = nullptr;
}

tl::unexpected<Error> DbHandle::db_error(const char* what, int ret) const {
    const std::string text = std::string(what) + " " + path_;
    if (ret > 0) return fail(Retry::Temporary, text, ret);
    return fail(Retry::Temporary, text + ": " + db_strerror(ret));
}

Result<DbHandle> DbHandle::open(const std::string& path, DbType type, u_int32_t flags) {
    DB* raw = nullptr;
    if (const int ret = db_create(&raw, nullptr, 0); ret != 0)
        return DbHandle(nullptr, path).db_error("db_create for", ret);
    DbHandle handle(raw, path);
    raw->set_errcall(raw, log_db_message);
    if ((flags & DB_CREATE) != 0) {
        if (const int ret = raw->set_cachesize(raw, 0, kDbCacheBytes, 0); ret != 0)
            return handle.db_error("set cache size for", ret);
    }
    const DBTYPE db_type = type == DbType::Hash ? DB_HASH : DB_BTREE;
    if (const int ret = raw->open(raw, nullptr, path.c_str(), nullptr, db_type, flags, 0644); ret != 0) {
        // A file that is not a database of this type is not a temporary problem.
        if (ret == EINVAL)
            return fail(Retry::Permanent, "open database " + path + ": not a " + db_type_name(type) + " database");
        return handle.db_error("open database", ret);
    }
    return handle;
}

Result<DbHandle> DbHandle::open_read(const std::string& path, DbType type) {
    return open(path, type, DB_RDONLY);
}

Result<DbHandle> DbHandle::create(const std::string& path, DbType type) {
    return open(path, type, DB_CREATE);
}

Result<std::optional<std::string>> DbHandle::get(std::string_view key) const {
    DBT db_key = make_dbt(key);
    DBT db_value;
    std::memset(&db_value, 0, sizeof db_value);
    const int ret = db_->get(db_, nullptr, &db_key, &db_value, 0);
    if (ret == DB_NOTFOUND) return std::optional<std::string>{};
    if (ret != 0) return db_error("lookup in", ret);
    return std::optional<std::string>{std::string(dbt_view(db_value))};
}

Result<bool> DbHandle::put(std::string_view key, std::string_view value, bool overwrite) {
    DBT db_key = make_dbt(key);
    DBT db_value = make_dbt(value);
    const int ret = db_->put(db_, nullptr, &db_key, &db_value, overwrite ? 0 : DB_NOOVERWRITE);
    if (ret == DB_KEYEXIST) return false;
    if (ret != 0) return db_error("update", ret);
    return true;
}

Result<bool> DbHandle::remove(std::string_view key) {
    DBT db_key = make_dbt(key);
    const int ret = db_->del(db_, nullptr, &db_key, 0);
    if (ret == DB_NOTFOUND) return false;
    if (ret != 0) return db_error("delete from", ret);
    return true;
}

Status DbHandle::for_each(const EntryVisitor& visit) const {
    DBC* raw = nullptr;
    if (const int ret = db_->cursor(db_, nullptr, &raw, 0); ret != 0) return db_error("cursor on", ret);
    const CursorPtr cursor(raw);
    for (;;) {
        DBT db_key;
        DBT db_value;
        std::memset(&db_key, 0, sizeof db_key);
        std::memset(&db_value, 0, sizeof db_value);
        const int ret = cursor->get(cursor.get(), &db_key, &db_value, DB_NEXT);
        if (ret == DB_NOTFOUND) return {};
        if (ret != 0) return db_error("sequence through", ret);
        if (!visit(dbt_view(db_key), dbt_view(db_value))) return {};
    }
}

int DbHandle::fd() const noexcept {
    int descriptor = -1;
    if (db_ == nullptr || db_->fd(db_, &descriptor) != 0) return -1;
    return descriptor;
}

Status DbHandle::close() {
    DB* db = std::exchange(db_, nullptr);
    if (db == nullptr) return {};
    if (const int ret = db->close(db, 0); ret != 0) return db_error("close", ret);
    return {};
}

}  // namespace tern
