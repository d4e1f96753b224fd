// postcat - show the contents of queue files (man/man1/postcat.1)
//
// SYNOPSIS
//     postcat [-behv] [-c config_dir] [file ...]
//     postcat [-behv] [-c config_dir] -q queue_id ...
// DESCRIPTION
//     Prints each queue file as lib/mail/queue_render does, in the layout
//     of Postfix's postcat: "*** ENVELOPE RECORDS NAME ***", "*** MESSAGE
//     CONTENTS NAME ***", "*** HEADER EXTRACTED NAME ***", "*** MESSAGE
//     FILE END NAME ***". -e, -h and -b pick the envelope, the header and
//     the body (several may be given; none: all three). Without files it
//     reads one queue file from standard input. With -q the arguments are
//     queue IDs, looked up in incoming, active, deferred, hold, maildrop
//     and corrupt below queue_directory (main.cf of -c, MAIL_CONFIG or the
//     default folder); the name printed is QUEUE/ID.
// LIMITS
//     Queue files are read with the queue-file reader's default limits;
//     standard input that is not a regular file is copied into memory, at
//     most kMaxStdinBytes. A queue ID must be a valid ID (never a path).
// ERRORS
//     As Postfix's postcat: "postcat: fatal: ..." on standard error and
//     exit status 1 for a usage error, a file or ID that cannot be opened,
//     or a file that is not a valid queue file (output stops there); 0
//     when every file was printed.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/config.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/queue_id.h"
#include "lib/mail/queue_render.h"

namespace {

constexpr std::uint64_t kMaxStdinBytes = std::uint64_t{1} << 30;
constexpr int kExitFailure = 1;
constexpr std::array<std::string_view, 6> kSearchQueues{"incoming", "active", "deferred", "hold", "maildrop",
                                                        "corrupt"};
constexpr const char* kUsage = "usage: postcat [-behv] [-c config_dir] [-q] [file(s) or queue ID(s)...]";

struct Options {
    std::string config_dir;
    bool by_queue_id = false;
    tern::RenderOptions render{.envelope = false, .header = false, .body = false};
    std::vector<std::string> names;
};

[[noreturn]] void usage() { tern::log_fatal_exit(kExitFailure, "%s", kUsage); }

Options parse_options(int argc, char** argv) {
    Options o;
    int c = 0;
    while ((c = ::getopt(argc, argv, "bc:ehqv")) != -1) {
        switch (c) {
            case 'b': o.render.body = true; break;
            case 'c': o.config_dir = optarg; break;
            case 'e': o.render.envelope = true; break;
            case 'h': o.render.header = true; break;
            case 'q': o.by_queue_id = true; break;
            case 'v': tern::log_set_verbosity(tern::log_verbosity() + 1); break;
            default: usage();
        }
    }
    if (!o.render.body && !o.render.envelope && !o.render.header) o.render = tern::RenderOptions{};
    for (int i = optind; i < argc; ++i) o.names.emplace_back(argv[i]);
    if (o.by_queue_id && o.names.empty()) usage();
    return o;
}

tern::Status write_stdout(std::string_view text) {
    return tern::write_all(STDOUT_FILENO, text, -1);
}

// Standard input as a descriptor pread can use: itself when it is a regular file.
tern::Fd stdin_as_file() {
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) return tern::Fd{::dup(STDIN_FILENO)};
    tern::Fd copy{::memfd_create("postcat", MFD_CLOEXEC)};
    if (!copy) tern::log_fatal_exit(kExitFailure, "memfd_create: %s", std::strerror(errno));
    std::vector<char> buffer(65536);
    std::uint64_t total = 0;
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) tern::log_fatal_exit(kExitFailure, "read standard input: %s", std::strerror(errno));
        if (n == 0) break;
        total += static_cast<std::uint64_t>(n);
        if (total > kMaxStdinBytes) tern::log_fatal_exit(kExitFailure, "standard input: larger than %llu bytes",
                                                         static_cast<unsigned long long>(kMaxStdinBytes));
        if (tern::Status s = tern::write_all(copy.get(), {buffer.data(), static_cast<std::size_t>(n)}, -1); !s)
            tern::log_fatal_exit(kExitFailure, "%s", s.error().describe().c_str());
    }
    return copy;
}

void show(int fd, const std::string& name, const tern::RenderOptions& render) {
    tern::Result<tern::QueueFile> file = tern::read_queue_file(fd, name);
    if (!file) tern::log_fatal_exit(kExitFailure, "%s", file.error().describe().c_str());
    if (tern::Status s = tern::render_queue_file(fd, *file, name, write_stdout, render); !s)
        tern::log_fatal_exit(kExitFailure, "%s", s.error().describe().c_str());
}

tern::Fd open_file(const std::string& path) {
    tern::Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
    if (!fd) tern::log_fatal_exit(kExitFailure, "open %s: %s", tern::printable(path, 500).c_str(), std::strerror(errno));
    return fd;
}

void show_by_id(const std::string& queue_dir, const std::string& id, const tern::RenderOptions& render) {
    if (!tern::is_valid_queue_id(id))
        tern::log_fatal_exit(kExitFailure, "open queue file %s: bad queue ID", tern::printable(id, 100).c_str());
    for (const std::string_view queue : kSearchQueues) {
        const std::string name = std::string(queue) + "/" + id;
        tern::Fd fd{::open((queue_dir + "/" + name).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)};
        if (fd) return show(fd.get(), name, render);
        if (errno != ENOENT)
            tern::log_fatal_exit(kExitFailure, "open queue file %s: %s", name.c_str(), std::strerror(errno));
    }
    tern::log_fatal_exit(kExitFailure, "open queue file %s: %s", id.c_str(), std::strerror(ENOENT));
}

std::string queue_directory(const Options& o) {
    const std::string dir = o.config_dir.empty() ? tern::default_config_dir() : o.config_dir;
    tern::Result<tern::Config> cfg = tern::Config::load(dir);
    if (!cfg) tern::log_fatal_exit(kExitFailure, "%s", cfg.error().describe().c_str());
    return cfg->get("queue_directory");
}

}  // namespace

int main(int argc, char** argv) {
    tern::log_open("tern/postcat", "postcat");
    const Options o = parse_options(argc, argv);
    if (o.by_queue_id) {
        const std::string queue_dir = queue_directory(o);
        for (const std::string& id : o.names) show_by_id(queue_dir, id, o.render);
        return 0;
    }
    if (o.names.empty()) {
        const tern::Fd in = stdin_as_file();
        show(in.get(), "standard input", o.render);
        return 0;
    }
    for (const std::string& path : o.names) {
        const tern::Fd fd = open_file(path);
        show(fd.get(), path, o.render);
    }
    return 0;
}
