// smtpd/protocol.cpp - command dispatch, HELO/EHLO and the small commands (see protocol.h)
#include "smtpd/protocol.h"

#include <array>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/smtp_line.h"
#include "lib/mail/smtp_reply.h"

namespace smtpd {

namespace {

constexpr std::string_view kReplyNotRecognized = tern::kReplyUnknownCommand;
constexpr std::string_view kReplyBadSyntax = "500 5.5.2 Error: bad syntax";
constexpr std::string_view kReplyLineTooLong = "500 5.5.2 Error: line too long";
constexpr std::string_view kReplyOk = "250 2.0.0 Ok";

constexpr std::array kAllVerbs = {
    tern::SmtpVerb::Ehlo, tern::SmtpVerb::Helo, tern::SmtpVerb::Mail, tern::SmtpVerb::Rcpt,
    tern::SmtpVerb::Data, tern::SmtpVerb::Bdat, tern::SmtpVerb::Rset, tern::SmtpVerb::Noop,
    tern::SmtpVerb::Quit, tern::SmtpVerb::Vrfy, tern::SmtpVerb::Expn, tern::SmtpVerb::Help,
    tern::SmtpVerb::Starttls, tern::SmtpVerb::Auth,
};

// The verb of a command line from its first word, without parsing the rest.
tern::SmtpVerb verb_of(std::string_view line) noexcept {
    const std::size_t end = line.find_first_of(" \t");
    const std::string_view word = line.substr(0, end);
    for (tern::SmtpVerb verb : kAllVerbs)
        if (tern::iequals(word, tern::verb_name(verb))) return verb;
    return tern::SmtpVerb::Unknown;
}

bool is_error_reply(std::string_view line) noexcept { return !line.empty() && (line[0] == '4' || line[0] == '5'); }

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

}  // namespace

Protocol::Protocol(const Settings& settings, const Policy& policy, CleanupHost& host, ClientInfo client)
    : settings_(settings), policy_(policy), host_(host), client_(std::move(client)) {}

std::string Protocol::client_text() const { return client_.name + "[" + client_.address + "]"; }

std::string Protocol::after_text() const {
    if (phase_ == Phase::Data && data_) return "DATA (" + std::to_string(data_->content_bytes()) + " bytes)";
    if (phase_ == Phase::Bdat && chunks_) return "BDAT (" + std::to_string(chunks_->content_bytes()) + " bytes)";
    return last_command_;
}

PolicyContext Protocol::context(std::string_view recipient) const {
    PolicyContext ctx;
    ctx.client_name = client_.name;
    ctx.client_address = client_.address;
    ctx.helo_name = helo_name_;
    ctx.sender = sender_;
    ctx.sender_given = sender_given_;
    ctx.recipient = recipient;
    ctx.protocol = protocol_name_;
    return ctx;
}

// "NOQUEUE: reject: RCPT from c[a]: 554 5.7.1 ...; from=<s> to=<r> proto=ESMTP helo=<h>"
void Protocol::log_reject(std::string_view stage, std::string_view reply_line, std::string_view recipient) const {
    std::string detail;
    if (sender_given_) detail += " from=<" + tern::printable(sender_, 300) + ">";
    if (!recipient.empty()) detail += " to=<" + tern::printable(recipient, 300) + ">";
    detail += " proto=" + protocol_name_;
    if (!helo_name_.empty()) detail += " helo=<" + tern::printable(helo_name_, 300) + ">";
    tern::log_info("%s: reject: %.*s from %s: %s;%s", queue_id_.empty() ? "NOQUEUE" : queue_id_.c_str(),
                   static_cast<int>(stage.size()), stage.data(), client_text().c_str(),
                   tern::printable(reply_line, 500).c_str(), detail.c_str());
}

void Protocol::reply(std::string_view line) {
    output_ += tern::format_reply(line);
    if (tern::closes_session(line)) closing_ = true;
    if (!is_error_reply(line)) return;
    ++error_count_;
    if (error_count_ > settings_.soft_error_limit && settings_.error_sleep_ms > 0) delay_ = true;
}

void Protocol::reply_counted(Counted counted, std::string_view line) {
    counts_.record(counted, !is_error_reply(line));
    reply(line);
}

void Protocol::greet() {
    if (Verdict v = policy_.check(Stage::Client, context()); v.kind != VerdictKind::Accept) {
        log_reject("CONNECT", v.reply, {});
        client_reject_ = v.reply;
    }
    output_ += tern::format_reply("220 " + settings_.banner);
}

std::size_t Protocol::feed(std::string_view input) {
    std::size_t used = 0;
    while (!closing_ && !waiting() && used < input.size()) {
        std::size_t n = 0;
        switch (phase_) {
        case Phase::Command: n = feed_command(input.substr(used)); break;
        case Phase::Data: n = feed_data(input.substr(used)); break;
        case Phase::Bdat: n = feed_bdat(input.substr(used)); break;
        case Phase::AwaitOpen:
        case Phase::AwaitQueued: break;
        }
        if (n == 0) break;
        used += n;
    }
    return used;
}

std::size_t Protocol::feed_command(std::string_view input) {
    if (skipping_long_line_) {
        const tern::LineSkip skip = tern::skip_line(input);
        skipping_long_line_ = !skip.ended;
        return skip.consumed;
    }
    const tern::LineScan scan = tern::scan_smtp_line(input, settings_.line_length_limit);
    switch (scan.status) {
    case tern::LineStatus::NeedMore: return 0;
    case tern::LineStatus::TooLong: {
        last_command_ = "UNKNOWN";
        reply(kReplyLineTooLong);
        const tern::LineSkip skip = tern::skip_line(input);
        skipping_long_line_ = !skip.ended;
        return skip.consumed;
    }
    case tern::LineStatus::BareLf:
        if (settings_.forbid_bare_newline && !client_.bare_newline_excluded) {
            bare_newline("command");
            return scan.consumed;
        }
        handle_line(scan.line.substr(0, scan.line.find_last_not_of('\r') + 1));
        return scan.consumed;
    case tern::LineStatus::BareCr:
        reply(kReplyBadSyntax);
        return scan.consumed;
    case tern::LineStatus::Complete: handle_line(scan.line); return scan.consumed;
    }
    return scan.consumed;
}

// smtpd_forbid_bare_newline: a bare LF is how SMTP smuggling starts; refuse and hang up.
void Protocol::bare_newline(std::string_view where) {
    tern::log_info("disallowed bare <LF> in %.*s after %s from %s", static_cast<int>(where.size()), where.data(),
                   last_command_.c_str(), client_text().c_str());
    if (cleanup_open_) host_.abort_cleanup();
    cleanup_open_ = false;
    reply(tern::data_error_reply(tern::DataProblem::BareNewline, 521, settings_.myhostname));
}

void Protocol::handle_line(std::string_view line) {
    const tern::SmtpVerb verb = verb_of(line);
    last_command_ = verb == tern::SmtpVerb::Unknown ? "UNKNOWN" : upper(tern::verb_name(verb));
    dispatch(verb, line);
    if (closing_ || error_count_ < settings_.hard_error_limit) return;
    tern::log_info("too many errors after %s from %s", last_command_.c_str(), client_text().c_str());
    reply("421 4.7.0 " + settings_.myhostname + " Error: too many errors");
}

void Protocol::dispatch(tern::SmtpVerb verb, std::string_view line) {
    if (line.empty()) return reply(kReplyBadSyntax);
    const tern::CommandOptions options = command_options(settings_);
    switch (verb) {
    case tern::SmtpVerb::Ehlo:
    case tern::SmtpVerb::Helo: {
        const Counted counted = verb == tern::SmtpVerb::Ehlo ? Counted::Ehlo : Counted::Helo;
        tern::Result<tern::SmtpCommand> cmd = tern::parse_smtp_command(line, options);
        if (!cmd) return reply_counted(counted, cmd.error().text);
        return do_helo(*cmd, verb == tern::SmtpVerb::Ehlo);
    }
    case tern::SmtpVerb::Mail: return do_mail(line);
    case tern::SmtpVerb::Rcpt: return do_rcpt(line);
    case tern::SmtpVerb::Data: return do_data(line);
    case tern::SmtpVerb::Bdat: return do_bdat(line);
    case tern::SmtpVerb::Vrfy: return do_vrfy(line);
    case tern::SmtpVerb::Rset:
    case tern::SmtpVerb::Noop:
    case tern::SmtpVerb::Quit:
    case tern::SmtpVerb::Starttls:
    case tern::SmtpVerb::Auth: return do_simple(verb, line);
    case tern::SmtpVerb::Expn:
    case tern::SmtpVerb::Help:
    case tern::SmtpVerb::Unknown: return reply_counted(Counted::Unknown, kReplyNotRecognized);
    }
}

void Protocol::do_helo(const tern::SmtpCommand& cmd, bool extended) {
    const Counted counted = extended ? Counted::Ehlo : Counted::Helo;
    if (!client_reject_.empty()) return reply_counted(counted, client_reject_);
    const std::string previous = std::exchange(helo_name_, cmd.argument);
    const std::string previous_protocol = std::exchange(protocol_name_, extended ? "ESMTP" : "SMTP");
    if (Verdict v = policy_.check(Stage::Helo, context()); v.kind != VerdictKind::Accept) {
        log_reject(extended ? "EHLO" : "HELO", v.reply, {});
        helo_name_ = previous;
        protocol_name_ = previous_protocol;
        return reply_counted(counted, v.reply);
    }
    reset_transaction();  // RFC 5321 section 4.1.4: EHLO/HELO also reset
    if (!extended) return reply_counted(counted, "250 " + settings_.myhostname);
    std::vector<std::string> lines{settings_.myhostname};
    const std::string size =
        settings_.message_size_limit > 0 ? "SIZE " + std::to_string(settings_.message_size_limit) : "SIZE";
    std::vector<std::string> keywords{"PIPELINING", size};
    if (!settings_.disable_vrfy) keywords.emplace_back("VRFY");
    for (const char* k : {"ENHANCEDSTATUSCODES", "8BITMIME", "DSN"}) keywords.emplace_back(k);
    if (settings_.smtputf8_enable) keywords.emplace_back("SMTPUTF8");
    keywords.emplace_back("CHUNKING");
    for (const std::string& k : keywords) {
        const std::string name = k.substr(0, k.find(' '));
        bool discard = false;
        for (const std::string& d : settings_.discard_ehlo_keywords) discard = discard || tern::iequals(d, name);
        if (!discard) lines.push_back(k);
    }
    counts_.record(counted, true);
    output_ += tern::format_multiline(250, "", lines);
}

void Protocol::do_vrfy(std::string_view line) {
    if (settings_.disable_vrfy) return reply_counted(Counted::Vrfy, "502 5.5.1 VRFY command is disabled");
    const tern::CommandOptions options = command_options(settings_);
    tern::Result<tern::SmtpCommand> cmd = tern::parse_smtp_command(line, options);
    if (!cmd) return reply_counted(Counted::Vrfy, cmd.error().text);
    if (cmd->argument.empty()) return reply_counted(Counted::Vrfy, "501 5.5.4 Syntax: VRFY address");
    const std::string shown = cmd->path.address.empty() ? cmd->argument : cmd->path.address;
    reply_counted(Counted::Vrfy, "252 2.0.0 " + shown);
}

void Protocol::do_simple(tern::SmtpVerb verb, std::string_view line) {
    const bool has_argument = line.find_first_not_of(" \t", tern::verb_name(verb).size()) != std::string_view::npos;
    switch (verb) {
    case tern::SmtpVerb::Rset:
        if (has_argument) return reply_counted(Counted::Rset, "501 5.5.4 Syntax: RSET");
        reset_transaction();
        return reply_counted(Counted::Rset, kReplyOk);
    case tern::SmtpVerb::Noop: return reply_counted(Counted::Noop, kReplyOk);
    case tern::SmtpVerb::Quit:
        counts_.record(Counted::Quit, true);
        output_ += tern::format_reply("221 2.0.0 Bye");
        closing_ = true;
        return;
    case tern::SmtpVerb::Starttls:  // hook: TLS comes with issue-level STARTTLS support
        return reply_counted(Counted::Starttls, "502 5.5.1 Error: command not implemented");
    case tern::SmtpVerb::Auth:  // hook: SASL
        return reply_counted(Counted::Auth, "503 5.5.1 Error: authentication not enabled");
    case tern::SmtpVerb::Ehlo:
    case tern::SmtpVerb::Helo:
    case tern::SmtpVerb::Mail:
    case tern::SmtpVerb::Rcpt:
    case tern::SmtpVerb::Data:
    case tern::SmtpVerb::Bdat:
    case tern::SmtpVerb::Vrfy:
    case tern::SmtpVerb::Expn:
    case tern::SmtpVerb::Help:
    case tern::SmtpVerb::Unknown: return reply_counted(Counted::Unknown, kReplyNotRecognized);
    }
}

// A DATA or BDAT that never got its final reply counts as failed, as in Postfix.
void Protocol::count_unfinished_content() {
    const bool in_content =
        phase_ == Phase::Data || phase_ == Phase::AwaitQueued || (phase_ == Phase::Bdat && !bdat_discard_);
    if (in_content) counts_.record(chunks_ ? Counted::Bdat : Counted::Data, false);
}

void Protocol::timed_out() {
    tern::log_info("timeout after %s from %s", after_text().c_str(), client_text().c_str());
    count_unfinished_content();
    if (cleanup_open_) host_.abort_cleanup();
    cleanup_open_ = false;
    output_ += tern::format_reply("421 4.4.2 " + settings_.myhostname + " Error: timeout exceeded");
    closing_ = true;
}

void Protocol::lost_connection() {
    tern::log_info("lost connection after %s from %s", after_text().c_str(), client_text().c_str());
    count_unfinished_content();
    if (cleanup_open_) host_.abort_cleanup();
    cleanup_open_ = false;
    closing_ = true;
}

void Protocol::finish() {
    if (cleanup_open_) host_.abort_cleanup();
    cleanup_open_ = false;
    tern::log_info("disconnect from %s%s", client_text().c_str(), counts_.summary().c_str());
}

}  // namespace smtpd
