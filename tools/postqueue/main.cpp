// postqueue - list or flush the mail queue (man/man1/postqueue.1)
//
// SYNOPSIS
//     postqueue [-v] [-c config_dir] -p      (also as "mailq")
//     postqueue [-v] [-c config_dir] -j
//     postqueue [-v] [-c config_dir] -f
//     postqueue [-v] [-c config_dir] -i queue_id | -s site
// DESCRIPTION
//     -p prints the queue in Postfix's mailq layout, -j as JSON lines
//     (listing.h, format.h). -f asks qmgr to forget dead destinations and
//     scan the deferred and incoming queues, and wakes pickup, through
//     their public/ sockets (lib/mail/qmgr_trigger.h). -i asks qmgr to
//     deliver one deferred message now. -s needs Postfix's fast flush
//     service (per-site logs), which tern does not have yet: it says so
//     and exits EX_UNAVAILABLE.
// SECURITY
//     Meant to be installed setgid setgid_group, like Postfix's: it only
//     connects to public/ sockets and reads the queue directly only when
//     run by root. A non-root caller may pick a configuration (-c,
//     MAIL_CONFIG) only when it is root-owned and not writable by others
//     (lib/mail/config_trust.h), so nobody can point the setgid program
//     at sockets or a queue of their choosing.
// ERRORS
//     Exit statuses as Postfix 3.7's postqueue (measured): usage and
//     "mail system is down" are EX_UNAVAILABLE (69).
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/config.h"
#include "lib/mail/config_trust.h"
#include "lib/mail/qmgr_trigger.h"
#include "lib/mail/queue_id.h"
#include "tools/postqueue/listing.h"

namespace {

constexpr const char* kUsage =
    "usage: postqueue -f | postqueue -i queueid | postqueue -j | postqueue -p | postqueue -s site";
constexpr int kTriggerTimeoutMs = 10'000;

enum class Mode { None, Flush, FlushId, Json, List, FlushSite };

struct Options {
    Mode mode = Mode::None;
    std::string argument;  // -i queue ID, -s site
    int verbose = 0;
};

void set_mode(Options& options, Mode mode) {
    if (options.mode != Mode::None) tern::log_fatal_exit(EX_UNAVAILABLE, "%s", kUsage);
    options.mode = mode;
}

Options parse_options(int argc, char** argv) {
    Options options;
    int c = 0;
    while ((c = ::getopt(argc, argv, "c:fi:jps:v")) != -1) {
        switch (c) {
            case 'c':
                if (::setenv("MAIL_CONFIG", optarg, 1) != 0) tern::log_fatal("setenv: %s", std::strerror(errno));
                break;
            case 'f': set_mode(options, Mode::Flush); break;
            case 'i':
                set_mode(options, Mode::FlushId);
                options.argument = optarg;
                break;
            case 'j': set_mode(options, Mode::Json); break;
            case 'p': set_mode(options, Mode::List); break;
            case 's':
                set_mode(options, Mode::FlushSite);
                options.argument = optarg;
                break;
            case 'v': ++options.verbose; break;
            default: tern::log_fatal_exit(EX_UNAVAILABLE, "%s", kUsage);
        }
    }
    const char* slash = std::strrchr(argv[0], '/');
    if (options.mode == Mode::None && std::string_view(slash ? slash + 1 : argv[0]) == "mailq")
        options.mode = Mode::List;
    if (optind != argc || options.mode == Mode::None) tern::log_fatal_exit(EX_UNAVAILABLE, "%s", kUsage);
    return options;
}

// Postfix's mail_flush_deferred() and mail_flush_maildrop().
int flush_queue(const tern::Config& cfg) {
    const std::string queue = cfg.get("queue_directory") + "/";
    const tern::Status qmgr = tern::send_trigger(queue + std::string(tern::kQmgrSocketPath),
                                                 tern::kQmgrFlushRequest, kTriggerTimeoutMs);
    if (!qmgr) {
        tern::log_warning("%s", qmgr.error().describe().c_str());
        tern::log_fatal_exit(EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
    }
    const tern::Status pickup = tern::send_trigger(queue + std::string(tern::kPickupSocketPath),
                                                   tern::kPickupWakeupRequest, kTriggerTimeoutMs);
    if (!pickup) {
        tern::log_warning("%s", pickup.error().describe().c_str());
        tern::log_fatal_exit(EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
    }
    return EX_OK;
}

// -i: qmgr makes deferred/ID due now (lib/mail/qmgr_trigger.h); an ID that
// is in no queue is no error, as with Postfix's flush service.
int flush_message(const tern::Config& cfg, const std::string& id) {
    if (!tern::is_valid_queue_id(id))
        tern::log_fatal_exit(EX_USAGE, "invalid mail queue id: %s", tern::printable(id, 64).c_str());
    const std::string request = std::string(1, tern::kQmgrRequestMessage) + id;
    const tern::Status qmgr = tern::send_trigger(cfg.get("queue_directory") + "/" + std::string(tern::kQmgrSocketPath),
                                                 request, kTriggerTimeoutMs);
    if (!qmgr) {
        tern::log_warning("%s", qmgr.error().describe().c_str());
        tern::log_fatal_exit(EX_UNAVAILABLE, "Cannot flush mail queue - mail system is down");
    }
    return EX_OK;
}

int run(const Options& options, const tern::Config& cfg) {
    switch (options.mode) {
        case Mode::List: return postqueue::show_queue(cfg, postqueue::Output::Text, stdout);
        case Mode::Json: return postqueue::show_queue(cfg, postqueue::Output::Json, stdout);
        case Mode::Flush: return flush_queue(cfg);
        case Mode::FlushId: return flush_message(cfg, options.argument);
        case Mode::FlushSite:
            // Postfix keeps per-site logs in its flush(8) service (fast_flush_domains); tern has none yet.
            tern::log_fatal_exit(EX_UNAVAILABLE, "-s is not available: tern has no fast flush service yet");
        case Mode::None: break;
    }
    tern::log_fatal_exit(EX_UNAVAILABLE, "%s", kUsage);
}

}  // namespace

int main(int argc, char** argv) {
    tern::log_open("tern/postqueue", "postqueue");
    const Options options = parse_options(argc, argv);
    tern::log_set_verbosity(options.verbose);
    const std::string config_dir = tern::default_config_dir();
    if (tern::Status trusted = tern::check_config_trust(config_dir); !trusted)
        tern::log_fatal_exit(EX_NOPERM, "%s", trusted.error().text.c_str());
    tern::Result<tern::Config> config = tern::Config::load(config_dir);
    if (!config) tern::log_fatal("%s", config.error().describe().c_str());
    const int status = run(options, *config);
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        tern::log_fatal_exit(EX_IOERR, "write standard output: %s", std::strerror(errno));
    return status;
}
