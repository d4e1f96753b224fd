// lib/mail/maildir.cpp - deliver_maildir: tmp/UNIQUE, fsync, link to new/UNIQUE
//
// SYNOPSIS
//     tern::Result<std::string> name = tern::deliver_maildir("/home/b/Maildir/", message);  // "new/..."
//     std::string unique = tern::maildir_unique_name(now);   // for tests
// DESCRIPTION
//     See lib/mail/mailbox.h. The unique name is
//     "SECONDS.M<micros>P<pid>Q<counter>.<host>": the counter makes two
//     deliveries of one process in the same microsecond differ, the pid
//     two processes, the host two machines sharing the folder. A tmp
//     name that exists already (an old crash) is an error for this try,
//     never overwritten.
// SECURITY
//     Runs as the recipient. Files are created O_EXCL|O_NOFOLLOW, so a
//     symlink planted in tmp/ is never followed; the folders are made
//     0700 and must be directories (lstat, not stat).
// ERRORS
//     Temporary, naming the file or folder and the step.
#include "lib/mail/mailbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string_view>

#include "lib/base/fd.h"
#include "lib/mail/mailbox_content.h"

namespace tern {

namespace {

std::atomic<unsigned long> unique_counter{0};

// The host name with '/' and ':' escaped as Maildir++ does.
std::string escaped_hostname() {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) < 0 || host[0] == '\0') return "localhost";
    std::string out;
    for (const char c : std::string_view(host)) {
        if (c == '/')
            out += "\\057";
        else if (c == ':')
            out += "\\072";
        else
            out += c;
    }
    return out;
}

// Makes `dir` (mode 0700) unless it is there; a non-directory is an error.
Status ensure_directory(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0700) == 0) return {};
    const int error = errno;
    if (error != EEXIST) return fail(Retry::Temporary, "create maildir directory " + dir, error);
    struct stat st {};
    if (::lstat(dir.c_str(), &st) < 0) return fail(Retry::Temporary, "lstat " + dir, errno);
    if (!S_ISDIR(st.st_mode)) return fail(Retry::Temporary, "maildir " + dir + " is not a directory");
    return {};
}

Status ensure_maildir(const std::string& dir) {
    for (const std::string& sub : {dir, dir + "/tmp", dir + "/new", dir + "/cur"})
        if (Status s = ensure_directory(sub); !s) return s;
    return {};
}

Fd open_directory(const std::string& path) {
    return Fd{::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
}

Status directory_error(const std::string& path, int error) {
    if (error == ELOOP || error == ENOTDIR) return fail(Retry::Temporary, "maildir " + path + " is not a directory");
    return fail(Retry::Temporary, "open maildir directory " + path, error);
}

// Opens DIR/tmp and DIR/new, never through a symlink; the folders are
// made only when one is missing, so a delivery into an existing Maildir
// costs two opens and no mkdir.
Status open_maildir(const std::string& dir, Fd& tmp, Fd& fresh) {
    const std::string tmp_path = dir + "/tmp";
    const std::string new_path = dir + "/new";
    tmp = open_directory(tmp_path);
    if (tmp) fresh = open_directory(new_path);
    if (!tmp || !fresh) {
        if (errno != ENOENT) return directory_error(tmp ? new_path : tmp_path, errno);
        if (Status s = ensure_maildir(dir); !s) return s;
        if (!tmp) tmp = open_directory(tmp_path);
        if (!tmp) return directory_error(tmp_path, errno);
        fresh = open_directory(new_path);
        if (!fresh) return directory_error(new_path, errno);
    }
    return {};
}

Status write_tmp_file(int tmp_dir, const std::string& unique, const std::string& tmp_path,
                      const MailboxMessage& message) {
    Fd fd{::openat(tmp_dir, unique.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
    if (!fd) return fail(Retry::Temporary, "create maildir file " + tmp_path, errno);
    Status s = copy_message(fd.get(), message, MailboxFormat::Maildir, tmp_path);
    if (s && ::fsync(fd.get()) < 0) s = fail(Retry::Temporary, "fsync maildir file " + tmp_path, errno);
    return s;
}

// Links tmp to new (rename where links are not supported), then drops tmp.
Status move_to_new(int tmp_dir, int new_dir, const std::string& unique, const std::string& new_path) {
    if (::linkat(tmp_dir, unique.c_str(), new_dir, unique.c_str(), 0) == 0) {
        (void)::unlinkat(tmp_dir, unique.c_str(), 0);
        return {};
    }
    const int error = errno;
    if (error != EPERM && error != ENOSYS && error != EOPNOTSUPP && error != EXDEV)
        return fail(Retry::Temporary, "link to " + new_path, error);
    if (::renameat(tmp_dir, unique.c_str(), new_dir, unique.c_str()) < 0)
        return fail(Retry::Temporary, "rename to " + new_path, errno);
    return {};
}

}  // namespace

std::string maildir_unique_name(const timeval& now) {
    static const std::string host = escaped_hostname();
    return std::to_string(now.tv_sec) + ".M" + std::to_string(now.tv_usec) + "P" + std::to_string(::getpid()) +
           "Q" + std::to_string(++unique_counter) + "." + host;
}

Result<std::string> deliver_maildir(const std::string& maildir, const MailboxMessage& message) {
    std::string dir = maildir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    Fd tmp_dir;
    Fd new_dir;
    if (Status s = open_maildir(dir, tmp_dir, new_dir); !s) return tl::unexpected(s.error());
    timeval now{};
    ::gettimeofday(&now, nullptr);
    const std::string unique = maildir_unique_name(now);
    const std::string tmp_path = dir + "/tmp/" + unique;
    const std::string new_path = dir + "/new/" + unique;
    if (Status s = write_tmp_file(tmp_dir.get(), unique, tmp_path, message); !s) {
        (void)::unlinkat(tmp_dir.get(), unique.c_str(), 0);
        return tl::unexpected(s.error());
    }
    if (Status s = move_to_new(tmp_dir.get(), new_dir.get(), unique, new_path); !s) {
        (void)::unlinkat(tmp_dir.get(), unique.c_str(), 0);
        return tl::unexpected(s.error());
    }
    return "new/" + unique;
}

}  // namespace tern
