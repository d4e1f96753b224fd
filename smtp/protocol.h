// smtp/protocol.h - the SMTP/LMTP client conversation as a pure state machine (no I/O)
//
// SYNOPSIS
//     smtp::Protocol p(smtp::Dialect::Smtp, {.helo_name = "me.example"}, "mx.example[192.0.2.7]");
//     p.on_reply(greeting);                 // Event::None: EHLO is now in p.take_output()
//     p.on_reply(ehlo_reply);               // Event::Ready
//     p.begin(transaction);                 // MAIL/RCPT/DATA in take_output() (one write with PIPELINING)
//     ... p.on_reply(r) == Event::SendContent -> stream the dot-stuffed content and ".", then p.content_sent();
//     ... p.on_reply(r) == Event::Done -> p.results(): one RcptResult per recipient; p.reusable()
//     p.lost(/*timed_out=*/true) -> Failure ("conversation with H[A] timed out while sending RCPT TO")
//     p.quit();                             // QUIT in take_output(); Event::Closed after its reply
// DESCRIPTION
//     Protocol turns server replies (lib/mail/smtp_reply.h) into the next
//     commands and into per-recipient results, worded as Postfix's smtp(8):
//       greeting: 2xx, else "host H[A] refused to talk to me: REPLY" (a
//           5xx counts as 4xx with skip_5xx_greeting, so the next MX is tried);
//       EHLO (HELO when EHLO is refused; LHLO for LMTP, no fallback);
//       MAIL FROM with SIZE=, BODY=8BITMIME, SMTPUTF8, RET=, ENVID= as the
//           server offers them; RCPT TO with NOTIFY= and ORCPT= when it
//           offers DSN; DATA. With PIPELINING all of them go in one write.
//       Per recipient: a 4xx/5xx to RCPT settles it "host H[A] said: REPLY
//           (in reply to RCPT TO command)"; a 4xx/5xx to MAIL or DATA, or to
//           the end of data (SMTP), settles every recipient still open; the
//           reply to the end of data settles the accepted ones as sent. LMTP
//           gives one reply per accepted recipient after the data (RFC 2033).
//       Only 2xx completes a command (354 for DATA); a 3xx elsewhere counts
//           as 5.0.0, and a 2xx where a 354 was due defers with 4.5.0.
//       A transaction that ended early is followed by RSET so that the
//           session can be cached; a 421 reply ends the session.
//     Session-level trouble (greeting, HELO, 421, lost connection, timeout)
//     is a Failure that the caller applies to every recipient not settled.
// LIMITS
//     At most kMaxDeliveryRecipients recipients per transaction (the
//     request's own limit); replies come through a bounded ReplyParser.
// ERRORS
//     Calls in the wrong state are bugs (TERN_ASSERT-style panic).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "lib/mail/delivery_protocol.h"
#include "lib/mail/dsn.h"
#include "lib/mail/smtp_reply.h"
#include "smtp/nexthop.h"

namespace smtp {

struct Features {
    bool esmtp = false;
    bool pipelining = false;
    bool size = false;
    std::uint64_t size_limit = 0;  // 0: none announced
    bool eightbitmime = false;
    bool smtputf8 = false;
    bool dsn = false;
};

// The keywords of an EHLO/LHLO reply (every line after the first).
[[nodiscard]] Features parse_ehlo(const tern::SmtpReply& reply);

struct TxRecipient {
    std::string address;
    std::string orcpt;    // "rfc822;a@b" or ""
    unsigned notify = 0;  // kDsnNotify* bits
};

struct Transaction {
    std::string sender;  // "" is the null sender
    std::string envid;
    tern::DsnRet ret = tern::DsnRet::None;
    std::vector<TxRecipient> recipients;
    std::uint64_t size = 0;      // content bytes
    bool eightbitmime = false;   // BODY=8BITMIME was given on receipt
    bool smtputf8 = false;       // SMTPUTF8 was given on receipt
};

struct ProtocolSettings {
    std::string helo_name;
    bool skip_5xx_greeting = true;
    // SMTP only: a server whose EHLO/HELO reply names this host (myhostname)
    // is this MTA itself; delivering would loop, so the recipients bounce
    // "mail for HOST loops back to myself" (5.4.6), as in Postfix. Empty:
    // no check (LMTP, whose server is local by design).
    std::string my_hostname;
};

// What a reply answers: for timeouts and Postfix's "while ..." texts.
enum class Stage { Greeting, Hello, Helo, Mail, Rcpt, Data, Content, Dot, Rset, Quit };

struct Failure {
    tern::DeliveryStatus status = tern::DeliveryStatus::Deferred;
    std::string dsn = "4.4.2";
    std::string reason;
    std::string diagnostic;  // "smtp; 421 ..." when a server said it
};

struct RcptResult {
    bool settled = false;
    bool accepted = false;  // RCPT was answered 2xx
    tern::DeliveryStatus status = tern::DeliveryStatus::Deferred;
    std::string dsn;
    std::string reason;
    std::string diagnostic;
};

// A reply as Postfix quotes it in logs: every line with its code, joined by spaces.
[[nodiscard]] std::string quote_reply(const tern::SmtpReply& reply);
// The reply's enhanced code when its class matches the reply's, else "2.0.0",
// "4.0.0", or "5.0.0" for 5xx and for a 3xx where none belongs (as Postfix).
[[nodiscard]] std::string reply_dsn(const tern::SmtpReply& reply);
// True when an envelope address is not ASCII, so the server must offer SMTPUTF8.
[[nodiscard]] bool needs_smtputf8(const Transaction& tx) noexcept;

class Protocol {
public:
    enum class Event { None, Ready, SendContent, Done, Failed, Closed };

    Protocol(Dialect dialect, ProtocolSettings settings, std::string peer);

    Event on_reply(const tern::SmtpReply& reply);
    // State Ready only. May return Done at once (SIZE or SMTPUTF8 refusal).
    Event begin(const Transaction& tx);
    // The caller has written the content and the final "." line.
    void content_sent();
    // Asks the server to close (state Ready or after Done).
    void quit();
    // The connection broke or a reply did not come in time: the Failure for
    // the recipients not settled. The session is over.
    Failure lost(bool timed_out);

    [[nodiscard]] std::string take_output();
    // The stage whose reply is awaited next, nullopt when none is.
    [[nodiscard]] std::optional<Stage> awaiting() const noexcept;
    [[nodiscard]] Stage stage() const noexcept;
    [[nodiscard]] bool ready() const noexcept { return state_ == State::Ready; }
    [[nodiscard]] bool reusable() const noexcept { return state_ == State::Ready; }
    [[nodiscard]] const Features& features() const noexcept { return features_; }
    [[nodiscard]] const std::vector<RcptResult>& results() const noexcept { return results_; }
    [[nodiscard]] const Failure& failure() const noexcept { return failure_; }
    [[nodiscard]] Dialect dialect() const noexcept { return dialect_; }

private:
    enum class State { Greeting, Hello, Ready, Transaction, Content, Rset, Quit, Closed };
    struct Pending {
        Stage stage;
        std::size_t rcpt = 0;
    };

    Event on_greeting(const tern::SmtpReply& reply);
    Event on_hello(const tern::SmtpReply& reply, Stage stage);
    Event on_transaction_reply(const tern::SmtpReply& reply);
    Event on_mail(const tern::SmtpReply& reply);
    void on_rcpt(const tern::SmtpReply& reply, std::size_t index);
    Event on_data(const tern::SmtpReply& reply);
    void on_dot(const tern::SmtpReply& reply, std::optional<std::size_t> index);
    Event after_reply();
    Event end_transaction();
    Event fail_session(const tern::SmtpReply& reply, std::string_view command);
    Event fail(Failure failure);
    void send(std::string command, Stage stage, std::size_t rcpt = 0);
    void send_next_unpipelined();
    void settle(std::size_t index, const tern::SmtpReply& reply, std::string_view command);
    void settle_open(const tern::SmtpReply& reply, std::string_view command, bool accepted_only);
    Event refuse_all(std::string dsn, std::string reason);
    [[nodiscard]] std::string mail_command() const;
    [[nodiscard]] std::string rcpt_command(const TxRecipient& r) const;
    [[nodiscard]] std::size_t accepted_count() const noexcept;
    [[nodiscard]] std::string_view hello_command() const noexcept;

    Dialect dialect_;
    ProtocolSettings settings_;
    std::string peer_;  // "host[addr]"
    State state_ = State::Greeting;
    Features features_;
    std::string output_;
    std::deque<Pending> pending_;
    Transaction tx_;
    std::vector<RcptResult> results_;
    std::size_t next_rcpt_ = 0;  // unpipelined: next RCPT to send
    bool mail_failed_ = false;
    bool aborted_ = false;       // the transaction ended early: RSET before reuse
    Stage last_stage_ = Stage::Greeting;
    Failure failure_;
};

[[nodiscard]] std::string_view while_text(Stage stage, Dialect dialect) noexcept;

}  // namespace smtp
