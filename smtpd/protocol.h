// smtpd/protocol.h - the SMTP server state machine of one session, without I/O
//
// SYNOPSIS
//     smtpd::Protocol p(settings, policy, host, {.name = "localhost", .address = "127.0.0.1"});
//     p.greet();
//     std::size_t used = p.feed(input);          // every complete command, or DATA/BDAT bytes
//     write(p.take_output());                    // the replies, batched (RFC 2920)
//     if (p.waiting()) ... wait for host callbacks: p.cleanup_opened(id), p.cleanup_replied(r),
//                         p.cleanup_failed(why), then feed() again;
//     if (p.closing()) ... write the output, then close;  p.lost_connection(); p.timed_out();
//     p.finish();                                // logs "disconnect from ... counters"
// DESCRIPTION
//     Pure: bytes in, replies and cleanup requests out. The session
//     (smtpd/session.h) does the socket, the timers and the cleanup
//     connection; unit tests drive a Protocol with a fake host.
//     feed() takes whole command lines (scan_smtp_line) and, in DATA or
//     BDAT, message bytes; it stops at an incomplete line, when it must
//     wait for cleanup (first accepted RCPT: the queue ID; end of data:
//     the final reply), or when the session must close (QUIT, 421, 521).
//     Replies collect in the output until the session writes them, so a
//     pipelined group is answered in one write.
//     Replies and log lines use Postfix 3.7's words (smtpd(8), DESIGN.md
//     section 6). States with a hook for later: STARTTLS and AUTH answer
//     "not implemented/enabled" until TLS and SASL exist.
// LIMITS
//     Command lines: line_length_limit; recipients: smtpd_recipient_limit;
//     message: message_size_limit; errors: smtpd_soft_error_limit (the
//     session delays replies) and smtpd_hard_error_limit (421, close).
//     Content is handed on in pieces of at most kCleanupMaxChunkBytes; an
//     idle Protocol holds no buffers beyond its small strings.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lib/mail/attr.h"
#include "lib/mail/cleanup_client.h"
#include "lib/mail/smtp_command.h"
#include "lib/mail/smtp_data.h"
#include "smtpd/command_counts.h"
#include "smtpd/restrictions.h"
#include "smtpd/settings.h"

namespace smtpd {

struct ClientInfo {
    std::string name = "unknown";
    std::string address;
    std::string port;
    bool bare_newline_excluded = false;  // in smtpd_forbid_bare_newline_exclusions
};

// The access policy as the protocol sees it (Restrictions in the daemon, a fake in tests).
class Policy {
public:
    virtual ~Policy() = default;
    [[nodiscard]] virtual Verdict check(Stage stage, const PolicyContext& context) const = 0;
};

// The cleanup connection as the protocol sees it; answers come back through
// Protocol::cleanup_opened / cleanup_replied / cleanup_failed.
class CleanupHost {
public:
    virtual ~CleanupHost() = default;
    // False when the connection failed at once (no callback follows).
    virtual bool open_cleanup(const tern::AttrList& envelope) = 0;
    virtual void send_cleanup(const tern::AttrList& message) = 0;
    virtual void finish_cleanup() = 0;
    virtual void abort_cleanup() = 0;  // no callback follows
};

class Protocol {
public:
    Protocol(const Settings& settings, const Policy& policy, CleanupHost& host, ClientInfo client);

    void greet();
    std::size_t feed(std::string_view input);
    [[nodiscard]] std::string take_output() { return std::exchange(output_, {}); }
    [[nodiscard]] bool has_output() const noexcept { return !output_.empty(); }
    [[nodiscard]] bool waiting() const noexcept { return phase_ == Phase::AwaitOpen || phase_ == Phase::AwaitQueued; }
    [[nodiscard]] bool closing() const noexcept { return closing_; }
    // True once when a reply was an error past smtpd_soft_error_limit: delay it.
    [[nodiscard]] bool take_delay() noexcept { return std::exchange(delay_, false); }

    void cleanup_opened(std::string_view queue_id);
    void cleanup_replied(const tern::CleanupReply& reply);
    void cleanup_failed(const std::string& why);

    void timed_out();
    void lost_connection();
    void finish();

    [[nodiscard]] const CommandCounts& counts() const noexcept { return counts_; }

private:
    enum class Phase { Command, AwaitOpen, Data, Bdat, AwaitQueued };

    // protocol.cpp: dispatch and the small commands
    std::size_t feed_command(std::string_view input);
    void handle_line(std::string_view line);
    void dispatch(tern::SmtpVerb verb, std::string_view line);
    void do_helo(const tern::SmtpCommand& cmd, bool extended);
    void do_vrfy(std::string_view line);
    void do_simple(tern::SmtpVerb verb, std::string_view line);
    void reply(std::string_view line);
    void reply_counted(Counted counted, std::string_view line);
    void bare_newline(std::string_view where);
    void count_unfinished_content();
    [[nodiscard]] std::string client_text() const;
    [[nodiscard]] std::string after_text() const;
    [[nodiscard]] PolicyContext context(std::string_view recipient = {}) const;
    void log_reject(std::string_view stage, std::string_view reply_line, std::string_view recipient) const;

    // protocol_mail.cpp: the envelope and the cleanup connection
    void do_mail(std::string_view line);
    void do_rcpt(std::string_view line);
    void accept_recipient(const tern::SmtpCommand& cmd);
    [[nodiscard]] tern::AttrList envelope() const;
    void reset_transaction();
    [[nodiscard]] bool in_transaction() const noexcept { return sender_given_; }

    // protocol_data.cpp: DATA and BDAT content
    void do_data(std::string_view line);
    void do_bdat(std::string_view line);
    [[nodiscard]] bool refuse_content_start(Counted counted);
    std::size_t feed_data(std::string_view input);
    std::size_t feed_bdat(std::string_view input);
    void finish_chunk();
    void flush_content(bool all);
    void end_of_message(tern::DataProblem problem);
    [[nodiscard]] tern::DataLimits data_limits() const noexcept;

    const Settings& settings_;
    const Policy& policy_;
    CleanupHost& host_;
    ClientInfo client_;
    Phase phase_ = Phase::Command;
    std::string output_;
    CommandCounts counts_;
    long long error_count_ = 0;
    bool closing_ = false;
    bool delay_ = false;
    bool skipping_long_line_ = false;
    std::string last_command_ = "CONNECT";
    std::string helo_name_;
    std::string protocol_name_ = "SMTP";
    std::string client_reject_;  // a rejected client gets this for every command

    // The transaction (MAIL .. end of data).
    bool sender_given_ = false;
    std::string sender_;
    tern::MailParams mail_params_;
    long long rcpt_count_ = 0;
    std::string last_recipient_;
    bool cleanup_open_ = false;
    bool cleanup_failed_ = false;
    std::string queue_id_;

    // Content, only while DATA or BDAT runs.
    std::unique_ptr<tern::DataDecoder> data_;
    std::unique_ptr<tern::ChunkDecoder> chunks_;
    std::string content_;
    bool bdat_discard_ = false;   // the current chunk is read and dropped
    bool bdat_last_ = false;
    std::uint64_t bdat_chunk_bytes_ = 0;
};

}  // namespace smtpd
