// smtpd/protocol_mail.cpp - MAIL, RCPT and the cleanup connection they open (see protocol.h)
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/queue_record.h"
#include "smtpd/protocol.h"

namespace smtpd {

namespace {

constexpr std::string_view kReplyQueueWriteError = "451 4.3.0 Error: queue file write error";

std::string_view body_name(tern::BodyType body) noexcept {
    switch (body) {
    case tern::BodyType::SevenBit: return "7BIT";
    case tern::BodyType::EightBitMime: return "8BITMIME";
    case tern::BodyType::BinaryMime: return "BINARYMIME";
    case tern::BodyType::Unspecified: return "";
    }
    return "";
}

}  // namespace

tern::AttrList Protocol::envelope() const {
    tern::AttrList env;
    env.add(tern::kCleanupRequest, tern::kCleanupRequestEnvelope)
        .add(tern::kCleanupSender, sender_)
        .add_int(tern::kCleanupFlags, tern::kCleanupFlagsDefault);
    if (mail_params_.envid) env.add(tern::kCleanupEnvid, *mail_params_.envid);
    if (std::string_view ret = tern::encode_ret(mail_params_.ret); !ret.empty()) env.add(tern::kCleanupRet, ret);
    if (mail_params_.smtputf8) env.add(tern::kCleanupSmtputf8, "1");
    if (std::string_view body = body_name(mail_params_.body); !body.empty()) env.add(tern::kCleanupBody, body);
    env.add(tern::kCleanupClientName, client_.name)
        .add(tern::kCleanupReverseClientName, client_.name)
        .add(tern::kCleanupClientAddress, client_.address);
    if (!client_.port.empty()) env.add(tern::kCleanupClientPort, client_.port);
    if (!helo_name_.empty()) env.add(tern::kCleanupHeloName, helo_name_);
    env.add(tern::kCleanupProtocol, protocol_name_);
    return env;
}

void Protocol::reset_transaction() {
    if (cleanup_open_) host_.abort_cleanup();
    cleanup_open_ = false;
    cleanup_failed_ = false;
    sender_given_ = false;
    sender_.clear();
    mail_params_ = {};
    rcpt_count_ = 0;
    last_recipient_.clear();
    queue_id_.clear();
    data_.reset();
    chunks_.reset();
    content_.clear();
    content_.shrink_to_fit();
    bdat_discard_ = false;
    bdat_last_ = false;
    bdat_chunk_bytes_ = 0;
}

void Protocol::do_mail(std::string_view line) {
    if (!client_reject_.empty()) return reply_counted(Counted::Mail, client_reject_);
    if (settings_.helo_required && helo_name_.empty())
        return reply_counted(Counted::Mail, "503 5.5.1 Error: send HELO/EHLO first");
    if (sender_given_) return reply_counted(Counted::Mail, "503 5.5.1 Error: nested MAIL command");
    const tern::CommandOptions options = command_options(settings_);
    tern::Result<tern::SmtpCommand> cmd = tern::parse_smtp_command(line, options);
    if (!cmd) return reply_counted(Counted::Mail, cmd.error().text);
    if (cmd->mail.size && settings_.message_size_limit > 0 && *cmd->mail.size > settings_.message_size_limit)
        return reply_counted(Counted::Mail, "552 5.3.4 Message size exceeds fixed limit");
    sender_ = cmd->path.address;
    sender_given_ = true;
    mail_params_ = cmd->mail;
    if (Verdict v = policy_.check(Stage::Sender, context()); v.kind != VerdictKind::Accept) {
        log_reject("MAIL", v.reply, {});
        reset_transaction();
        return reply_counted(Counted::Mail, v.reply);
    }
    reply_counted(Counted::Mail, "250 2.1.0 Ok");
}

void Protocol::do_rcpt(std::string_view line) {
    if (!client_reject_.empty()) return reply_counted(Counted::Rcpt, client_reject_);
    if (!sender_given_) return reply_counted(Counted::Rcpt, "503 5.5.1 Error: need MAIL command");
    tern::CommandOptions options = command_options(settings_);
    options.smtputf8_declared = mail_params_.smtputf8;
    tern::Result<tern::SmtpCommand> cmd = tern::parse_smtp_command(line, options);
    if (!cmd) return reply_counted(Counted::Rcpt, cmd.error().text);
    if (rcpt_count_ >= settings_.recipient_limit)
        return reply_counted(Counted::Rcpt, "452 4.5.3 Error: too many recipients");
    if (Verdict v = policy_.check(Stage::Recipient, context(cmd->path.address)); v.kind != VerdictKind::Accept) {
        log_reject("RCPT", v.reply, cmd->path.address);
        return reply_counted(Counted::Rcpt, v.reply);
    }
    accept_recipient(*cmd);
}

// The first accepted recipient opens the cleanup connection and waits for
// the queue ID, as Postfix does, so "ID: client=" is logged before the 250.
void Protocol::accept_recipient(const tern::SmtpCommand& cmd) {
    if (cleanup_failed_) return reply_counted(Counted::Rcpt, kReplyQueueWriteError);
    tern::AttrList rcpt;
    rcpt.add(tern::kCleanupRequest, tern::kCleanupRequestRecipient).add(tern::kCleanupAddress, cmd.path.address);
    if (cmd.rcpt.orcpt_type && cmd.rcpt.orcpt_address)
        rcpt.add(tern::kCleanupOrcpt, *cmd.rcpt.orcpt_type + ";" + *cmd.rcpt.orcpt_address);
    if (cmd.rcpt.notify != 0) rcpt.add_int(tern::kCleanupNotify, cmd.rcpt.notify);
    if (!cleanup_open_) {
        if (!host_.open_cleanup(envelope())) return reply_counted(Counted::Rcpt, kReplyQueueWriteError);
        cleanup_open_ = true;
        host_.send_cleanup(rcpt);
        last_recipient_ = cmd.path.address;
        ++rcpt_count_;
        phase_ = Phase::AwaitOpen;
        return;
    }
    host_.send_cleanup(rcpt);
    last_recipient_ = cmd.path.address;
    ++rcpt_count_;
    reply_counted(Counted::Rcpt, "250 2.1.5 Ok");
}

void Protocol::cleanup_opened(std::string_view queue_id) {
    queue_id_ = std::string(queue_id);
    tern::log_info("%s: client=%s", queue_id_.c_str(), client_text().c_str());
    if (phase_ != Phase::AwaitOpen) return;
    phase_ = Phase::Command;
    reply_counted(Counted::Rcpt, "250 2.1.5 Ok");
}

void Protocol::cleanup_failed(const std::string& why) {
    tern::log_warning("%s: cleanup: %s", queue_id_.empty() ? "NOQUEUE" : queue_id_.c_str(),
                      tern::printable(why, 500).c_str());
    cleanup_open_ = false;
    cleanup_failed_ = true;
    switch (phase_) {
    case Phase::AwaitOpen:
        --rcpt_count_;
        last_recipient_.clear();
        phase_ = Phase::Command;
        return reply_counted(Counted::Rcpt, kReplyQueueWriteError);
    case Phase::AwaitQueued:
        phase_ = Phase::Command;
        reply_counted(chunks_ ? Counted::Bdat : Counted::Data, kReplyQueueWriteError);
        return reset_transaction();
    case Phase::Command:
    case Phase::Data:
    case Phase::Bdat: return;  // told at DATA or at the end of the content
    }
}

}  // namespace smtpd
