// sendmail - the Sendmail-compatible submission command (man/man1/sendmail.1)
//
// SYNOPSIS
//     sendmail [-t] [-i] [-f sender] [-F fullname] [options] [recipient ...] < message
//     mailq        (= sendmail -bp = postqueue -p)
//     newaliases   (= sendmail -bi = postalias alias_database)
// DESCRIPTION
//     Reads a message on standard input (content.h: stored as CRLF lines),
//     builds a queue file with QueueFileWriter in an anonymous memory file
//     (the writer needs pwrite, so it cannot write to a pipe) and runs
//     command_directory/postdrop -c CONFIG_DIR with that file as its
//     standard input; postdrop checks it and puts it into maildrop/. The
//     envelope: arrival time, sender (-f/-r, else the login name of the
//     real uid), recipients (arguments, plus headers with -t), DSN ENVID
//     (-V), RET (-R), NOTIFY (-N, every recipient) and the attributes
//     rewrite_context=local, submit_user=LOGIN, full_name (-F) and
//     body_type (-B). Works while the daemons are down: pickup takes the
//     file from maildrop/ later.
//     -bp, -bi and -q run postqueue -p, postalias and postqueue -f from
//     command_directory; -bs and -bd need smtpd and are not available yet.
// ERRORS
//     Exit codes from <sysexits.h>: EX_USAGE (bad flags, no recipients),
//     EX_DATAERR (message too large, bad address), EX_CONFIG (main.cf),
//     EX_UNAVAILABLE (a needed program is missing), EX_OSERR/EX_TEMPFAIL
//     (system errors); postdrop's own exit code is passed on.
//     Messages go to standard error as "sendmail: fatal: ...".
#include <fcntl.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/config.h"
#include "lib/mail/queue_file_writer.h"
#include "tools/sendmail/content.h"
#include "tools/sendmail/options.h"
#include "tools/sendmail/recipients.h"

namespace {

// -C names main.cf or its folder (Postfix takes either); else MAIL_CONFIG or the default.
std::string config_dir(const sendmail::Options& o) {
    if (o.config_path.empty()) return tern::default_config_dir();
    struct stat st {};
    if (::stat(o.config_path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return o.config_path;
    const std::size_t slash = o.config_path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : o.config_path.substr(0, slash);
}

[[noreturn]] void exec_tool(const tern::Config& cfg, std::string_view flag, const std::string& name,
                            std::vector<std::string> args) {
    const std::string path = cfg.get("command_directory") + "/" + name;
    if (::access(path.c_str(), X_OK) != 0)
        tern::log_fatal_exit(EX_UNAVAILABLE, "%.*s: %s is not available (%s)", static_cast<int>(flag.size()), flag.data(),
              path.c_str(), std::strerror(errno));
    args.insert(args.begin(), {name, "-c", cfg.config_dir()});
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(path.c_str(), argv.data());
    tern::log_fatal_exit(EX_OSERR, "execute %s: %s", path.c_str(), std::strerror(errno));
}

void run_mode(const sendmail::Options& o, const tern::Config& cfg) {
    switch (o.mode) {
        case sendmail::Mode::Deliver: return;
        case sendmail::Mode::Smtp: tern::log_fatal_exit(EX_UNAVAILABLE, "-bs: not available until smtpd exists");
        case sendmail::Mode::Daemon: tern::log_fatal_exit(EX_UNAVAILABLE, "-bd: not supported; use \"tern start\"");
        case sendmail::Mode::ListQueue: exec_tool(cfg, "-bp", "postqueue", {"-p"});
        case sendmail::Mode::Flush: exec_tool(cfg, "-q", "postqueue", {"-f"});
        case sendmail::Mode::Aliases: {
            std::vector<std::string> maps = cfg.list("alias_database");
            exec_tool(cfg, "-bi", "postalias", std::move(maps));
        }
    }
}

std::string login_name() {
    errno = 0;
    const passwd* pw = ::getpwuid(::getuid());
    if (pw == nullptr) tern::log_fatal_exit(EX_NOUSER, "no login name found for user ID %lu", static_cast<unsigned long>(::getuid()));
    return pw->pw_name;
}

std::string read_message(bool dot_ends, std::size_t limit) {
    sendmail::ContentBuilder builder(dot_ends, limit);
    char buffer[65536];
    while (!builder.done()) {
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) tern::log_fatal_exit(EX_IOERR, "read standard input: %s", std::strerror(errno));
        if (n == 0) break;
        if (!builder.feed({buffer, static_cast<std::size_t>(n)}))
            tern::log_fatal_exit(EX_DATAERR, "message is larger than message_size_limit (%zu bytes)", limit);
    }
    if (!builder.finish()) tern::log_fatal_exit(EX_DATAERR, "message is larger than message_size_limit (%zu bytes)", limit);
    return builder.take();
}

void check(const tern::Status& s) {
    if (s) return;
    tern::log_fatal_exit(s.error().temporary() ? EX_TEMPFAIL : EX_DATAERR, "%s", s.error().describe().c_str());
}

struct Envelope {
    std::string sender;
    std::string user;
    std::vector<std::string> recipients;
};

tern::Fd build_queue_file(const sendmail::Options& o, const Envelope& env, std::string_view content) {
    tern::Fd fd{::memfd_create("sendmail", MFD_CLOEXEC)};
    if (!fd) tern::log_fatal_exit(EX_OSERR, "memfd_create: %s", std::strerror(errno));
    const int raw = fd.get();
    tern::QueueFileWriter writer(std::move(fd), "queue file");
    timeval now{};
    ::gettimeofday(&now, nullptr);
    check(writer.add_arrival(now));
    check(writer.add_sender(env.sender));
    if (!o.envid.empty()) check(writer.add_envid(o.envid));
    if (o.ret != tern::DsnRet::None) check(writer.add_ret(o.ret));
    check(writer.add_attribute("rewrite_context", "local"));
    check(writer.add_attribute("submit_user", env.user));
    if (o.full_name) check(writer.add_attribute("full_name", *o.full_name));
    if (!o.body_type.empty()) check(writer.add_attribute("body_type", o.body_type));
    for (const std::string& r : env.recipients) {
        const tern::Status s = writer.add_recipient({.address = r, .notify = o.notify});
        if (!s) tern::log_fatal_exit(EX_DATAERR, "bad recipient address: %s", tern::printable(r, 200).c_str());
    }
    check(writer.add_content(content));
    check(writer.finish());
    tern::Fd out = writer.release_fd();
    if (::lseek(raw, 0, SEEK_SET) != 0) tern::log_fatal_exit(EX_OSERR, "lseek: %s", std::strerror(errno));
    return out;
}

// Runs postdrop with `file` as standard input; returns its exit status.
int run_postdrop(const tern::Config& cfg, const tern::Fd& file) {
    const std::string path = cfg.get("command_directory") + "/postdrop";
    if (::access(path.c_str(), X_OK) != 0)
        tern::log_fatal_exit(EX_UNAVAILABLE, "%s is not available (%s)", path.c_str(), std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) tern::log_fatal_exit(EX_OSERR, "fork: %s", std::strerror(errno));
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
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) tern::log_fatal_exit(EX_OSERR, "waitpid: %s", std::strerror(errno));
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    tern::log_fatal_exit(EX_TEMPFAIL, "postdrop was killed by signal %d", WTERMSIG(status));
}

}  // namespace

int main(int argc, char** argv) {
    tern::log_open("tern/sendmail", "sendmail");
    const std::vector<std::string> args(argv, argv + argc);
    tern::Result<sendmail::Options> options = sendmail::parse_options(args);
    if (!options) {
        std::fprintf(stderr, "sendmail: %s\n", options.error().text.c_str());
        return EX_USAGE;
    }
    const std::string dir = config_dir(*options);
    ::setenv("MAIL_CONFIG", dir.c_str(), 1);
    tern::Result<tern::Config> cfg = tern::Config::load(dir);
    if (!cfg) tern::log_fatal_exit(EX_CONFIG, "%s", cfg.error().describe().c_str());
    run_mode(*options, *cfg);
    if (!options->extract_recipients && options->recipients.empty()) tern::log_fatal_exit(EX_USAGE, "no recipients specified");
    tern::Result<long long> limit = cfg->bytes("message_size_limit");
    if (!limit) tern::log_fatal_exit(EX_CONFIG, "%s", limit.error().describe().c_str());
    const std::size_t max = *limit > 0 ? static_cast<std::size_t>(*limit) : static_cast<std::size_t>(4) << 30;
    const std::string user = login_name();
    Envelope env{.sender = options->sender.value_or(user), .user = user, .recipients = options->recipients};
    std::string content = read_message(options->dot_ends_input, max);
    if (options->extract_recipients) {
        sendmail::HeaderRecipients h = sendmail::extract_recipients(content);
        for (std::string& r : h.recipients) env.recipients.push_back(std::move(r));
        content = std::move(h.content);
        if (env.recipients.empty()) tern::log_fatal_exit(EX_DATAERR, "no recipients found in message headers");
    }
    const tern::Fd file = build_queue_file(*options, env, content);
    return run_postdrop(*cfg, file);
}
