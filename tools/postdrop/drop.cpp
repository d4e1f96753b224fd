// tools/postdrop/drop.cpp - write one queue file into maildrop/ (see drop.h)
#include "tools/postdrop/drop.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "lib/base/fd.h"
#include "lib/mail/queue_file_writer.h"
#include "lib/mail/queue_id.h"

namespace postdrop {
namespace {

constexpr int kRenameAttempts = 20;
constexpr int kCreateAttempts = 10;

// Blocks the terminating signals for its lifetime.
class SignalBlock {
public:
    SignalBlock() {
        sigset_t set;
        sigemptyset(&set);
        for (const int s : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP}) sigaddset(&set, s);
        ::signal(SIGXFSZ, SIG_IGN);
        ::sigprocmask(SIG_BLOCK, &set, &old_);
    }
    ~SignalBlock() { ::sigprocmask(SIG_SETMASK, &old_, nullptr); }
    SignalBlock(const SignalBlock&) = delete;
    SignalBlock& operator=(const SignalBlock&) = delete;

private:
    sigset_t old_{};
};

// Removes the temporary name unless committed.
class TempName {
public:
    TempName(int dir_fd, std::string name) : dir_fd_(dir_fd), name_(std::move(name)) {}
    ~TempName() {
        if (!committed_) ::unlinkat(dir_fd_, name_.c_str(), 0);
    }
    TempName(const TempName&) = delete;
    TempName& operator=(const TempName&) = delete;
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    void commit() noexcept { committed_ = true; }

private:
    int dir_fd_;
    std::string name_;
    bool committed_ = false;
};

tern::Status copy_content(tern::QueueFileWriter& writer, int input_fd, const tern::QueueFile& file) {
    tern::ContentReader reader(input_fd, file, "standard input");
    std::array<char, 65536> buffer{};
    for (;;) {
        tern::Result<std::size_t> n = reader.read(buffer);
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) return {};
        if (tern::Status s = writer.add_content({buffer.data(), *n}); !s) return s;
    }
}

tern::Status write_envelope(tern::QueueFileWriter& w, const tern::QueueFile& file, uid_t uid) {
    timeval now{};
    ::gettimeofday(&now, nullptr);
    tern::Status s = w.add_arrival(now);
    if (s) s = w.add_sender(file.sender);
    if (s && !file.envid.empty()) s = w.add_envid(file.envid);
    if (s && file.ret != tern::DsnRet::None) s = w.add_ret(file.ret);
    for (const tern::QueueAttribute& a : file.attributes)
        if (s && a.name != kSubmitUidAttribute) s = w.add_attribute(a.name, a.value);
    if (s) s = w.add_attribute(kSubmitUidAttribute, std::to_string(uid));
    for (const tern::QueueRecipient& r : file.recipients)
        if (s) s = w.add_recipient({.address = r.address, .orcpt = r.orcpt, .notify = r.notify});
    return s;
}

tl::unexpected<tern::Error> fail_errno(const std::string& what) {
    return tern::fail(tern::Retry::Temporary, what, errno);
}

// Renames the finished file to its queue ID; returns the ID.
tern::Result<std::string> rename_to_id(int dir_fd, int file_fd, TempName& temp) {
    struct stat st {};
    if (::fstat(file_fd, &st) != 0) return fail_errno("maildrop/" + temp.name() + ": fstat");
    for (int attempt = 0; attempt < kRenameAttempts; ++attempt) {
        timeval now{};
        ::gettimeofday(&now, nullptr);
        const tern::QueueId id = tern::QueueId::make(now, st.st_ino);
        if (::renameat2(dir_fd, temp.name().c_str(), dir_fd, id.c_str(), RENAME_NOREPLACE) == 0) {
            temp.commit();
            return id.str();
        }
        if (errno != EEXIST) return fail_errno("rename maildrop/" + temp.name() + " to " + id.str());
    }
    return tern::fail(tern::Retry::Temporary, "maildrop/" + temp.name() + ": no free queue ID");
}

// Makes the new directory entry durable.
tern::Status sync_folder(int dir_fd, int file_fd) {
    tern::Fd dir{::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (dir) {
        if (::fsync(dir.get()) != 0) return fail_errno("fsync maildrop");
        return {};
    }
    if (::syncfs(file_fd) != 0) return fail_errno("syncfs maildrop");
    return {};
}

// Creates a fresh temporary file; a name that exists (a stale file, a
// planted link) is skipped, never opened or removed.
tern::Result<tern::Fd> create_temp(int dir_fd, std::string& name) {
    for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
        name = "tmp." + std::to_string(::getpid()) + "." + std::to_string(attempt);
        tern::Fd fd{::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)};
        if (fd) return fd;
        if (errno != EEXIST) break;
    }
    return fail_errno("create maildrop/" + name);
}

}  // namespace

tern::Result<std::string> drop_message(int dir_fd, int input_fd, const tern::QueueFile& file, uid_t uid) {
    const SignalBlock blocked;
    std::string name;
    tern::Result<tern::Fd> fd = create_temp(dir_fd, name);
    if (!fd) return tl::unexpected(fd.error());
    TempName temp(dir_fd, name);
    const int raw = fd->get();
    tern::QueueFileWriter writer(std::move(*fd), "maildrop/" + temp.name());
    tern::Status s = write_envelope(writer, file, uid);
    if (s) s = copy_content(writer, input_fd, file);
    if (s) s = writer.finish();
    if (!s) return tl::unexpected(s.error());
    const tern::Fd out = writer.release_fd();
    if (::fsync(raw) != 0) return fail_errno("fsync maildrop/" + temp.name());
    if (::fchmod(raw, 0644) != 0) return fail_errno("chmod maildrop/" + temp.name());
    tern::Result<std::string> id = rename_to_id(dir_fd, raw, temp);
    if (!id) return id;
    if (tern::Status synced = sync_folder(dir_fd, raw); !synced) return tl::unexpected(synced.error());
    return id;
}

}  // namespace postdrop
