// postsuper - delete, hold, release and requeue queued mail (man/man1/postsuper.1)
//
// SYNOPSIS
//     postsuper [-v] [-c config_dir] [-d queue_id] [-h queue_id] [-H queue_id]
//               [-r queue_id] [queue ...]
// DESCRIPTION
//     Postfix's postsuper(1) for tern's queue: options.h reads the command
//     line, queue_ops.h does the work, id_lines.h reads the IDs of "-".
//     Requests run in command-line order; a queue_id of ALL works on every
//     message of the action's queues. Each message done is logged
//     ("ID: removed" ...), and at the end one summary line per kind of
//     request on standard error and in the log ("Deleted: 2 messages").
//     After a release qmgr is asked to scan deferred/, after a requeue
//     pickup is woken (lib/mail/qmgr_trigger.h); when they are not running
//     they find the files when they start.
// SECURITY
//     Root only, as Postfix's: it reads main.cf of -c or MAIL_CONFIG as
//     given and works on files mail_owner can write (queue_ops.h says how
//     it avoids being redirected).
// ERRORS
//     Exit 1 (Postfix's) with "postsuper: fatal: ..." for a usage error,
//     a caller who is not root, a bad main.cf or a queue that cannot be
//     opened. An invalid queue ID is a warning ("invalid mail queue id");
//     an ID that is in none of the queues is passed over silently, as
//     Postfix does (-v says so); the other IDs are still done. A failed
//     rename or unlink is a warning and the exit status is 1.
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/config.h"
#include "lib/mail/qmgr_trigger.h"
#include "lib/mail/queue_id.h"
#include "tools/postsuper/id_lines.h"
#include "tools/postsuper/options.h"
#include "tools/postsuper/queue_ops.h"

namespace {

using postsuper::Action;

constexpr int kExitFailure = 1;
constexpr int kTriggerTimeoutMs = 5'000;
constexpr std::size_t kLogIdBytes = 100;
constexpr std::array<Action, 4> kActions{Action::Delete, Action::Hold, Action::Release, Action::Requeue};

struct Totals {
    std::array<std::size_t, kActions.size()> done{};
    std::array<bool, kActions.size()> asked{};
    bool failed = false;
};

std::size_t index_of(Action action) { return static_cast<std::size_t>(action); }

postsuper::Options parse_or_exit(int argc, char** argv) {
    std::vector<const char*> args(argv + 1, argv + argc);
    tern::Result<postsuper::Options> options = postsuper::parse_options(args);
    if (options) return *options;
    const std::string& text = options.error().text;
    if (text.rfind("invalid directory name", 0) == 0) tern::log_fatal("%s", text.c_str());
    tern::log_info("%s", text.c_str());
    tern::log_fatal("%.*s", static_cast<int>(postsuper::kUsage.size()), postsuper::kUsage.data());
}

// Reads main.cf and turns on the log file or syslog as the daemons do.
tern::Config load_config(const postsuper::Options& options) {
    const std::string dir = options.config_dir.empty() ? tern::default_config_dir() : options.config_dir;
    tern::Result<tern::Config> config = tern::Config::load(dir);
    if (!config) tern::log_fatal("%s", config.error().describe().c_str());
    std::string name = config->get("syslog_name");
    if (name.empty()) name = "tern";
    tern::log_open(name + "/postsuper", "postsuper");
    const std::string maillog = config->get("maillog_file");
    if (maillog.empty()) {
        tern::log_use_syslog(true);
    } else if (tern::Status opened = tern::log_use_file(maillog); !opened) {
        tern::log_use_syslog(true);
        tern::log_warning("%s", opened.error().describe().c_str());
    }
    return std::move(*config);
}

void do_one(postsuper::QueueOps& ops, Action action, std::string_view id, const std::vector<tern::QueueName>& queues,
            Totals& totals) {
    if (!tern::is_valid_queue_id(id)) {
        tern::log_warning("invalid mail queue id: %s", tern::printable(id, kLogIdBytes).c_str());
        return;
    }
    tern::Result<bool> done = ops.apply(action, std::string(id), queues);
    if (!done) {
        tern::log_warning("%s", done.error().describe().c_str());
        totals.failed = true;
        return;
    }
    if (*done) ++totals.done[index_of(action)];
    else tern::log_debug("%.*s: not found", static_cast<int>(id.size()), id.data());
}

void run_request(postsuper::QueueOps& ops, const postsuper::Request& request, const postsuper::Options& options,
                 Totals& totals) {
    const std::vector<tern::QueueName> queues = postsuper::queues_for(request.action, options.queues);
    totals.asked[index_of(request.action)] = true;
    if (request.id == postsuper::kAllMessages) {
        tern::Result<std::size_t> n = ops.apply_all(request.action, queues);
        if (!n) {
            tern::log_warning("%s", n.error().describe().c_str());
            totals.failed = true;
            return;
        }
        totals.done[index_of(request.action)] += *n;
        return;
    }
    if (request.id != postsuper::kReadStdin) return do_one(ops, request.action, request.id, queues, totals);
    const tern::Status read = postsuper::read_id_lines(
        STDIN_FILENO, [&](std::string_view id) { do_one(ops, request.action, id, queues, totals); });
    if (!read) tern::log_fatal("%s", read.error().describe().c_str());
}

// Tells qmgr about released mail and pickup about requeued mail.
void poke_daemons(const std::string& queue_directory, const Totals& totals) {
    const auto poke = [&](std::string_view socket, std::string_view request) {
        const std::string path = queue_directory + "/" + std::string(socket);
        if (tern::Status sent = tern::send_trigger(path, request, kTriggerTimeoutMs); !sent)
            tern::log_debug("%s", sent.error().describe().c_str());
    };
    if (totals.done[index_of(Action::Release)] > 0)
        poke(tern::kQmgrSocketPath, std::string_view(&tern::kQmgrRequestScanDeferred, 1));
    if (totals.done[index_of(Action::Requeue)] > 0) poke(tern::kPickupSocketPath, tern::kPickupWakeupRequest);
}

}  // namespace

int main(int argc, char** argv) {
    tern::log_open("tern/postsuper", "postsuper");
    if (::getuid() != 0) tern::log_fatal("use of this command is reserved for the superuser");
    const postsuper::Options options = parse_or_exit(argc, argv);
    tern::log_set_verbosity(options.verbosity);
    const tern::Config config = load_config(options);
    const std::string queue_directory = config.get("queue_directory");
    tern::Result<postsuper::QueueOps> ops = postsuper::QueueOps::open(queue_directory);
    if (!ops) tern::log_fatal("%s", ops.error().describe().c_str());
    Totals totals;
    for (const postsuper::Request& request : options.requests) run_request(*ops, request, options, totals);
    for (const Action action : kActions)
        if (totals.asked[index_of(action)])
            tern::log_info("%s", postsuper::summary_line(action, totals.done[index_of(action)]).c_str());
    poke_daemons(queue_directory, totals);
    return totals.failed ? kExitFailure : 0;
}
