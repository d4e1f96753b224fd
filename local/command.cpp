// local/command.cpp - run "|command" deliveries (see command.h)
#include "local/command.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <span>

#include "lib/base/fd.h"
#include "lib/base/text.h"
#include "lib/base/unix_socket.h"

namespace local {

namespace {

constexpr std::array<SysexitsEntry, 15> kSysexits{{
    {EX_USAGE, "5.3.0", "command line usage error"},
    {EX_DATAERR, "5.6.0", "data format error"},
    {EX_NOINPUT, "5.3.0", "cannot open input"},
    {EX_NOUSER, "5.1.1", "user unknown"},
    {EX_NOHOST, "5.1.2", "host name unknown"},
    {EX_UNAVAILABLE, "5.3.0", "service unavailable"},
    {EX_SOFTWARE, "5.3.0", "internal software error"},
    {EX_OSERR, "4.3.0", "system resource problem"},
    {EX_OSFILE, "5.3.0", "critical OS file missing"},
    {EX_CANTCREAT, "5.2.0", "can't create user output file"},
    {EX_IOERR, "5.3.0", "input/output error"},
    {EX_TEMPFAIL, "4.3.0", "temporary failure"},
    {EX_PROTOCOL, "5.5.0", "remote error in protocol"},
    {EX_NOPERM, "5.7.0", "permission denied"},
    {EX_CONFIG, "5.3.5", "local configuration error"},
}};

long long now_ms() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Postfix turns tabs and new lines into spaces and other unprintable
// bytes into '_' before the output goes into a bounce reason.
std::string clean_output(std::string_view output) {
    std::string out;
    for (const char c : output) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\t' || c == '\n' || c == '\r') out += ' ';
        else if (u < 0x20 || u >= 0x7f) out += '_';
        else out += c;
    }
    return std::string(tern::trim(out));
}

[[noreturn]] void exec_child(const CommandSpec& spec, int in_fd, int out_fd) {
    ::setpgid(0, 0);  // a group of its own, so a time-out kills its offspring too
    ::signal(SIGPIPE, SIG_DFL);
    if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(out_fd, 2) < 0) ::_exit(EX_OSERR);
    const gid_t groups[1] = {spec.gid};
    if (::setgroups(1, groups) < 0 || ::setgid(spec.gid) < 0 || ::setuid(spec.uid) < 0) ::_exit(EX_OSERR);
    if (spec.uid != 0 && ::setuid(0) == 0) ::_exit(EX_OSERR);  // root must be gone for good
    if (spec.cwd.empty() || ::chdir(spec.cwd.c_str()) < 0) {
        if (::chdir("/") < 0) ::_exit(EX_OSERR);
    }
    std::vector<char*> env;
    for (const std::string& e : spec.environment) env.push_back(const_cast<char*>(e.c_str()));
    env.push_back(nullptr);
    const char* argv[] = {spec.shell.c_str(), "-c", spec.command.c_str(), nullptr};
    ::execve(spec.shell.c_str(), const_cast<char* const*>(argv), env.data());
    ::_exit(EX_OSERR);
}

// Feeds stdin and drains the output until the child closes its output
// and stdin is done, or the deadline passes. Returns false on time-out.
class Plumbing {
public:
    Plumbing(tern::Fd to_child, tern::Fd from_child, std::string_view prefix, tern::ContentReader& content)
        : to_child_(std::move(to_child)), from_child_(std::move(from_child)), content_(content) {
        pending_.assign(prefix);
    }
    bool run(long long deadline_ms, std::string& output);

private:
    void refill();
    void append_lf_lines(std::string_view input);
    void write_some();
    void read_some(std::string& output);

    tern::Fd to_child_;
    tern::Fd from_child_;
    tern::ContentReader& content_;
    bool held_cr_ = false;  // a CR at the end of the last read
    bool ends_line_ = true;
    std::string pending_;
    std::size_t sent_ = 0;
    bool content_done_ = false;
};

void Plumbing::refill() {
    if (sent_ < pending_.size() || content_done_) return;
    pending_.clear();
    sent_ = 0;
    std::array<char, 16384> buffer{};
    tern::Result<std::size_t> n = content_.read(std::span<char>(buffer));
    if (!n || *n == 0) {
        if (held_cr_) pending_ += '\r';
        if (held_cr_ || !ends_line_) pending_ += '\n';
        content_done_ = true;
        return;
    }
    append_lf_lines(std::string_view(buffer.data(), *n));
}

// CR LF becomes LF, even split across reads; a lone CR stays.
void Plumbing::append_lf_lines(std::string_view input) {
    for (const char c : input) {
        if (held_cr_ && c != '\n') pending_ += '\r';
        held_cr_ = c == '\r';
        if (!held_cr_) pending_ += c;
        ends_line_ = c == '\n';
    }
}

void Plumbing::write_some() {
    refill();
    if (sent_ >= pending_.size()) {
        to_child_.reset();  // everything written: the command sees end of file
        return;
    }
    const ssize_t n = ::write(to_child_.get(), pending_.data() + sent_, pending_.size() - sent_);
    if (n > 0) sent_ += static_cast<std::size_t>(n);
    else if (n < 0 && errno != EAGAIN && errno != EINTR) to_child_.reset();  // EPIPE: it stopped reading
}

void Plumbing::read_some(std::string& output) {
    std::array<char, 4096> buffer{};
    const ssize_t n = ::read(from_child_.get(), buffer.data(), buffer.size());
    if (n > 0) {
        const std::size_t room = kMaxCommandOutputBytes - std::min(kMaxCommandOutputBytes, output.size());
        output.append(buffer.data(), std::min(room, static_cast<std::size_t>(n)));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        from_child_.reset();
    }
}

bool Plumbing::run(long long deadline_ms, std::string& output) {
    while (to_child_.get() >= 0 || from_child_.get() >= 0) {
        const long long left = deadline_ms - now_ms();
        if (left <= 0) return false;
        std::array<pollfd, 2> fds{{{to_child_.get(), POLLOUT, 0}, {from_child_.get(), POLLIN, 0}}};
        const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left, 60000)));
        if (ready < 0 && errno != EINTR) return false;
        if (ready <= 0) continue;
        if (fds[0].revents != 0 && to_child_.get() >= 0) {
            if (fds[0].revents & (POLLERR | POLLHUP)) to_child_.reset();
            else write_some();
        }
        if (fds[1].revents != 0 && from_child_.get() >= 0) read_some(output);
    }
    return true;
}

// Waits for the child until the deadline; kills its group after it.
int wait_child(pid_t pid, long long deadline_ms, bool& timed_out) {
    int status = 0;
    while (true) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return status;
        if (now_ms() >= deadline_ms && !timed_out) {
            timed_out = true;
            ::kill(-pid, SIGKILL);
            ::kill(pid, SIGKILL);
        }
        ::poll(nullptr, 0, 10);
    }
}

tern::Result<std::pair<tern::Fd, tern::Fd>> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) return tern::fail(tern::Retry::Temporary, "pipe", errno);
    return std::pair<tern::Fd, tern::Fd>{tern::Fd(fds[0]), tern::Fd(fds[1])};
}

}  // namespace

std::string command_from_line(std::string_view sender, const timeval& arrival) {
    const time_t when = arrival.tv_sec;
    tm local_time{};
    ::localtime_r(&when, &local_time);
    char date[64] = {};
    ::strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &local_time);
    return "From " + std::string(sender.empty() ? "MAILER-DAEMON" : sender) + "  " + date + "\n";
}

std::vector<std::string> command_environment(const CommandVariables& vars, const std::vector<std::string>& exported) {
    std::vector<std::string> env;
    auto add = [&env](std::string_view name, std::string_view value) {
        env.push_back(std::string(name) + "=" + std::string(value));
    };
    for (const std::string& name : exported) {
        if (name.empty() || name.find('=') != std::string::npos || name == "PATH") continue;
        if (const char* value = std::getenv(name.c_str())) add(name, value);
    }
    add("PATH", kCommandPath);
    if (!vars.home.empty()) add("HOME", vars.home);
    add("LOGNAME", vars.logname);
    add("USER", vars.user);
    if (!vars.shell.empty()) add("SHELL", vars.shell);
    add("SENDER", vars.sender);
    add("RECIPIENT", vars.recipient);
    add("LOCAL", vars.local);
    if (!vars.domain.empty()) add("DOMAIN", vars.domain);
    if (!vars.extension.empty()) add("EXTENSION", vars.extension);
    if (!vars.original_recipient.empty()) add("ORIGINAL_RECIPIENT", vars.original_recipient);
    return env;
}

CommandResult run_command(const CommandSpec& spec, std::string_view prefix, tern::ContentReader& content) {
    CommandResult result;
    auto in = make_pipe();
    auto out = make_pipe();
    if (!in || !out) {
        result.error = (in ? out.error() : in.error()).describe();
        return result;
    }
    const long long deadline_ms = now_ms() + spec.time_limit_s * 1000;
    const pid_t pid = ::fork();
    if (pid < 0) {
        result.error = std::string("fork: ") + std::strerror(errno);
        return result;
    }
    if (pid == 0) exec_child(spec, in->first.get(), out->second.get());
    in->first.reset();
    out->second.reset();
    // Failing to make them non-blocking only risks waiting for the time limit.
    (void)tern::set_nonblocking(in->second.get());
    (void)tern::set_nonblocking(out->first.get());
    Plumbing plumbing(std::move(in->second), std::move(out->first), prefix, content);
    bool timed_out = !plumbing.run(deadline_ms, result.output);
    if (timed_out) {
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
    }
    const int status = wait_child(pid, deadline_ms, timed_out);
    if (timed_out) result.end = CommandEnd::TimedOut;
    else if (WIFSIGNALED(status)) result.end = CommandEnd::Signaled, result.code = WTERMSIG(status);
    else result.end = CommandEnd::Exited, result.code = WEXITSTATUS(status);
    return result;
}

std::optional<SysexitsEntry> sysexits_entry(int code) noexcept {
    for (const SysexitsEntry& e : kSysexits)
        if (e.code == code) return e;
    return std::nullopt;
}

CommandVerdict judge_command(const CommandResult& result, std::string_view command) {
    const std::string output = clean_output(result.output);
    const std::string tail = output.empty() ? std::string() : ". Command output: " + output;
    const std::string quoted = "\"" + tern::printable(command, 300) + "\"";
    CommandVerdict v;
    switch (result.end) {
    case CommandEnd::NotStarted:
        v = {tern::DeliveryStatus::Deferred, "4.3.0", "cannot run command: " + result.error};
        break;
    case CommandEnd::TimedOut:
        v = {tern::DeliveryStatus::Bounced, "5.3.0", "Command time limit exceeded: " + quoted + tail};
        break;
    case CommandEnd::Signaled:
        v = {tern::DeliveryStatus::Deferred, "4.3.0",
             "Command died with signal " + std::to_string(result.code) + ": " + quoted + tail};
        break;
    case CommandEnd::Exited:
        if (result.code == 0) {
            v = {tern::DeliveryStatus::Sent, "2.0.0", "delivered to command: " + tern::printable(command, 300)};
        } else if (const std::optional<SysexitsEntry> e = sysexits_entry(result.code)) {
            v = {e->dsn.starts_with('4') ? tern::DeliveryStatus::Deferred : tern::DeliveryStatus::Bounced,
                 std::string(e->dsn), std::string(e->text) + tail};
        } else {
            v = {tern::DeliveryStatus::Bounced, "5.3.0",
                 "Command died with status " + std::to_string(result.code) + ": " + quoted + tail};
        }
        break;
    }
    if (v.reason.size() > kMaxCommandReasonBytes) v.reason.resize(kMaxCommandReasonBytes);
    return v;
}

}  // namespace local
