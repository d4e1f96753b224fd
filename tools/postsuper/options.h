// tools/postsuper/options.h - postsuper's command line: actions, IDs, queue names (pure)
//
// SYNOPSIS
//     tern::Result<postsuper::Options> o = postsuper::parse_options({argv + 1, argv + argc});
//     if (!o) { log o.error().text; usage; }
//     for (const postsuper::Request& r : o->requests)
//         for (tern::QueueName q : postsuper::queues_for(r.action, o->queues)) ...
//     std::string line = postsuper::summary_line(postsuper::Action::Delete, 1);  // "Deleted: 1 message"
// DESCRIPTION
//     Postfix's postsuper flags: -c config_dir, -d/-h/-H/-r queue_id
//     (delete, hold, release, requeue; each as often as wanted, in the
//     order given), -v (more each time). The argument may be attached
//     ("-dID") and flags bundled ("-vd ID"), as with getopt; options and
//     queue names may be mixed (GNU getopt order), "--" ends the options.
//     A queue_id of "ALL" (upper case only, as Postfix) means every
//     message, "-" means IDs read from standard input, one a line.
//     Operands name queues: maildrop, incoming, active, deferred, hold.
//     Each action works on its own queues (Postfix 3.7, measured):
//         delete   maildrop incoming active deferred hold
//         hold     incoming active deferred
//         release  hold
//         requeue  incoming active deferred hold
//     Named queues narrow that list; a named queue an action cannot use
//     is left out for that action (as Postfix: "-h ALL maildrop" holds
//     nothing). -e, -f, -p, -s and -S are Postfix flags tern does not
//     have; they are an error that says so (Unsupported).
// ERRORS
//     Error text in getopt's and Postfix's words: "invalid option -- 'x'",
//     "option requires an argument -- 'd'", "invalid directory name: foo".
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/queue_name.h"

namespace postsuper {

enum class Action { Delete, Hold, Release, Requeue };

inline constexpr std::string_view kAllMessages = "ALL";
inline constexpr std::string_view kReadStdin = "-";
inline constexpr std::string_view kUsage =
    "usage: postsuper [-c config_dir] [-d queue_id (delete)] [-h queue_id (hold)] "
    "[-H queue_id (un-hold)] [-r queue_id (requeue)] [-v (verbose)] [queue...]";

struct Request {
    Action action;
    std::string id;  // a queue ID, kAllMessages or kReadStdin
    bool operator==(const Request&) const = default;
};

struct Options {
    std::string config_dir;  // empty: MAIL_CONFIG or the default
    int verbosity = 0;
    std::vector<Request> requests;
    std::vector<tern::QueueName> queues;  // empty: each action's default
};

[[nodiscard]] tern::Result<Options> parse_options(std::span<const char* const> args);

// The queues `action` works on, in search order, given the named ones.
[[nodiscard]] std::vector<tern::QueueName> queues_for(Action action, std::span<const tern::QueueName> named);

// "Deleted: 2 messages", "Placed on hold: 1 message", ...
[[nodiscard]] std::string summary_line(Action action, std::size_t count);

// What the log says per message: "removed", "placed on hold", ...
[[nodiscard]] std::string_view done_text(Action action) noexcept;

}  // namespace postsuper
