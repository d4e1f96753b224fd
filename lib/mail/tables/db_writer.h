// lib/mail/tables/db_writer.h - build a hash: or btree: file atomically (postmap, postalias)
//
// SYNOPSIS
//     tern::Result<tern::DbWriter> w = tern::DbWriter::begin("/etc/tern/transport.db", tern::DbType::Hash, {});
//     w->copy_existing();                      // postmap -i / -d: start from the current file
//     tern::Result<bool> added = w->add("example.com", "smtp:[mx]");  // false: duplicate, first kept
//     tern::Status done = w->commit();         // sync, rename over transport.db
// DESCRIPTION
//     The new database is written to a temporary file NAME.db.tmpXXXXXX
//     in the same directory, flushed, fsync'ed, given its final mode and
//     owner, renamed over NAME.db, and the directory is fsync'ed: a
//     reader opens either the old table or the new one, never a half-built
//     file, and a crash leaves the old table in place. A writer that is
//     not committed removes its temporary file.
//     Keys and values get a trailing NUL byte unless include_null is false
//     (postmap -n), Postfix's default on Linux. Mode and owner: those of
//     the existing NAME.db if there is one, else new_file_mode (postmap
//     passes its source file's mode, as Postfix) or 0644 minus the umask;
//     DbWriteOptions::owner overrides the owner (postmap run as root
//     gives the table to the owner of its source file, as Postfix does).
// ERRORS
//     Temporary errors naming the file for I/O trouble (disk full, ...).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/tables/db_handle.h"

namespace tern {

struct DbWriteOptions {
    bool include_null = true;
    std::optional<std::pair<uid_t, gid_t>> owner;
    std::optional<mode_t> new_file_mode;  // when NAME.db does not exist yet
};

class DbWriter {
public:
    DbWriter(DbWriter&& other) noexcept;
    DbWriter& operator=(DbWriter&&) = delete;
    DbWriter(const DbWriter&) = delete;
    DbWriter& operator=(const DbWriter&) = delete;
    ~DbWriter();

    [[nodiscard]] static Result<DbWriter> begin(const std::string& db_path, DbType type, const DbWriteOptions& options);

    // Copies every entry of the current db_path, bytes as they are. A
    // missing file is an empty table when missing_ok, else an error.
    [[nodiscard]] Status copy_existing(bool missing_ok = true);
    // Adds key (false: already there, the first value stays).
    [[nodiscard]] Result<bool> add(std::string_view key, std::string_view value);
    // Adds or replaces.
    [[nodiscard]] Status replace(std::string_view key, std::string_view value);
    // Adds or replaces with the bytes exactly as given, never a NUL added
    // (postalias's YP_LAST_MODIFIED and YP_MASTER_NAME, as Postfix).
    [[nodiscard]] Status replace_exact(std::string_view key, std::string_view value);
    // Removes the key, stored with or without its NUL (false: absent).
    [[nodiscard]] Result<bool> remove(std::string_view key);
    // Makes the new table durable and puts it in place.
    [[nodiscard]] Status commit();

    [[nodiscard]] const std::string& db_path() const noexcept { return db_path_; }

private:
    DbWriter(std::string db_path, std::string temp_path, DbType type, DbWriteOptions options, DbHandle handle)
        : db_path_(std::move(db_path)), temp_path_(std::move(temp_path)), type_(type),
          options_(std::move(options)), handle_(std::move(handle)) {}
    [[nodiscard]] std::string stored_key(std::string_view key) const;
    [[nodiscard]] Status finish_file();

    std::string db_path_;
    std::string temp_path_;  // empty once renamed
    DbType type_;
    DbWriteOptions options_;
    DbHandle handle_;
};

}  // namespace tern
