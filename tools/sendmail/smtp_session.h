// tools/sendmail/smtp_session.h - the SMTP conversation of sendmail -bs (pure)
//
// SYNOPSIS
//     sendmail::SmtpSession s({.hostname = "mx.example", .banner = "mx.example ESMTP tern"},
//                             [](const sendmail::SmtpEnvelope& env, std::string_view content) {
//                                 return queue(env, content) ? "250 2.0.0 Ok: queued" : "451 4.3.0 ..."; });
//     write(s.greeting());
//     while (!s.finished() && (n = read(0, buf, size)) > 0) write(s.feed({buf, n}));
//     write(s.end_of_input());
// DESCRIPTION
//     A small SMTP server for a local user on standard input and output,
//     as Postfix's sendmail -bs. Commands are parsed by
//     lib/mail/smtp_command.h, DATA is decoded by lib/mail/smtp_data.h
//     (dot-stuffing removed, CRLF kept) and replies are written with
//     lib/mail/smtp_reply.h, in the words of Postfix's smtpd where they
//     overlap: 220 banner; EHLO (PIPELINING, SIZE, 8BITMIME,
//     ENHANCEDSTATUSCODES, DSN, SMTPUTF8) and HELO; MAIL, RCPT with their
//     ESMTP parameters; DATA; RSET, NOOP, QUIT ("221 2.0.0 Bye"); VRFY is
//     disabled; STARTTLS, AUTH, BDAT, ETRN, EXPN and HELP are not
//     implemented. Each message is handed to the queue callback, whose
//     reply line ends the DATA.
//     Input lines may end in LF or CRLF (a terminal or a script writes
//     LF; nothing here passes the message on to another SMTP server, so
//     the smuggling concern of smtpd does not arise). Message lines are
//     stored with CRLF either way.
// LIMITS
//     Command lines: max_line_bytes (line_length_limit), longer ones get
//     "500 5.5.2 Error: line too long" (Postfix 3.x wording for smtpd's
//     overlong command) and are skipped; messages: max_message_bytes
//     (message_size_limit, "552 5.3.4 Message size exceeds fixed limit");
//     recipients: max_recipients ("452 4.5.3 Error: too many recipients").
//     Memory: one command line, or one DATA piece plus the message.
// NOTE
//     lib/mail/smtp_command.h and lib/mail/queue_record.h both define
//     tern::DsnRet (differently), so this header, included next to the
//     queue-file code in main.cpp, passes RET and BODY as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tern {
struct SmtpCommand;  // lib/mail/smtp_command.h, kept out of this header (see below)
}  // namespace tern

namespace sendmail {

struct SessionSettings {
    std::string hostname;                           // myhostname
    std::string banner;                             // smtpd_banner, expanded
    std::uint64_t max_message_bytes = 10'240'000;   // 0: no limit
    std::size_t max_line_bytes = 2048;
    std::size_t max_recipients = 1000;
};

struct SmtpRecipient {
    std::string address;
    std::string orcpt;    // "type;address" or empty
    unsigned notify = 0;  // NOTIFY bits (kNotify*), 0: not given
};

struct SmtpEnvelope {
    std::string sender;
    std::string envid;      // empty: not given
    std::string ret;        // "FULL", "HDRS" or empty
    std::string body_type;  // "7BIT", "8BITMIME" or empty
    bool smtputf8 = false;
    std::vector<SmtpRecipient> recipients;
};

// Queues one message; returns the complete reply line (no CRLF).
using QueueMessage = std::function<std::string(const SmtpEnvelope&, std::string_view content)>;

class SmtpSession {
public:
    SmtpSession(SessionSettings settings, QueueMessage queue);
    ~SmtpSession();
    SmtpSession(const SmtpSession&) = delete;
    SmtpSession& operator=(const SmtpSession&) = delete;

    [[nodiscard]] std::string greeting() const;
    // Takes input bytes; returns the replies they caused (CRLF lines).
    [[nodiscard]] std::string feed(std::string_view input);
    // End of input: a last line without line end counts as a command.
    [[nodiscard]] std::string end_of_input();
    [[nodiscard]] bool finished() const noexcept { return finished_; }

private:
    struct Data;
    void on_line(std::string_view line, std::string& out);
    void on_command(std::string_view line, std::string& out);
    void on_mail(const tern::SmtpCommand& cmd, std::string& out);
    void on_rcpt(const tern::SmtpCommand& cmd, std::string& out);
    void on_data(std::string& out);
    void feed_data(std::string_view bytes, std::string& out);
    void reset() noexcept;

    SessionSettings settings_;
    QueueMessage queue_;
    std::string pending_;          // input not yet handled
    bool skipping_ = false;        // inside an overlong command line
    bool finished_ = false;
    bool in_transaction_ = false;  // MAIL accepted
    SmtpEnvelope envelope_;
    std::unique_ptr<Data> data_;   // set while DATA content is read
};

}  // namespace sendmail
