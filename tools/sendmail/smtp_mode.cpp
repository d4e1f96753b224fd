// tools/sendmail/smtp_mode.cpp - sendmail -bs (contract in smtp_mode.h)
#include "tools/sendmail/smtp_mode.h"

#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <vector>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/base/unix_socket.h"
#include "tools/sendmail/smtp_session.h"
#include "tools/sendmail/submit.h"

namespace sendmail {

namespace {

constexpr std::size_t kReadBytes = 64 * 1024;
constexpr std::string_view kReplyQueued = "250 2.0.0 Ok: queued";
constexpr std::string_view kReplyWriteError = "451 4.3.0 Error: queue file write error";

long long setting(const tern::Config& cfg, std::string_view name, bool bytes) {
    tern::Result<long long> value = bytes ? cfg.bytes(name) : cfg.integer(name);
    if (!value) tern::log_fatal_exit(EX_CONFIG, "%s", value.error().describe().c_str());
    return *value;
}

SessionSettings settings_from(const tern::Config& cfg) {
    SessionSettings s;
    s.hostname = cfg.get("myhostname");
    s.banner = cfg.get("smtpd_banner");
    s.max_message_bytes = static_cast<std::uint64_t>(std::max(0LL, setting(cfg, "message_size_limit", true)));
    s.max_line_bytes = static_cast<std::size_t>(std::max(1LL, setting(cfg, "line_length_limit", false)));
    s.max_recipients = static_cast<std::size_t>(std::max(1LL, setting(cfg, "smtpd_recipient_limit", false)));
    return s;
}

tern::DsnRet ret_from(std::string_view text, tern::DsnRet fallback) noexcept {
    if (text == "FULL") return tern::DsnRet::Full;
    if (text == "HDRS") return tern::DsnRet::Headers;
    return fallback;
}

Submission submission_from(const Options& o, const std::string& user, const SmtpEnvelope& env) {
    Submission s = submission_defaults(o, user);
    s.sender = env.sender;
    if (!env.envid.empty()) s.envid = env.envid;
    s.ret = ret_from(env.ret, o.ret);
    if (!env.body_type.empty()) s.body_type = env.body_type;
    s.recipients.clear();
    for (const SmtpRecipient& r : env.recipients)
        s.recipients.push_back({.address = r.address, .orcpt = r.orcpt, .notify = r.notify != 0 ? r.notify : o.notify});
    return s;
}

std::string queue_message(const Options& o, const tern::Config& cfg, const std::string& user, const SmtpEnvelope& env,
                          std::string_view content) {
    tern::Result<tern::Fd> file = build_queue_file(submission_from(o, user, env), content);
    if (!file) {
        tern::log_warning("%s", file.error().describe().c_str());
        if (file.error().temporary()) return std::string(kReplyWriteError);
        return "554 5.5.0 Error: " + tern::printable(file.error().text, 200);
    }
    std::string problem;
    const int status = run_postdrop(cfg, *file, problem);
    if (status == 0) return std::string(kReplyQueued);
    tern::log_warning("postdrop failed with status %d%s%s", status, problem.empty() ? "" : ": ", problem.c_str());
    return std::string(kReplyWriteError);
}

void put(std::string_view replies) {
    if (replies.empty()) return;
    if (tern::Status s = tern::write_all(STDOUT_FILENO, replies, -1); !s)
        tern::log_fatal_exit(EX_IOERR, "write standard output: %s", s.error().describe().c_str());
}

}  // namespace

int run_smtp_mode(const Options& options, const tern::Config& cfg, const std::string& user) {
    std::signal(SIGPIPE, SIG_IGN);  // a closed output is a write error, not a silent death
    SmtpSession session(settings_from(cfg), [&](const SmtpEnvelope& env, std::string_view content) {
        return queue_message(options, cfg, user, env, content);
    });
    put(session.greeting());
    std::vector<char> buffer(kReadBytes);
    while (!session.finished()) {
        const ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) tern::log_fatal_exit(EX_IOERR, "read standard input: %s", std::strerror(errno));
        if (n == 0) {
            put(session.end_of_input());
            break;
        }
        put(session.feed({buffer.data(), static_cast<std::size_t>(n)}));
    }
    return 0;
}

}  // namespace sendmail
