// sendmail - the Sendmail-compatible submission command (man/man1/sendmail.1)
//
// SYNOPSIS
//     sendmail [-t] [-i] [-f sender] [-F fullname] [options] [recipient ...] < message
//     mailq        (= sendmail -bp = postqueue -p)
//     newaliases   (= sendmail -bi = postalias alias_database)
// DESCRIPTION
//     Reads a message on standard input (content.h: stored as CRLF lines),
//     builds a queue file in an anonymous memory file and runs
//     command_directory/postdrop -c CONFIG_DIR with that file as its
//     standard input (submit.h); postdrop checks it and puts it into
//     maildrop/. The
//     envelope: arrival time, sender (-f/-r, else the login name of the
//     real uid), recipients (arguments, plus headers with -t), DSN ENVID
//     (-V), RET (-R), NOTIFY (-N, every recipient) and the attributes
//     rewrite_context=local, submit_user=LOGIN, full_name (-F) and
//     body_type (-B). Works while the daemons are down: pickup takes the
//     file from maildrop/ later.
//     -bp, -bi and -q run postqueue -p, postalias and postqueue -f from
//     command_directory; -bs holds an SMTP conversation on standard input
//     and output and queues each message the same way (smtp_mode.h); -bd
//     is not supported (master runs smtpd).
// ERRORS
//     Exit codes from <sysexits.h>: EX_USAGE (bad flags, no recipients),
//     EX_DATAERR (message too large, bad address), EX_CONFIG (main.cf),
//     EX_UNAVAILABLE (a needed program is missing), EX_OSERR/EX_TEMPFAIL
//     (system errors); postdrop's own exit code is passed on.
//     Messages go to standard error as "sendmail: fatal: ...".
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "lib/base/exec.h"
#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/config.h"
#include "tools/sendmail/content.h"
#include "tools/sendmail/options.h"
#include "tools/sendmail/recipients.h"
#include "tools/sendmail/smtp_mode.h"
#include "tools/sendmail/submit.h"

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
    const tern::Error failed = tern::exec_program(path, std::move(args));
    tern::log_fatal_exit(EX_OSERR, "%s", failed.describe().c_str());
}

std::string login_name() {
    errno = 0;
    const passwd* pw = ::getpwuid(::getuid());
    if (pw == nullptr) tern::log_fatal_exit(EX_NOUSER, "no login name found for user ID %lu", static_cast<unsigned long>(::getuid()));
    return pw->pw_name;
}

void run_mode(const sendmail::Options& o, const tern::Config& cfg) {
    switch (o.mode) {
        case sendmail::Mode::Deliver: return;
        case sendmail::Mode::Smtp: std::exit(sendmail::run_smtp_mode(o, cfg, login_name()));
        case sendmail::Mode::Daemon: tern::log_fatal_exit(EX_UNAVAILABLE, "-bd: not supported; use \"tern start\"");
        case sendmail::Mode::ListQueue: exec_tool(cfg, "-bp", "postqueue", {"-p"});
        case sendmail::Mode::Flush: exec_tool(cfg, "-q", "postqueue", {"-f"});
        case sendmail::Mode::Aliases: {
            std::vector<std::string> maps = cfg.list("alias_database");
            exec_tool(cfg, "-bi", "postalias", std::move(maps));
        }
    }
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

// Runs postdrop; its exit status, or a fatal exit when it could not run.
int submit(const tern::Config& cfg, const sendmail::Submission& submission, std::string_view content) {
    tern::Result<tern::Fd> file = sendmail::build_queue_file(submission, content);
    if (!file) check(tl::unexpected(file.error()));
    std::string problem;
    const int status = sendmail::run_postdrop(cfg, *file, problem);
    if (!problem.empty()) tern::log_fatal_exit(status, "%s", problem.c_str());
    return status;
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
    sendmail::Submission submission = sendmail::submission_defaults(*options, login_name());
    std::string content = read_message(options->dot_ends_input, max);
    if (options->extract_recipients) {
        sendmail::HeaderRecipients h = sendmail::extract_recipients(content);
        for (std::string& r : h.recipients)
            submission.recipients.push_back({.address = std::move(r), .orcpt = {}, .notify = options->notify});
        content = std::move(h.content);
        if (submission.recipients.empty()) tern::log_fatal_exit(EX_DATAERR, "no recipients found in message headers");
    }
    return submit(*cfg, submission, content);
}
