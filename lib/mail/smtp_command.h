// lib/mail/smtp_command.h - parse one SMTP command line into a verb, a path and ESMTP parameters
//
// SYNOPSIS
//     CommandOptions options{.dsn_enable = true};
//     Result<SmtpCommand> cmd = parse_smtp_command("MAIL FROM:<a@x> SIZE=100 BODY=8BITMIME", options);
//     if (!cmd) reply(cmd.error().text);      // e.g. "501 5.1.7 Bad sender address syntax"
//     cmd->verb == SmtpVerb::Mail; cmd->path.address == "a@x"; *cmd->mail.size == 100;
// DESCRIPTION
//     The line is one command without its CRLF (see smtp_line.h). It is cut
//     into words as Postfix's smtpd_token does: white space separates,
//     "<...>" and "\"...\"" are single words, "FROM:" and "TO:" end a word
//     so that "MAIL FROM:<a@x>" and "MAIL FROM: <a@x>" read the same. The
//     verb is matched without regard to case; a verb we do not know gives
//     SmtpVerb::Unknown, not an error (the session answers kReplyUnknownCommand).
//     Per verb:
//       EHLO, HELO   argument = the words joined by one space (required)
//       MAIL         FROM:<path> [SIZE= BODY= SMTPUTF8 RET= ENVID= AUTH=]
//       RCPT         TO:<path> [NOTIFY= ORCPT=]
//       DATA, RSET, STARTTLS    no argument
//       BDAT         count [LAST]
//       AUTH         mechanism [initial-response]
//       VRFY         address [SMTPUTF8]; argument keeps the raw text
//       NOOP, QUIT, EXPN, HELP, Unknown    argument as sent, not checked
//     Paths are parsed by parse_path (address.h). ENVID, AUTH and ORCPT are
//     stored decoded (xtext.h). Each parameter may appear once.
// ERRORS
//     Error::text is the complete reply line, with Postfix 3.7's wording
//     and enhanced status code, e.g.
//       500 5.5.2 Error: bad syntax              empty line, NUL byte
//       500 5.5.2 Error: bad UTF-8 syntax        8-bit bytes that are not UTF-8
//       501 5.5.4 Syntax: MAIL FROM:<address>
//       501 5.1.7 Bad sender address syntax     501 5.1.3 Bad recipient address syntax
//       553 5.6.7 Must declare SMTPUTF8 to send unicode address
//       555 5.5.4 Unsupported option: FOO
//       521 5.5.4 Syntax: BDAT count [LAST]      (the session must close: see closes_session)
//     Where Postfix accepts a repeated SIZE, BODY or SMTPUTF8 silently we
//     refuse it with "501 5.5.4 Error: duplicate NAME parameter"; a bad
//     AUTH= value (Postfix does not check it) gets "501 5.5.4 Bad AUTH
//     parameter syntax". Checks that need session state (nested MAIL, SIZE
//     over message_size_limit, DSN or AUTH not offered) are the caller's,
//     except those CommandOptions describe.
// LIMITS
//     The line is bounded by the caller (line_length_limit); nothing here
//     grows beyond a copy of it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/address.h"
#include "lib/mail/dsn.h"

namespace tern {

enum class SmtpVerb { Ehlo, Helo, Mail, Rcpt, Data, Bdat, Rset, Noop, Quit, Vrfy, Expn, Help, Starttls, Auth, Unknown };

enum class BodyType { Unspecified, SevenBit, EightBitMime, BinaryMime };

inline constexpr std::string_view kReplyUnknownCommand = "500 5.5.2 Error: command not recognized";

struct CommandOptions {
    bool strict_rfc821_envelopes = false;  // main.cf strict_rfc821_envelopes
    bool smtputf8_enable = true;           // SMTPUTF8 offered
    bool dsn_enable = true;                // DSN offered (RET, ENVID, NOTIFY, ORCPT)
    bool auth_enable = false;              // AUTH offered: MAIL FROM AUTH= accepted
    bool binarymime_enable = false;        // BODY=BINARYMIME accepted (Postfix never offers it)
    bool smtputf8_declared = false;        // for RCPT: the MAIL command had SMTPUTF8
    bool strict_smtputf8 = false;          // main.cf strict_smtputf8: 8-bit addresses need SMTPUTF8
};

struct MailParams {
    std::optional<std::uint64_t> size;
    BodyType body = BodyType::Unspecified;
    bool smtputf8 = false;
    DsnRet ret = DsnRet::None;
    std::optional<std::string> envid;  // decoded, printable ASCII
    std::optional<std::string> auth;   // decoded; "<>" for an unknown submitter
};

struct RcptParams {
    unsigned notify = 0;                       // kNotify* mask; 0 when not given
    std::optional<std::string> orcpt_type;     // e.g. "rfc822", "utf-8"
    std::optional<std::string> orcpt_address;  // decoded
};

struct SmtpCommand {
    SmtpVerb verb = SmtpVerb::Unknown;
    std::string name;       // the verb as sent
    std::string argument;   // the rest, words joined by one space
    Path path;              // MAIL, RCPT, VRFY
    std::string raw_path;   // the path word as sent (for a default ORCPT)
    MailParams mail;
    RcptParams rcpt;
    std::uint64_t bdat_size = 0;
    bool bdat_last = false;
    bool vrfy_smtputf8 = false;
    std::string auth_mechanism;
    std::optional<std::string> auth_initial_response;
};

[[nodiscard]] Result<SmtpCommand> parse_smtp_command(std::string_view line, const CommandOptions& options);

[[nodiscard]] std::string_view verb_name(SmtpVerb verb) noexcept;

}  // namespace tern
