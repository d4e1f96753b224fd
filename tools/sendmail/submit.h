// tools/sendmail/submit.h - build a queue-file stream and hand it to postdrop
//
// SYNOPSIS
//     sendmail::Submission s = sendmail::submission_defaults(options, login);   // or field by field
//     tern::Result<tern::Fd> file = sendmail::build_queue_file(s, content);   // CRLF content
//     std::string problem;
//     int status = sendmail::run_postdrop(cfg, *file, problem);   // 0: in maildrop/
// DESCRIPTION
//     The one submission path of sendmail, for a message from standard
//     input and for each message of an SMTP session (-bs).
//     build_queue_file writes the queue-file record stream
//     (lib/mail/queue_file.h) into an anonymous memory file (the writer
//     needs pwrite, so it cannot write to a pipe): arrival time now,
//     sender, DSN ENVID and RET, the attributes rewrite_context=local,
//     submit_user, full_name and body_type, the recipients with ORCPT and
//     NOTIFY, and the content. The descriptor is rewound for reading.
//     run_postdrop runs command_directory/postdrop -c CONFIG_DIR with that
//     file as standard input and waits for it.
// ERRORS
//     build_queue_file: Permanent "bad recipient address: X" or the
//     writer's error (Temporary for system errors).
//     run_postdrop returns a <sysexits.h> status: postdrop's own, or
//     EX_UNAVAILABLE (no postdrop), EX_OSERR (fork, wait) and EX_TEMPFAIL
//     (killed by a signal) with `problem` set to the message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/queue_record.h"
#include "tools/sendmail/options.h"

namespace sendmail {

struct SubmitRecipient {
    std::string address;
    std::string orcpt;    // "type;address", empty: none
    unsigned notify = 0;  // kDsnNotify* bits, 0: none
};

struct Submission {
    std::string sender;
    std::string user;                      // login name: submit_user
    std::optional<std::string> full_name;  // -F
    std::string body_type;                 // "7BIT", "8BITMIME" or empty
    std::string envid;                     // empty: none
    tern::DsnRet ret = tern::DsnRet::None;
    std::vector<SubmitRecipient> recipients;
};

// The envelope the command line gives: sender (-f, else `user`), -F, -B,
// -V, -R, and the argument recipients with -N.
[[nodiscard]] Submission submission_defaults(const Options& options, const std::string& user);

[[nodiscard]] tern::Result<tern::Fd> build_queue_file(const Submission& submission, std::string_view content);
[[nodiscard]] int run_postdrop(const tern::Config& cfg, const tern::Fd& file, std::string& problem);

}  // namespace sendmail
