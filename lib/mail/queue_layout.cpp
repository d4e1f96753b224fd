// lib/mail/queue_layout.cpp - check and create the queue folders (see queue_layout.h)
//
// Every folder is looked at with fstatat(AT_SYMLINK_NOFOLLOW) and changed
// only through a descriptor opened O_NOFOLLOW relative to the queue
// directory, so a link planted between the look and the change cannot
// point root's chown or chmod elsewhere.
#include "lib/mail/queue_layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "lib/base/account.h"
#include "lib/base/fd.h"

namespace tern {
namespace {

// Who should own what, resolved once; unused when not run as root.
struct Owners {
    bool as_root = false;
    std::string mail_owner_name;
    std::string setgid_group_name;
    uid_t mail_owner = 0;
    gid_t setgid_group = 0;
};

Result<Owners> resolve_owners(const QueueLayout& layout) {
    Owners owners;
    owners.as_root = ::geteuid() == 0;
    owners.mail_owner_name = layout.mail_owner;
    owners.setgid_group_name = layout.setgid_group;
    if (!owners.as_root) return owners;
    auto account = lookup_account(layout.mail_owner);
    if (!account) return fail(account.error().retry, "mail_owner: " + account.error().text, account.error().errno_value);
    if (account->uid == 0) return fail(Retry::Permanent, "mail_owner: must not be root: " + layout.mail_owner);
    auto group = lookup_group(layout.setgid_group);
    if (!group) return fail(group.error().retry, "setgid_group: " + group.error().text, group.error().errno_value);
    if (*group == 0) return fail(Retry::Permanent, "setgid_group: must not be root's group: " + layout.setgid_group);
    owners.mail_owner = account->uid;
    owners.setgid_group = *group;
    return owners;
}

std::string octal(mode_t mode) {
    char text[16];
    std::snprintf(text, sizeof text, "0%03o", static_cast<unsigned>(mode & 07777));
    return text;
}

uid_t wanted_uid(QueueDirOwner owner, const Owners& owners) {
    switch (owner) {
    case QueueDirOwner::Root: return 0;
    case QueueDirOwner::MailOwner: return owners.mail_owner;
    case QueueDirOwner::MailOwnerSetgidGroup: return owners.mail_owner;
    }
    return 0;
}

// -1: leave the group as created (Postfix's "-" group column).
gid_t wanted_gid(QueueDirOwner owner, const Owners& owners) {
    switch (owner) {
    case QueueDirOwner::Root: return 0;
    case QueueDirOwner::MailOwner: return static_cast<gid_t>(-1);
    case QueueDirOwner::MailOwnerSetgidGroup: return owners.setgid_group;
    }
    return static_cast<gid_t>(-1);
}

std::string owner_name(QueueDirOwner owner, const Owners& owners) {
    return owner == QueueDirOwner::Root ? std::string("root") : owners.mail_owner_name;
}

// Appends Postfix-style warnings for a folder that exists.
void judge(const struct stat& st, const std::string& path, QueueDirOwner owner, mode_t mode, const Owners& owners,
           std::vector<std::string>& warnings) {
    if (owners.as_root && st.st_uid != wanted_uid(owner, owners))
        warnings.push_back("not owned by " + owner_name(owner, owners) + ": " + path);
    if (owners.as_root && owner == QueueDirOwner::MailOwnerSetgidGroup && st.st_gid != owners.setgid_group)
        warnings.push_back("not owned by group " + owners.setgid_group_name + ": " + path);
    if (owner == QueueDirOwner::Root) {
        if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) warnings.push_back("group or other writable: " + path);
        return;
    }
    if ((st.st_mode & 07777) != mode)
        warnings.push_back("wrong mode " + octal(st.st_mode) + ", expected " + octal(mode) + ": " + path);
}

// Gives a folder we just made its owner, then its mode: the group bits
// only open up once the group is right.
Status set_owner_and_mode(int fd, const std::string& path, QueueDirOwner owner, mode_t mode, const Owners& owners) {
    if (owners.as_root && ::fchown(fd, wanted_uid(owner, owners), wanted_gid(owner, owners)) != 0)
        return fail(Retry::Permanent, "chown " + path, errno);
    if (::fchmod(fd, mode) != 0) return fail(Retry::Permanent, "chmod " + path, errno);
    return {};
}

// mkdir -p, parents mode 0755 (before umask), the last one root 0755.
Status make_queue_directory(const std::string& path, const Owners& owners) {
    for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
        const std::string prefix = path.substr(0, slash);
        if (::mkdir(prefix.c_str(), kQueueDirectoryMode) != 0 && errno != EEXIST)
            return fail(Retry::Permanent, "create queue directory " + prefix, errno);
        if (slash == std::string::npos) break;
    }
    Fd fd{::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (!fd) return fail(Retry::Permanent, "open queue directory " + path, errno);
    return set_owner_and_mode(fd.get(), path, QueueDirOwner::Root, kQueueDirectoryMode, owners);
}

Status create_subdir(int queue_fd, const std::string& path, const QueueDirSpec& spec, const Owners& owners) {
    if (::mkdirat(queue_fd, std::string(spec.name).c_str(), 0700) != 0)
        return fail(Retry::Permanent, "create " + path, errno);
    Fd fd{::openat(queue_fd, std::string(spec.name).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
    if (!fd) return fail(Retry::Permanent, "open " + path, errno);
    return set_owner_and_mode(fd.get(), path, spec.owner, spec.mode, owners);
}

Status check_subdir(int queue_fd, const std::string& queue_dir, const QueueDirSpec& spec, bool create_missing,
                    const Owners& owners, std::vector<std::string>& warnings) {
    const std::string path = queue_dir + "/" + std::string(spec.name);
    struct stat st {};
    if (::fstatat(queue_fd, std::string(spec.name).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) return fail(Retry::Permanent, "stat " + path, errno);
        if (!create_missing) return fail(Retry::Permanent, "missing queue directory: " + path);
        return create_subdir(queue_fd, path, spec, owners);
    }
    if (S_ISLNK(st.st_mode)) return fail(Retry::Permanent, "symbolic link in the queue, refused: " + path);
    if (!S_ISDIR(st.st_mode)) return fail(Retry::Permanent, "not a directory: " + path);
    judge(st, path, spec.owner, spec.mode, owners, warnings);
    return {};
}

Result<Fd> open_queue_directory(const std::string& queue_dir, bool create_missing, const Owners& owners) {
    if (queue_dir.empty() || queue_dir.front() != '/')
        return fail(Retry::Permanent, "queue_directory: not an absolute path: " + queue_dir);
    struct stat st {};
    if (::stat(queue_dir.c_str(), &st) != 0) {
        if (errno != ENOENT) return fail(Retry::Permanent, "stat " + queue_dir, errno);
        if (!create_missing) return fail(Retry::Permanent, "missing queue directory: " + queue_dir);
        if (auto made = make_queue_directory(queue_dir, owners); !made) return tl::unexpected(made.error());
    }
    Fd fd{::open(queue_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (!fd) return fail(Retry::Permanent, "open queue directory " + queue_dir, errno);
    return fd;
}

}  // namespace

Status check_queue_layout(const QueueLayout& layout, bool create_missing, std::vector<std::string>& warnings) {
    auto owners = resolve_owners(layout);
    if (!owners) return tl::unexpected(owners.error());
    std::string queue_dir = layout.queue_directory;
    while (queue_dir.size() > 1 && queue_dir.back() == '/') queue_dir.pop_back();
    auto queue_fd = open_queue_directory(queue_dir, create_missing, *owners);
    if (!queue_fd) return tl::unexpected(queue_fd.error());
    struct stat st {};
    if (::fstat(queue_fd->get(), &st) != 0) return fail(Retry::Permanent, "stat " + queue_dir, errno);
    judge(st, queue_dir, QueueDirOwner::Root, kQueueDirectoryMode, *owners, warnings);
    for (const QueueDirSpec& spec : kQueueDirs) {
        if (auto checked = check_subdir(queue_fd->get(), queue_dir, spec, create_missing, *owners, warnings); !checked)
            return checked;
    }
    return {};
}

}  // namespace tern
