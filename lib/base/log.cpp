// lib/base/log.cpp - write log lines to stderr, syslog and maillog_file
#include "lib/base/log.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>

#include "lib/base/fd.h"

namespace tern {
namespace {

struct LogState {
    std::mutex mutex;
    std::string syslog_ident = "tern";
    std::string stderr_name = "tern";
    std::string hostname;
    bool to_stderr = true;
    bool to_syslog = false;
    Fd file;
    int verbosity = 0;
    void (*fatal_hook)() = nullptr;
};

LogState& state() {
    static LogState s;  // the logger is process-wide by nature
    return s;
}

const char* level_prefix(LogLevel level) {
    switch (level) {
    case LogLevel::Debug: return "";
    case LogLevel::Info: return "";
    case LogLevel::Warning: return "warning: ";
    case LogLevel::Error: return "error: ";
    case LogLevel::Fatal: return "fatal: ";
    case LogLevel::Panic: return "panic: ";
    }
    return "";
}

int syslog_priority(LogLevel level) {
    switch (level) {
    case LogLevel::Debug: return LOG_DEBUG;
    case LogLevel::Info: return LOG_INFO;
    case LogLevel::Warning: return LOG_WARNING;
    case LogLevel::Error: return LOG_ERR;
    case LogLevel::Fatal: return LOG_CRIT;
    case LogLevel::Panic: return LOG_CRIT;
    }
    return LOG_INFO;
}

void write_all(int fd, std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(fd, text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string file_line(const LogState& s, std::string_view body) {
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    struct tm local {};
    localtime_r(&now, &local);
    std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &local);
    std::string line;
    line.reserve(body.size() + 80);
    line.append(stamp).append(" ").append(s.hostname).append(" ");
    line.append(s.syslog_ident).append("[").append(std::to_string(::getpid())).append("]: ");
    line.append(body).append("\n");
    return line;
}

void emit(LogLevel level, const char* format, va_list args) {
    LogState& s = state();
    if (level == LogLevel::Debug && s.verbosity < 1) return;
    const int saved_errno = errno;
    char text[kMaxLogLineBytes];
    std::vsnprintf(text, sizeof text, format, args);
    for (char* p = text; *p; ++p)  // one event, one line
        if (*p == '\n' || *p == '\r') *p = ' ';
    const std::string body = std::string(level_prefix(level)) + text;

    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.to_stderr) write_all(STDERR_FILENO, s.stderr_name + ": " + body + "\n");
    if (s.to_syslog) ::syslog(LOG_MAIL | syslog_priority(level), "%s", body.c_str());
    if (s.file) write_all(s.file.get(), file_line(s, body));
    errno = saved_errno;
}

}  // namespace

void log_open(std::string_view syslog_ident, std::string_view stderr_name) {
    LogState& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    s.syslog_ident = syslog_ident;
    s.stderr_name = stderr_name;
    if (s.hostname.empty()) {
        char host[256] = {};
        if (::gethostname(host, sizeof host - 1) == 0) s.hostname = host;
        if (const auto dot = s.hostname.find('.'); dot != std::string::npos) s.hostname.resize(dot);
        if (s.hostname.empty()) s.hostname = "localhost";
    }
    if (s.to_syslog) ::openlog(s.syslog_ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void log_use_stderr(bool on) { state().to_stderr = on; }

void log_use_syslog(bool on) {
    LogState& s = state();
    s.to_syslog = on;
    // LOG_NDELAY connects now, so logging still works after chroot.
    if (on) ::openlog(s.syslog_ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
}

Status log_use_file(const std::string& path) {
    Fd fd{::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644)};
    if (!fd) return fail(Retry::Temporary, "open maillog_file " + path, errno);
    state().file = std::move(fd);
    return {};
}

void log_set_hostname(std::string_view host) { state().hostname = host; }
void log_set_verbosity(int level) { state().verbosity = level; }
int log_verbosity() { return state().verbosity; }
void log_set_fatal_hook(void (*hook)()) { state().fatal_hook = hook; }

#define TERN_LOG_FORWARD(level)      \
    va_list args;                    \
    va_start(args, format);          \
    emit(level, format, args);       \
    va_end(args)

void log_msg(LogLevel level, const char* format, ...) { TERN_LOG_FORWARD(level); }
void log_debug(const char* format, ...) { TERN_LOG_FORWARD(LogLevel::Debug); }
void log_info(const char* format, ...) { TERN_LOG_FORWARD(LogLevel::Info); }
void log_warning(const char* format, ...) { TERN_LOG_FORWARD(LogLevel::Warning); }
void log_error(const char* format, ...) { TERN_LOG_FORWARD(LogLevel::Error); }

void log_fatal(const char* format, ...) {
    TERN_LOG_FORWARD(LogLevel::Fatal);
    if (auto hook = state().fatal_hook) hook();
    std::exit(1);
}

void log_fatal_exit(int exit_status, const char* format, ...) {
    TERN_LOG_FORWARD(LogLevel::Fatal);
    if (auto hook = state().fatal_hook) hook();
    std::exit(exit_status);
}

void log_panic(const char* format, ...) {
    TERN_LOG_FORWARD(LogLevel::Panic);
    std::abort();
}

#undef TERN_LOG_FORWARD

}  // namespace tern
