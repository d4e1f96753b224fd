// smtp/protocol.cpp - the client conversation state machine; see protocol.h
#include "smtp/protocol.h"

#include "lib/base/log.h"
#include "lib/base/text.h"

namespace smtp {

namespace {

using tern::DeliveryStatus;
using tern::SmtpReply;

[[noreturn]] void misuse(const char* what) { tern::log_panic("smtp protocol: %s in the wrong state", what); }

std::string_view command_name(Stage stage) noexcept {
    switch (stage) {
    case Stage::Mail: return "MAIL FROM";
    case Stage::Rcpt: return "RCPT TO";
    case Stage::Data: return "DATA";
    case Stage::Dot:
    case Stage::Content: return "end of DATA";
    case Stage::Rset: return "RSET";
    case Stage::Quit: return "QUIT";
    case Stage::Greeting:
    case Stage::Hello:
    case Stage::Helo: break;
    }
    return "EHLO";
}

// Only 2xx completes a command (354 is checked where DATA is answered). As
// Postfix, a reply of another class counts by its DSN: 4xx defers, and
// anything else (5xx, a 3xx where none belongs) bounces.
bool ok(const SmtpReply& reply) noexcept { return reply.code / 100 == 2; }

DeliveryStatus status_of(const SmtpReply& reply) noexcept {
    if (ok(reply)) return DeliveryStatus::Sent;
    return reply.temporary() ? DeliveryStatus::Deferred : DeliveryStatus::Bounced;
}

// A 2xx where a refusal or a 354 was due is a protocol error: deferred.
constexpr const char* kProtocolErrorDsn = "4.5.0";

// "mx.example.com[192.0.2.7]" -> "mx.example.com"
std::string host_of(std::string_view peer) { return std::string(peer.substr(0, peer.find('['))); }

// The first word of a HELO/EHLO reply is the server's own name.
bool greets_as(const SmtpReply& reply, std::string_view name) {
    if (name.empty() || reply.lines.empty()) return false;
    const std::string_view first = reply.lines.front();
    return tern::iequals(first.substr(0, first.find(' ')), name);
}

}  // namespace

Protocol::Protocol(Dialect dialect, ProtocolSettings settings, std::string peer)
    : dialect_(dialect), settings_(std::move(settings)), peer_(std::move(peer)) {
    pending_.push_back({Stage::Greeting});
}

std::string Protocol::take_output() { return std::exchange(output_, {}); }

std::optional<Stage> Protocol::awaiting() const noexcept {
    if (pending_.empty()) return std::nullopt;
    return pending_.front().stage;
}

Stage Protocol::stage() const noexcept {
    if (state_ == State::Content) return Stage::Content;
    if (!pending_.empty()) return pending_.front().stage;
    return last_stage_;
}

std::string_view Protocol::hello_command() const noexcept { return dialect_ == Dialect::Lmtp ? "LHLO" : "EHLO"; }

void Protocol::send(std::string command, Stage stage, std::size_t rcpt) {
    output_ += command;
    pending_.push_back({stage, rcpt});
}

Protocol::Event Protocol::on_reply(const SmtpReply& reply) {
    if (pending_.empty()) misuse("reply");
    const Pending front = pending_.front();
    pending_.pop_front();
    last_stage_ = front.stage;
    switch (state_) {
    case State::Greeting: return on_greeting(reply);
    case State::Hello: return on_hello(reply, front.stage);
    case State::Transaction: {
        pending_.push_front(front);
        return on_transaction_reply(reply);
    }
    case State::Rset:
        if (ok(reply)) {
            state_ = State::Ready;
            return Event::Done;
        }
        state_ = State::Closed;
        return Event::Done;
    case State::Quit: state_ = State::Closed; return Event::Closed;
    case State::Ready:
    case State::Content:
    case State::Closed: break;
    }
    misuse("reply");
}

Protocol::Event Protocol::on_greeting(const SmtpReply& reply) {
    if (!ok(reply)) {
        Failure f{status_of(reply), reply_dsn(reply), "host " + peer_ + " refused to talk to me: " + quote_reply(reply),
                  "smtp; " + quote_reply(reply)};
        if (f.status == DeliveryStatus::Bounced && settings_.skip_5xx_greeting) {
            f.status = DeliveryStatus::Deferred;
            f.dsn[0] = '4';
        }
        return fail(std::move(f));
    }
    state_ = State::Hello;
    send(std::string(hello_command()) + " " + settings_.helo_name + "\r\n", Stage::Hello);
    return Event::None;
}

Protocol::Event Protocol::on_hello(const SmtpReply& reply, Stage stage) {
    if (ok(reply) && dialect_ == Dialect::Smtp && greets_as(reply, settings_.my_hostname)) {
        tern::log_warning("host %s replied to HELO/EHLO with my own hostname %s", peer_.c_str(),
                          settings_.my_hostname.c_str());
        return fail({DeliveryStatus::Bounced, "5.4.6", "mail for " + host_of(peer_) + " loops back to myself", ""});
    }
    if (ok(reply)) {
        if (stage == Stage::Hello) features_ = parse_ehlo(reply);
        state_ = State::Ready;
        return Event::Ready;
    }
    if (stage == Stage::Hello && dialect_ == Dialect::Smtp && reply.code != 421) {
        send("HELO " + settings_.helo_name + "\r\n", Stage::Helo);
        return Event::None;
    }
    return fail_session(reply, stage == Stage::Helo ? "HELO" : hello_command());
}

Protocol::Event Protocol::fail_session(const SmtpReply& reply, std::string_view command) {
    const std::string quoted = quote_reply(reply);
    Failure f{status_of(reply), reply_dsn(reply),
              "host " + peer_ + " said: " + quoted + " (in reply to " + std::string(command) + " command)",
              "smtp; " + quoted};
    if (f.status == DeliveryStatus::Sent) {
        f.status = DeliveryStatus::Deferred;
        f.dsn = kProtocolErrorDsn;
    }
    return fail(std::move(f));
}

Protocol::Event Protocol::fail(Failure failure) {
    failure_ = std::move(failure);
    state_ = State::Closed;
    pending_.clear();
    return Event::Failed;
}

Failure Protocol::lost(bool timed_out) {
    const std::string_view during = while_text(stage(), dialect_);
    Failure f;
    f.reason = (timed_out ? "conversation with " + peer_ + " timed out while " : "lost connection with " + peer_ + " while ") +
               std::string(during);
    state_ = State::Closed;
    pending_.clear();
    failure_ = f;
    return f;
}

Protocol::Event Protocol::begin(const Transaction& tx) {
    if (state_ != State::Ready) misuse("begin");
    tx_ = tx;
    results_.assign(tx.recipients.size(), RcptResult{});
    next_rcpt_ = 0;
    mail_failed_ = false;
    aborted_ = false;
    if (features_.size && features_.size_limit > 0 && tx.size > features_.size_limit)
        return refuse_all("5.3.4", "message size " + std::to_string(tx.size) + " exceeds size limit " +
                                       std::to_string(features_.size_limit) + " of server " + peer_);
    if (needs_smtputf8(tx) && !features_.smtputf8)
        return refuse_all("5.6.7", "SMTPUTF8 is required, but was not offered by host " + peer_);
    state_ = State::Transaction;
    send(mail_command(), Stage::Mail);
    if (!features_.pipelining) return Event::None;
    for (std::size_t i = 0; i < tx.recipients.size(); ++i) send(rcpt_command(tx.recipients[i]), Stage::Rcpt, i);
    next_rcpt_ = tx.recipients.size();
    send("DATA\r\n", Stage::Data);
    return Event::None;
}

Protocol::Event Protocol::refuse_all(std::string dsn, std::string reason) {
    for (RcptResult& r : results_) r = {true, false, DeliveryStatus::Bounced, dsn, reason, ""};
    return Event::Done;
}

Protocol::Event Protocol::on_transaction_reply(const SmtpReply& reply) {
    const Pending front = pending_.front();
    pending_.pop_front();
    if (reply.code == 421) return fail_session(reply, command_name(front.stage));
    switch (front.stage) {
    case Stage::Mail: return on_mail(reply);
    case Stage::Rcpt: on_rcpt(reply, front.rcpt); break;
    case Stage::Data: return on_data(reply);
    case Stage::Dot:
        on_dot(reply, dialect_ == Dialect::Lmtp ? std::optional<std::size_t>(front.rcpt) : std::nullopt);
        break;
    case Stage::Greeting:
    case Stage::Hello:
    case Stage::Helo:
    case Stage::Content:
    case Stage::Rset:
    case Stage::Quit: misuse("transaction reply");
    }
    return after_reply();
}

Protocol::Event Protocol::on_mail(const SmtpReply& reply) {
    if (!ok(reply)) {
        mail_failed_ = true;
        aborted_ = true;
        settle_open(reply, "MAIL FROM", false);
    } else if (!features_.pipelining) {
        send_next_unpipelined();
    }
    return after_reply();
}

void Protocol::on_rcpt(const SmtpReply& reply, std::size_t index) {
    if (index >= results_.size()) misuse("RCPT index");
    if (!mail_failed_) {
        if (ok(reply)) results_[index].accepted = true;
        else settle(index, reply, "RCPT TO");
    }
    if (!features_.pipelining && !mail_failed_) send_next_unpipelined();
}

// Without PIPELINING: the next RCPT, then DATA once a recipient is accepted.
void Protocol::send_next_unpipelined() {
    if (next_rcpt_ < tx_.recipients.size()) {
        send(rcpt_command(tx_.recipients[next_rcpt_]), Stage::Rcpt, next_rcpt_);
        ++next_rcpt_;
        return;
    }
    if (accepted_count() > 0) send("DATA\r\n", Stage::Data);
    else aborted_ = true;
}

Protocol::Event Protocol::on_data(const SmtpReply& reply) {
    const bool go = reply.code / 100 == 3;
    if (go && !mail_failed_ && accepted_count() > 0) {
        state_ = State::Content;
        return Event::SendContent;
    }
    aborted_ = true;
    if (go) {
        // RFC 2920 section 3.1: a server that says 354 with no valid
        // recipient gets an empty message ended at once; its reply is ignored.
        output_ += ".\r\n";
        pending_.push_back({Stage::Dot, results_.size()});
        mail_failed_ = true;
    } else if (!mail_failed_) {
        settle_open(reply, "DATA", true);
    }
    return after_reply();
}

void Protocol::content_sent() {
    if (state_ != State::Content) misuse("content_sent");
    state_ = State::Transaction;
    if (dialect_ == Dialect::Smtp) {
        pending_.push_back({Stage::Dot});
        return;
    }
    for (std::size_t i = 0; i < results_.size(); ++i)
        if (results_[i].accepted && !results_[i].settled) pending_.push_back({Stage::Dot, i});
}

void Protocol::on_dot(const SmtpReply& reply, std::optional<std::size_t> index) {
    if (mail_failed_) return;  // the end of an empty message nobody was to receive
    if (index) {
        if (*index < results_.size()) settle(*index, reply, "end of DATA");
        return;
    }
    settle_open(reply, "end of DATA", true);
}

Protocol::Event Protocol::after_reply() {
    if (!pending_.empty() || state_ == State::Content) return Event::None;
    return end_transaction();
}

Protocol::Event Protocol::end_transaction() {
    bool open = false;
    for (const RcptResult& r : results_) open = open || !r.settled;
    if (open) aborted_ = true;  // cannot happen with a well-behaved server
    if (!aborted_) {
        state_ = State::Ready;
        return Event::Done;
    }
    state_ = State::Rset;
    send("RSET\r\n", Stage::Rset);
    return Event::None;
}

void Protocol::settle(std::size_t index, const SmtpReply& reply, std::string_view command) {
    RcptResult& r = results_[index];
    if (r.settled) return;
    const std::string quoted = quote_reply(reply);
    r.settled = true;
    r.status = status_of(reply);
    r.dsn = reply_dsn(reply);
    r.diagnostic = "smtp; " + quoted;
    if (r.status == DeliveryStatus::Sent && command != "end of DATA") {
        r.status = DeliveryStatus::Deferred;
        r.dsn = kProtocolErrorDsn;
    }
    if (r.status == DeliveryStatus::Sent) r.reason = quoted;
    else r.reason = "host " + peer_ + " said: " + quoted + " (in reply to " + std::string(command) + " command)";
}

void Protocol::settle_open(const SmtpReply& reply, std::string_view command, bool accepted_only) {
    for (std::size_t i = 0; i < results_.size(); ++i)
        if (!accepted_only || results_[i].accepted) settle(i, reply, command);
}

std::size_t Protocol::accepted_count() const noexcept {
    std::size_t n = 0;
    for (const RcptResult& r : results_) n += r.accepted && !r.settled ? 1 : 0;
    return n;
}

void Protocol::quit() {
    if (state_ != State::Ready) misuse("quit");
    state_ = State::Quit;
    send("QUIT\r\n", Stage::Quit);
}

}  // namespace smtp
