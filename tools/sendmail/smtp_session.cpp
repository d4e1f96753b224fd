// tools/sendmail/smtp_session.cpp - the SMTP conversation of sendmail -bs (contract in smtp_session.h)
#include "tools/sendmail/smtp_session.h"

#include "lib/base/text.h"
#include "lib/mail/smtp_command.h"
#include "lib/mail/smtp_data.h"
#include "lib/mail/smtp_reply.h"
#include "lib/mail/queue_record.h"

namespace sendmail {

namespace {

constexpr std::string_view kReplyOk = "250 2.0.0 Ok";
constexpr std::string_view kReplyNotRecognized = tern::kReplyUnknownCommand;
constexpr std::string_view kReplyNotImplemented = "502 5.5.1 Error: command not implemented";
constexpr std::string_view kReplyBadSyntax = "500 5.5.2 Error: bad syntax";
constexpr std::string_view kReplyLineTooLong = "500 5.5.2 Error: line too long";
constexpr std::string_view kReplyStartData = "354 End data with <CR><LF>.<CR><LF>";
// DATA without a line end for this long is passed to the decoder in pieces.
constexpr std::size_t kDataPieceBytes = 64 * 1024;

constexpr tern::CommandOptions kCommandOptions{.dsn_enable = true};

std::string_view body_name(tern::BodyType body) noexcept {
    switch (body) {
    case tern::BodyType::SevenBit:
        return "7BIT";
    case tern::BodyType::EightBitMime:
        return "8BITMIME";
    case tern::BodyType::BinaryMime:  // never offered, refused by the parser
    case tern::BodyType::Unspecified:
        return "";
    }
    return "";
}

}  // namespace

struct SmtpSession::Data {
    explicit Data(const tern::DataLimits& limits) : decoder(limits) {}
    tern::DataDecoder decoder;
    std::string content;
};

SmtpSession::SmtpSession(SessionSettings settings, QueueMessage queue)
    : settings_(std::move(settings)), queue_(std::move(queue)) {}

SmtpSession::~SmtpSession() = default;

std::string SmtpSession::greeting() const { return tern::format_reply("220 " + settings_.banner); }

void SmtpSession::reset() noexcept {
    in_transaction_ = false;
    envelope_ = SmtpEnvelope{};
    data_.reset();
}

std::string SmtpSession::feed(std::string_view input) {
    std::string out;
    pending_.append(input);
    std::size_t used = 0;
    while (!finished_ && used < pending_.size()) {
        const std::string_view rest = std::string_view(pending_).substr(used);
        const std::size_t lf = rest.find('\n');
        if (lf == std::string_view::npos) {
            if (data_ && rest.size() >= kDataPieceBytes) {
                // Keep a last CR back: it may be the start of a CRLF.
                const std::size_t take = rest.back() == '\r' ? rest.size() - 1 : rest.size();
                feed_data(rest.substr(0, take), out);
                used += take;
            } else if (!data_ && rest.size() > settings_.max_line_bytes + 1) {
                if (!skipping_) out += tern::format_reply(kReplyLineTooLong);
                skipping_ = true;
                used = pending_.size();
            }
            break;
        }
        std::string_view line = rest.substr(0, lf);
        used += lf + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        on_line(line, out);
    }
    pending_.erase(0, used);
    return out;
}

std::string SmtpSession::end_of_input() {
    std::string out;
    if (!finished_ && !pending_.empty() && !skipping_) {
        const std::string last = std::exchange(pending_, std::string());
        on_line(last.back() == '\r' ? std::string_view(last).substr(0, last.size() - 1) : std::string_view(last), out);
    }
    finished_ = true;
    return out;
}

void SmtpSession::on_line(std::string_view line, std::string& out) {
    if (data_) {
        feed_data(std::string(line) + "\r\n", out);
        return;
    }
    if (skipping_) {  // the end of an overlong command line
        skipping_ = false;
        return;
    }
    if (line.size() > settings_.max_line_bytes) {
        out += tern::format_reply(kReplyLineTooLong);
        return;
    }
    on_command(line, out);
}

void SmtpSession::feed_data(std::string_view bytes, std::string& out) {
    const tern::DataFeed fed = data_->decoder.feed(bytes, data_->content);
    if (fed.verdict == tern::DataVerdict::NeedMore) return;
    const std::unique_ptr<Data> done = std::move(data_);
    if (fed.verdict == tern::DataVerdict::Error) {
        out += tern::format_reply(tern::data_error_reply(done->decoder.problem(), 550, settings_.hostname));
    } else {
        out += tern::format_reply(queue_(envelope_, done->content));
    }
    reset();
}

void SmtpSession::on_command(std::string_view line, std::string& out) {
    if (line.empty()) {
        out += tern::format_reply(kReplyBadSyntax);
        return;
    }
    tern::CommandOptions options = kCommandOptions;
    options.smtputf8_declared = envelope_.smtputf8;  // for RCPT
    tern::Result<tern::SmtpCommand> cmd = tern::parse_smtp_command(line, options);
    if (!cmd) {
        out += tern::format_reply(cmd.error().text);
        return;
    }
    switch (cmd->verb) {
    case tern::SmtpVerb::Ehlo:
        reset();
        out += tern::format_multiline(250, "", {settings_.hostname, "PIPELINING",
                                                "SIZE " + std::to_string(settings_.max_message_bytes),
                                                "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8"});
        return;
    case tern::SmtpVerb::Helo:
        reset();
        out += tern::format_reply("250 " + settings_.hostname);
        return;
    case tern::SmtpVerb::Mail: return on_mail(*cmd, out);
    case tern::SmtpVerb::Rcpt: return on_rcpt(*cmd, out);
    case tern::SmtpVerb::Data: return on_data(out);
    case tern::SmtpVerb::Rset:
        reset();
        out += tern::format_reply(kReplyOk);
        return;
    case tern::SmtpVerb::Noop:
        out += tern::format_reply(kReplyOk);
        return;
    case tern::SmtpVerb::Quit:
        out += tern::format_reply("221 2.0.0 Bye");
        finished_ = true;
        return;
    case tern::SmtpVerb::Vrfy:
        out += tern::format_reply("502 5.5.1 VRFY command is disabled");
        return;
    case tern::SmtpVerb::Bdat:
    case tern::SmtpVerb::Starttls:
    case tern::SmtpVerb::Auth:
        out += tern::format_reply(kReplyNotImplemented);
        return;
    case tern::SmtpVerb::Expn:
    case tern::SmtpVerb::Help:
    case tern::SmtpVerb::Unknown:
        out += tern::format_reply(kReplyNotRecognized);
        return;
    }
}

void SmtpSession::on_mail(const tern::SmtpCommand& cmd, std::string& out) {
    if (in_transaction_) {
        out += tern::format_reply("503 5.5.1 Error: nested MAIL command");
        return;
    }
    const tern::MailParams& p = cmd.mail;
    if (p.size && settings_.max_message_bytes > 0 && *p.size > settings_.max_message_bytes) {
        out += tern::format_reply("552 5.3.4 Message size exceeds fixed limit");
        return;
    }
    envelope_ = SmtpEnvelope{.sender = cmd.path.address,
                             .envid = p.envid.value_or(""),
                             .ret = std::string(tern::encode_ret(p.ret)),
                             .body_type = std::string(body_name(p.body)),
                             .smtputf8 = p.smtputf8,
                             .recipients = {}};
    in_transaction_ = true;
    out += tern::format_reply("250 2.1.0 Ok");
}

void SmtpSession::on_rcpt(const tern::SmtpCommand& cmd, std::string& out) {
    if (!in_transaction_) {
        out += tern::format_reply("503 5.5.1 Error: need MAIL command");
        return;
    }
    if (envelope_.recipients.size() >= settings_.max_recipients) {
        out += tern::format_reply("452 4.5.3 Error: too many recipients");
        return;
    }
    SmtpRecipient rcpt{.address = cmd.path.address, .orcpt = {}, .notify = cmd.rcpt.notify};
    if (cmd.rcpt.orcpt_type && cmd.rcpt.orcpt_address)
        rcpt.orcpt = *cmd.rcpt.orcpt_type + ";" + *cmd.rcpt.orcpt_address;
    envelope_.recipients.push_back(std::move(rcpt));
    out += tern::format_reply("250 2.1.5 Ok");
}

void SmtpSession::on_data(std::string& out) {
    if (!in_transaction_) {
        out += tern::format_reply("503 5.5.1 Error: need RCPT command");
        return;
    }
    if (envelope_.recipients.empty()) {
        out += tern::format_reply("554 5.5.1 Error: no valid recipients");
        return;
    }
    data_ = std::make_unique<Data>(tern::DataLimits{.max_message_bytes = settings_.max_message_bytes,
                                                    .max_line_bytes = settings_.max_line_bytes,
                                                    .bare_newline = tern::BareNewline::Normalize});
    out += tern::format_reply(kReplyStartData);
}

}  // namespace sendmail
