// tools/sendmail/submit.cpp - queue-file stream and postdrop (contract in submit.h)
#include "tools/sendmail/submit.h"

#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "lib/base/text.h"
#include "lib/mail/queue_file_writer.h"

namespace sendmail {

namespace {

tern::Status write_envelope(tern::QueueFileWriter& writer, const Submission& s) {
    timeval now{};
    ::gettimeofday(&now, nullptr);
    if (auto r = writer.add_arrival(now); !r) return r;
    if (auto r = writer.add_sender(s.sender); !r) return r;
    if (!s.envid.empty())
        if (auto r = writer.add_envid(s.envid); !r) return r;
    if (s.ret != tern::DsnRet::None)
        if (auto r = writer.add_ret(s.ret); !r) return r;
    if (auto r = writer.add_attribute("rewrite_context", "local"); !r) return r;
    if (auto r = writer.add_attribute("submit_user", s.user); !r) return r;
    if (s.full_name)
        if (auto r = writer.add_attribute("full_name", *s.full_name); !r) return r;
    if (!s.body_type.empty())
        if (auto r = writer.add_attribute("body_type", s.body_type); !r) return r;
    for (const SubmitRecipient& rcpt : s.recipients)
        if (!writer.add_recipient({.address = rcpt.address, .orcpt = rcpt.orcpt, .notify = rcpt.notify}))
            return tern::fail(tern::Retry::Permanent, "bad recipient address: " + tern::printable(rcpt.address, 200));
    return {};
}

}  // namespace

Submission submission_defaults(const Options& options, const std::string& user) {
    Submission s{.sender = options.sender.value_or(user),
                 .user = user,
                 .full_name = options.full_name,
                 .body_type = options.body_type,
                 .envid = options.envid,
                 .ret = options.ret,
                 .recipients = {}};
    for (const std::string& r : options.recipients)
        s.recipients.push_back({.address = r, .orcpt = {}, .notify = options.notify});
    return s;
}

tern::Result<tern::Fd> build_queue_file(const Submission& submission, std::string_view content) {
    tern::Fd fd{::memfd_create("sendmail", MFD_CLOEXEC)};
    if (!fd) return tern::fail(tern::Retry::Temporary, "memfd_create", errno);
    const int raw = fd.get();
    tern::QueueFileWriter writer(std::move(fd), "queue file");
    if (auto r = write_envelope(writer, submission); !r) return tl::unexpected(r.error());
    if (auto r = writer.add_content(content); !r) return tl::unexpected(r.error());
    if (auto r = writer.finish(); !r) return tl::unexpected(r.error());
    tern::Fd out = writer.release_fd();
    if (::lseek(raw, 0, SEEK_SET) != 0) return tern::fail(tern::Retry::Temporary, "lseek", errno);
    return out;
}

int run_postdrop(const tern::Config& cfg, const tern::Fd& file, std::string& problem) {
    const std::string path = cfg.get("command_directory") + "/postdrop";
    if (::access(path.c_str(), X_OK) != 0) {
        problem = path + " is not available (" + std::strerror(errno) + ")";
        return EX_UNAVAILABLE;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        problem = std::string("fork: ") + std::strerror(errno);
        return EX_OSERR;
    }
    if (pid == 0) {
        if (::dup2(file.get(), STDIN_FILENO) < 0) ::_exit(EX_OSERR);
        std::string dir = cfg.config_dir();
        char name[] = "postdrop";
        char flag[] = "-c";
        char* argv[] = {name, flag, dir.data(), nullptr};
        ::execv(path.c_str(), argv);
        std::fprintf(stderr, "sendmail: fatal: execute %s: %s\n", path.c_str(), std::strerror(errno));
        ::_exit(EX_OSERR);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno == EINTR) continue;
        problem = std::string("waitpid: ") + std::strerror(errno);
        return EX_OSERR;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    problem = "postdrop was killed by signal " + std::to_string(WTERMSIG(status));
    return EX_TEMPFAIL;
}

}  // namespace sendmail
