// tools/sendmail/options.h - sendmail's command line (Postfix sendmail(1) flags)
//
// SYNOPSIS
//     tern::Result<sendmail::Options> o = sendmail::parse_options(args);  // args[0] is argv[0]
//     if (!o) { fprintf(stderr, "sendmail: %s\n", o.error().text.c_str()); exit(EX_USAGE); }
// DESCRIPTION
//     The program name (basename of argv[0]) picks the default mode:
//     "mailq" lists the queue, "newaliases" rebuilds aliases, anything
//     else submits a message. Flags as Postfix's sendmail:
//       -t  recipients from To/Cc/Bcc (added to the arguments)
//       -i, -oi  a line with a single dot does not end the input
//       -f SENDER, -r SENDER  envelope sender ("<>" or "" is the null sender)
//       -F FULLNAME  full name for cleanup's From: header
//       -bm (default), -bs, -bp (= mailq), -bi / -I (= newaliases), -bd
//       -q[INTERVAL]  flush the queue
//       -N never|success,failure,delay   -R full|hdrs   -V ENVID
//       -B 7BIT|8BITMIME   -C FILE-OR-DIR   -v (counted)
//       -L LABEL, -h HOPS, -e X, -p X, -O X, -X FILE, -G, -U, -c, -m, -n, -x,
//       and any other -oX are accepted and ignored.
//     Option letters may be grouped (-ti) and a value may follow its
//     letter (-fuser) or be the next argument (-f user). "--" ends the
//     options. The remaining arguments are recipient lists (comma
//     separated, parsed like a To: header).
// ERRORS
//     A Permanent Error whose text is the message for the user, e.g.
//     "usage: sendmail [options] [recipient ...]" or "-N: bad value: x".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/queue_record.h"

namespace sendmail {

enum class Mode { Deliver, Smtp, ListQueue, Aliases, Flush, Daemon };

struct Options {
    Mode mode = Mode::Deliver;
    bool extract_recipients = false;      // -t
    bool dot_ends_input = true;           // cleared by -i / -oi
    std::optional<std::string> sender;    // -f / -r, brackets removed
    std::optional<std::string> full_name; // -F
    std::string config_path;              // -C; empty: MAIL_CONFIG or the default
    unsigned notify = 0;                  // -N as kDsnNotify* bits; 0: not given
    tern::DsnRet ret = tern::DsnRet::None;  // -R
    std::string envid;                    // -V
    std::string body_type;                // -B: "7BIT" or "8BITMIME"
    int verbose = 0;                      // -v
    std::vector<std::string> recipients;  // from the arguments, internal form
};

inline constexpr std::string_view kUsage =
    "usage: sendmail [-bm|-bs|-bp|-bi|-q] [-t] [-i] [-f sender] [-F fullname] [-N dsn] "
    "[-R ret] [-V envid] [-B type] [-C config] [recipient ...]";

[[nodiscard]] tern::Result<Options> parse_options(const std::vector<std::string>& args);

// -N value: "never" or a comma list of success, failure, delay.
[[nodiscard]] std::optional<unsigned> parse_notify(std::string_view value);

}  // namespace sendmail
