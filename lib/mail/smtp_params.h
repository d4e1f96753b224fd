// lib/mail/smtp_params.h - ESMTP parameters of MAIL FROM and RCPT TO (used by smtp_command)
//
// SYNOPSIS
//     MailParams mail; Status ok = parse_mail_param("SIZE=1000", options, mail);
//     RcptParams rcpt; Status ok = parse_rcpt_param("NOTIFY=SUCCESS,FAILURE", options, rcpt);
//     std::optional<unsigned> mask = parse_notify("NEVER");
// DESCRIPTION
//     One "keyword[=value]" word at a time, keywords without regard to case:
//       MAIL: SIZE= (RFC 1870), BODY=7BIT|8BITMIME|BINARYMIME (RFC 1652,
//             3030), SMTPUTF8 (RFC 6531), RET=FULL|HDRS, ENVID=xtext
//             (RFC 3461), AUTH=xtext (RFC 4954)
//       RCPT: NOTIFY=NEVER|SUCCESS,FAILURE,DELAY, ORCPT=type;xtext (RFC 3461)
//     The checks and their order follow Postfix 3.7's mail_cmd/rcpt_cmd.
// ERRORS
//     Error::text is the full SMTP reply, as smtp_command.h lists.
#pragma once

#include <optional>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/smtp_command.h"

namespace tern {

[[nodiscard]] Status parse_mail_param(std::string_view word, const CommandOptions& options, MailParams& params);
[[nodiscard]] Status parse_rcpt_param(std::string_view word, const CommandOptions& options, RcptParams& params);
[[nodiscard]] std::optional<unsigned> parse_notify(std::string_view value);

}  // namespace tern
