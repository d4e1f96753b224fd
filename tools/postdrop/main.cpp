// postdrop - put one message into the maildrop queue (man/man1/postdrop.1)
//
// SYNOPSIS
//     postdrop [-rv] [-c config_dir] < queue-file-stream
// DESCRIPTION
//     Run by sendmail(1), installed setgid setgid_group. Reads one message
//     in the queue-file record format (lib/mail/queue_file.h, as sendmail
//     writes it with QueueFileWriter) from standard input into an anonymous
//     memory file, checks it with the queue-file reader under limits from
//     main.cf, and writes a fresh copy into queue_directory/maildrop/ with
//     the submitting uid added (drop.h), then wakes pickup through
//     public/pickup (when pickup does not run, the message waits for its
//     next scan). Prints nothing on success.
// SECURITY
//     Runs for a possibly hostile local user with the group's rights:
//       - works only with effective gid setgid_group (or as root);
//       - a non-root caller may pick a configuration (-c, MAIL_CONFIG) only
//         when that folder and its main.cf are owned by root and not
//         group or other writable, so a user cannot point postdrop at a
//         queue or limits of their choosing;
//       - maildrop must be a real directory (no symlink) owned by
//         mail_owner and group setgid_group, not writable by others;
//       - the input is bounded (message_size_limit plus kEnvelopeAllowance)
//         and parsed with the defensive reader before anything is written;
//       - the file is written through descriptors, never followed links.
// ERRORS
//     "postdrop: fatal: ..." on standard error and a <sysexits.h> code:
//     EX_USAGE, EX_NOPERM (wrong gid, untrusted config), EX_CONFIG
//     (main.cf, maildrop ownership), EX_DATAERR (bad or too large stream),
//     EX_TEMPFAIL (system errors, disk full), EX_IOERR (reading input).
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/config_trust.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/qmgr_trigger.h"
#include "tools/postdrop/drop.h"

namespace {

constexpr std::uint64_t kEnvelopeAllowance = 4 * 1024 * 1024;
constexpr std::uint64_t kUnlimitedMessage = std::uint64_t{4} << 30;
constexpr int kPickupTriggerTimeoutMs = 1000;

std::string parse_args(int argc, char** argv) {
    std::string dir;
    int c = 0;
    while ((c = ::getopt(argc, argv, "c:rv")) != -1) {
        switch (c) {
            case 'c': dir = optarg; break;
            case 'r': case 'v': break;
            default: tern::log_fatal_exit(EX_USAGE, "usage: postdrop [-rv] [-c config_dir]");
        }
    }
    if (optind != argc) tern::log_fatal_exit(EX_USAGE, "usage: postdrop [-rv] [-c config_dir]");
    if (dir.empty()) dir = tern::default_config_dir();
    return dir;
}

void check_group(const tern::Config& cfg) {
    const std::string group = cfg.get("setgid_group");
    const struct group* gr = ::getgrnam(group.c_str());
    if (gr == nullptr) tern::log_fatal_exit(EX_CONFIG, "setgid_group: unknown group: %s", group.c_str());
    if (::geteuid() == 0 || ::getegid() == gr->gr_gid) return;
    tern::log_fatal_exit(EX_NOPERM, "not running with effective group %s: install postdrop setgid %s (chgrp %s postdrop; chmod g+s postdrop)",
          group.c_str(), group.c_str(), group.c_str());
}

// The maildrop folder as an O_PATH descriptor, after its owner checks.
tern::Fd open_maildrop(const tern::Config& cfg) {
    const std::string queue = cfg.get("queue_directory");
    tern::Fd top{::open(queue.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
    if (!top) tern::log_fatal_exit(EX_TEMPFAIL, "open %s: %s", queue.c_str(), std::strerror(errno));
    tern::Fd dir{::openat(top.get(), "maildrop", O_PATH | O_NOFOLLOW | O_CLOEXEC)};
    if (!dir) tern::log_fatal_exit(EX_TEMPFAIL, "open %s/maildrop: %s", queue.c_str(), std::strerror(errno));
    struct stat st {};
    if (::fstat(dir.get(), &st) != 0) tern::log_fatal_exit(EX_TEMPFAIL, "fstat %s/maildrop: %s", queue.c_str(), std::strerror(errno));
    const std::string owner = cfg.get("mail_owner");
    const std::string group = cfg.get("setgid_group");
    const passwd* pw = ::getpwnam(owner.c_str());
    const struct group* gr = ::getgrnam(group.c_str());
    if (pw == nullptr) tern::log_fatal_exit(EX_CONFIG, "mail_owner: unknown user: %s", owner.c_str());
    if (gr == nullptr) tern::log_fatal_exit(EX_CONFIG, "setgid_group: unknown group: %s", group.c_str());
    if (!S_ISDIR(st.st_mode) || st.st_uid != pw->pw_uid || st.st_gid != gr->gr_gid || (st.st_mode & 002) != 0)
        tern::log_fatal_exit(EX_CONFIG, "%s/maildrop: not a directory owned by %s:%s and closed to others", queue.c_str(),
              owner.c_str(), group.c_str());
    return dir;
}

// Standard input, whole, into an anonymous file of at most max_bytes.
tern::Fd read_input(std::uint64_t max_bytes) {
    tern::Fd fd{::memfd_create("postdrop", MFD_CLOEXEC)};
    if (!fd) tern::log_fatal_exit(EX_TEMPFAIL, "memfd_create: %s", std::strerror(errno));
    std::uint64_t total = 0;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) tern::log_fatal_exit(EX_IOERR, "read standard input: %s", std::strerror(errno));
        if (n == 0) return fd;
        total += static_cast<std::uint64_t>(n);
        if (total > max_bytes) tern::log_fatal_exit(EX_DATAERR, "message is too large (more than %llu bytes)",
                                     static_cast<unsigned long long>(max_bytes));
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(fd.get(), buffer + done, static_cast<std::size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) tern::log_fatal_exit(EX_TEMPFAIL, "write memory file: %s", std::strerror(errno));
            done += w;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    ::umask(077);
    tern::log_open("tern/postdrop", "postdrop");
    ::signal(SIGXFSZ, SIG_IGN);  // RLIMIT_FSIZE: a write error, not a kill
    const std::string dir = parse_args(argc, argv);
    if (tern::Status trusted = tern::check_config_trust(dir); !trusted)
        tern::log_fatal_exit(EX_NOPERM, "%s", trusted.error().text.c_str());
    tern::Result<tern::Config> cfg = tern::Config::load(dir);
    if (!cfg) tern::log_fatal_exit(EX_CONFIG, "%s", cfg.error().describe().c_str());
    check_group(*cfg);
    const tern::Fd maildrop = open_maildrop(*cfg);
    tern::Result<long long> limit = cfg->bytes("message_size_limit");
    if (!limit) tern::log_fatal_exit(EX_CONFIG, "%s", limit.error().describe().c_str());
    const std::uint64_t max_message = *limit > 0 ? static_cast<std::uint64_t>(*limit) : kUnlimitedMessage;
    const tern::Fd input = read_input(max_message + kEnvelopeAllowance);
    tern::QueueFileLimits limits;
    limits.max_file_bytes = max_message + kEnvelopeAllowance;
    tern::Result<tern::QueueFile> file = tern::read_queue_file(input.get(), "standard input", limits);
    if (!file)
        tern::log_fatal_exit(file.error().temporary() ? EX_TEMPFAIL : EX_DATAERR, "bad message stream: %s",
              file.error().describe().c_str());
    if (file->content_size > max_message)
        tern::log_fatal_exit(EX_DATAERR, "message content is larger than message_size_limit (%llu bytes)",
              static_cast<unsigned long long>(max_message));
    tern::Result<std::string> id = postdrop::drop_message(maildrop.get(), input.get(), *file, ::getuid());
    if (!id) tern::log_fatal_exit(id.error().temporary() ? EX_TEMPFAIL : EX_DATAERR, "%s", id.error().describe().c_str());
    // Wake pickup now rather than at its next wakeup; when it does not run,
    // the message waits in maildrop/ for it, so a failure is no error.
    (void)tern::send_trigger(cfg->get("queue_directory") + "/" + std::string(tern::kPickupSocketPath),
                             tern::kPickupWakeupRequest, kPickupTriggerTimeoutMs);
    return EX_OK;
}
