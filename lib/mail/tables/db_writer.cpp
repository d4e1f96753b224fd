// lib/mail/tables/db_writer.cpp - build a hash: or btree: file atomically (postmap, postalias)
#include "lib/mail/tables/db_writer.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/fd.h"
#include "lib/base/log.h"

namespace tern {

namespace {

std::string directory_of(const std::string& path) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

Status fsync_path(const std::string& path, int flags) {
    Fd fd{::open(path.c_str(), flags | O_CLOEXEC)};
    if (!fd) return fail(Retry::Temporary, "open " + path, errno);
    if (::fsync(fd.get()) != 0) return fail(Retry::Temporary, "fsync " + path, errno);
    return {};
}

mode_t default_mode() noexcept {
    const mode_t mask = ::umask(022);
    ::umask(mask);
    return 0644 & ~mask;
}

// Gives the temporary file the mode and owner the table should have.
Status set_mode_and_owner(int fd, const std::string& temp_path, const std::string& db_path,
                          const DbWriteOptions& options) {
    struct stat old {};
    const bool exists = ::stat(db_path.c_str(), &old) == 0;
    const mode_t mode = exists ? (old.st_mode & 07777) : options.new_file_mode.value_or(default_mode());
    if (::fchmod(fd, mode) != 0) return fail(Retry::Temporary, "chmod " + temp_path, errno);
    if (options.owner) {
        if (::fchown(fd, options.owner->first, options.owner->second) != 0)
            return fail(Retry::Temporary, "chown " + temp_path, errno);
    } else if (exists && (old.st_uid != ::geteuid() || old.st_gid != ::getegid())) {
        // Keep the old owner when we may (root); otherwise the table becomes ours.
        if (::fchown(fd, old.st_uid, old.st_gid) != 0 && errno != EPERM)
            return fail(Retry::Temporary, "chown " + temp_path, errno);
    }
    return {};
}

}  // namespace

DbWriter::DbWriter(DbWriter&& other) noexcept
    : db_path_(std::move(other.db_path_)), temp_path_(std::exchange(other.temp_path_, {})), type_(other.type_),
      options_(std::move(other.options_)), handle_(std::move(other.handle_)) {}

DbWriter::~DbWriter() {
    (void)handle_.close();
    if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Result<DbWriter> DbWriter::begin(const std::string& db_path, DbType type, const DbWriteOptions& options) {
    std::string temp_path = db_path + ".tmpXXXXXX";
    Fd fd{::mkostemp(temp_path.data(), O_CLOEXEC)};
    if (!fd) return fail(Retry::Temporary, "create temporary file for " + db_path, errno);
    if (Status st = set_mode_and_owner(fd.get(), temp_path, db_path, options); !st) {
        ::unlink(temp_path.c_str());
        return tl::unexpected(st.error());
    }
    fd.reset();
    // Berkeley DB takes an empty existing file as a new database.
    Result<DbHandle> handle = DbHandle::create(temp_path, type);
    if (!handle) {
        ::unlink(temp_path.c_str());
        return tl::unexpected(handle.error());
    }
    return DbWriter(db_path, std::move(temp_path), type, options, std::move(*handle));
}

Status DbWriter::copy_existing(bool missing_ok) {
    Result<DbHandle> old = DbHandle::open_read(db_path_, type_);
    if (!old) {
        if (missing_ok && old.error().errno_value == ENOENT) return {};
        return tl::unexpected(old.error());
    }
    Status copied;
    Status walked = old->for_each([&](std::string_view key, std::string_view value) {
        Result<bool> put = handle_.put(key, value, true);
        if (!put) copied = tl::unexpected(put.error());
        return put.has_value();
    });
    if (!walked) return walked;
    return copied;
}

std::string DbWriter::stored_key(std::string_view key) const {
    std::string stored(key);
    if (options_.include_null) stored.push_back('\0');
    return stored;
}

Result<bool> DbWriter::add(std::string_view key, std::string_view value) {
    return handle_.put(stored_key(key), stored_key(value), false);
}

Status DbWriter::replace(std::string_view key, std::string_view value) {
    Result<bool> put = handle_.put(stored_key(key), stored_key(value), true);
    if (!put) return tl::unexpected(put.error());
    return {};
}

Status DbWriter::replace_exact(std::string_view key, std::string_view value) {
    Result<bool> put = handle_.put(std::string(key), std::string(value), true);
    if (!put) return tl::unexpected(put.error());
    return {};
}

Result<bool> DbWriter::remove(std::string_view key) {
    std::string with_nul(key);
    with_nul.push_back('\0');
    Result<bool> removed_with = handle_.remove(with_nul);
    if (!removed_with) return removed_with;
    Result<bool> removed_without = handle_.remove(key);
    if (!removed_without) return removed_without;
    return *removed_with || *removed_without;
}

Status DbWriter::finish_file() {
    if (Status st = handle_.close(); !st) return st;
    return fsync_path(temp_path_, O_RDONLY);
}

Status DbWriter::commit() {
    if (temp_path_.empty()) return fail(Retry::Permanent, "commit " + db_path_ + ": already committed");
    if (Status st = finish_file(); !st) return st;
    if (::rename(temp_path_.c_str(), db_path_.c_str()) != 0)
        return fail(Retry::Temporary, "rename " + temp_path_ + " to " + db_path_, errno);
    temp_path_.clear();
    return fsync_path(directory_of(db_path_), O_RDONLY | O_DIRECTORY);
}

}  // namespace tern
