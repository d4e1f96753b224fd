// tools/sendmail/smtp_mode.h - sendmail -bs: SMTP on standard input and output
//
// SYNOPSIS
//     return sendmail::run_smtp_mode(options, cfg, login_name);
// DESCRIPTION
//     Runs an SmtpSession (smtp_session.h) on standard input and output:
//     the greeting, then replies to what arrives, until QUIT or the end of
//     input. Each message is queued through the same path as a message on
//     standard input (submit.h: queue file, then postdrop into maildrop/),
//     and only after postdrop succeeded is it answered
//     "250 2.0.0 Ok: queued"; a failed postdrop gives
//     "451 4.3.0 Error: queue file write error" and a warning on standard
//     error. The queue ID is not in the reply: the final ID is cleanup's,
//     given when pickup takes the file.
//     The envelope is the session's (MAIL FROM, RCPT TO with their DSN
//     parameters); -F, -B, -V, -R and -N apply when the session does not
//     give the same thing. -f does not apply: MAIL FROM always names the
//     sender. Settings: myhostname, smtpd_banner, message_size_limit,
//     line_length_limit, smtpd_recipient_limit.
// ERRORS
//     0 after QUIT or end of input; EX_IOERR when standard input or
//     output fails; EX_CONFIG for a bad setting.
#pragma once

#include <string>

#include "lib/mail/config.h"
#include "tools/sendmail/options.h"

namespace sendmail {

[[nodiscard]] int run_smtp_mode(const Options& options, const tern::Config& cfg, const std::string& user);

}  // namespace sendmail
