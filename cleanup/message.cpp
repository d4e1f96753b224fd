// cleanup/message.cpp - write one message into its queue file (see message.h)
#include "cleanup/message.h"

#include <utility>

#include "cleanup/received.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"

namespace cleanup {

Message::Message(const Settings& settings, NewQueueFile file)
    : settings_(settings),
      rewriter_(settings),
      file_(std::move(file)),
      writer_(std::move(file_.fd), file_.temp.path()),
      parser_(HeaderLimits{.header_size_limit = settings.header_size_limit}) {}

void Message::defer(const tern::Error& error) {
    if (!defer_) tern::log_warning("%s: %s", id().c_str(), error.describe().c_str());
    defer_ = std::string(kWriteErrorReply);
    stopped_ = true;
}

void Message::reject(std::string_view reply) {
    if (!reject_) reject_ = std::string(reply);
    stopped_ = true;
}

tern::Status Message::start(const Envelope& envelope) {
    envelope_ = envelope;
    std::string sender = envelope.sender;
    if (envelope.flags & tern::kCleanupFlagAddressMaps) {
        tern::Result<std::string> s = rewriter_.rewrite_sender(sender);
        if (!s) defer(s.error());
        else sender = std::move(*s);
    } else {
        sender = rewriter_.complete(sender);
    }
    envelope_.sender = sender;
    who_ = {envelope.client_name, envelope.client_address, sender, "", envelope.protocol, envelope.helo_name};
    const timeval arrival = envelope.has_arrival ? envelope.arrival : file_.created;
    tern::Status s = writer_.add_arrival(arrival);
    if (s) s = writer_.add_sender(sender);
    if (s && !envelope.envid.empty()) s = writer_.add_envid(envelope.envid);
    if (s && envelope.ret != tern::DsnRet::None) s = writer_.add_ret(envelope.ret);
    for (const auto& [name, value] : envelope.attributes)
        if (s) s = writer_.add_attribute(name, value);
    if (!s) defer(s.error());
    return {};
}

void Message::keep_recipient(std::string address, const RecipientRequest& from) {
    if (!seen_recipients_.insert(address, from.orcpt, from.notify)) return;
    if (recipients_.size() >= kMaxRecipients) {
        reject(kTooManyRecipientsReply);
        return;
    }
    recipients_.push_back({std::move(address), from.orcpt, from.notify});
}

void Message::add_recipient(const RecipientRequest& recipient) {
    if (++recipient_requests_ == 1) {
        first_recipient_ = recipient.address;
        who_.recipient = recipient.address;
    }
    if (defer_ || reject_) return;
    if (!(envelope_.flags & tern::kCleanupFlagAddressMaps)) {
        keep_recipient(rewriter_.complete(recipient.address), recipient);
        return;
    }
    tern::Result<std::string> r = rewriter_.rewrite_recipient(recipient.address);
    if (!r) return defer(r.error());
    tern::Result<std::vector<std::string>> all = rewriter_.expand_virtual(*r);
    if (!all) return defer(all.error());
    for (std::string& a : *all) keep_recipient(std::move(a), recipient);
}

void Message::write(std::string_view bytes) {
    if (stopped_ || bytes.empty()) return;
    content_bytes_ += bytes.size();
    if (settings_.message_size_limit > 0 && content_bytes_ > settings_.message_size_limit) {
        too_big_ = true;
        stopped_ = true;
        return;
    }
    if (tern::Status s = writer_.add_content(bytes); !s) defer(s.error());
}

void Message::begin_content() {
    if (content_started_) return;
    content_started_ = true;
    const ReceivedInfo info{
        .helo = envelope_.helo_name,
        .client_name = envelope_.client_name,
        .client_address = envelope_.local() ? std::string_view() : std::string_view(envelope_.client_address),
        .protocol = envelope_.protocol,
        .myhostname = settings_.myhostname,
        .mail_name = settings_.mail_name,
        .queue_id = id().str(),
        .recipient = recipient_requests_ == 1 ? std::string_view(first_recipient_) : std::string_view(),
        .submit_uid = envelope_.submit_uid,
        .tls_info = {},  // TODO(issue 4): "(using TLS ...)" once smtpd sends the tls attribute
        .when = file_.created.tv_sec,
    };
    // Through the parser, as Postfix's smtpd and pickup send theirs as
    // content: it counts for hopcount_limit and header_checks see it.
    parser_.feed(received_header(info), *this);
}

void Message::add_content(std::string_view bytes) {
    begin_content();
    if (stopped_) return;  // nothing more to learn: verdict known or size exceeded
    parser_.feed(bytes, *this);
}

void Message::log_action(std::string_view action, std::string_view header, std::string_view detail) const {
    tern::log_info("%s", header_log_line(id().str(), action, header, who_, detail).c_str());
}

bool Message::apply_header_checks(std::string_view header, std::string& replacement) {
    if (!(envelope_.flags & tern::kCleanupFlagHeaderChecks)) return true;
    tern::Result<HeaderVerdict> v = check_header(settings_.header_checks, header);
    if (!v) {
        defer(v.error());
        return false;
    }
    return apply_action(*v, header, replacement);
}

bool Message::apply_action(const HeaderVerdict& verdict, std::string_view header, std::string& replacement) {
    const HeaderVerdict* v = &verdict;
    switch (v->action) {
    case HeaderAction::None:
        return true;
    case HeaderAction::Reject: {
        const std::string reply = reject_reply(v->text);
        log_action("reject", header, std::string_view(reply).substr(4));
        reject(reply);
        return false;
    }
    case HeaderAction::Discard:
        log_action("discard", header, v->text.empty() ? "" : v->text);
        discard_ = true;
        stopped_ = true;
        return false;
    case HeaderAction::Hold:
        log_action("hold", header, v->text);
        hold_ = true;
        return true;
    case HeaderAction::Ignore:
        return false;
    case HeaderAction::Warn:
        log_action("warning", header, v->text);
        return true;
    case HeaderAction::Redirect:
        log_action("redirect", header, v->text);
        if (!v->text.empty() && tern::valid_envelope_text(v->text)) redirect_ = rewriter_.complete(v->text);
        return true;
    case HeaderAction::Prepend:
        if (!v->text.empty()) write(tern::printable(v->text, settings_.header_size_limit) + "\r\n");
        return true;
    case HeaderAction::Replace:
        replacement = tern::printable(v->text, settings_.header_size_limit) + "\r\n";
        return true;
    case HeaderAction::Unsupported:
        tern::log_warning("%s: unsupported header_checks action %s", id().c_str(), tern::printable(v->text, 40).c_str());
        return true;
    }
    return true;
}

void Message::on_header(std::string_view header, bool) {
    if (stopped_) return;
    seen_.note(header);
    if (tern::iequals(header_name(header), "Received") && seen_.received >= settings_.hopcount_limit)
        return reject(kTooManyHopsReply);
    std::string replacement;
    if (!apply_header_checks(header, replacement)) return;
    write(replacement.empty() ? header : std::string_view(replacement));
}

void Message::on_end_of_headers() {
    if (stopped_) return;
    std::string added;
    if (envelope_.flags & tern::kCleanupFlagAddHeaders)
        added = missing_headers(seen_, {.queue_id = id().str(), .myhostname = settings_.myhostname,
                                        .sender = envelope_.sender, .full_name = envelope_.full_name,
                                        .when = file_.created.tv_sec});
    std::string message_id = seen_.message_id_value;
    if (!seen_.message_id && (envelope_.flags & tern::kCleanupFlagAddHeaders) && !seen_.resent)
        message_id = make_message_id(id().str(), settings_.myhostname, file_.created.tv_sec);
    tern::log_info("%s: message-id=%s", id().c_str(),
                   message_id.empty() ? "<>" : tern::printable(message_id, 300).c_str());
    write(added);
}

void Message::on_body(std::string_view bytes) { write(bytes); }

tern::Status Message::write_recipients() {
    if (redirect_) {
        recipients_.clear();
        recipients_.push_back({*redirect_, "", 0});
    }
    for (const Recipient& r : recipients_)
        if (tern::Status s = writer_.add_recipient({.address = r.address, .orcpt = r.orcpt, .notify = r.notify}); !s)
            return s;
    return writer_.finish();
}

Outcome Message::finish() {
    begin_content();
    if (!stopped_) parser_.finish(*this);
    if (!defer_ && !reject_ && !discard_ && !too_big_) {
        if (tern::Status s = write_recipients(); !s) defer(s.error());
    }
    if (defer_) return {Verdict::Defer, *defer_};
    if (reject_) return {Verdict::Reject, *reject_};
    if (too_big_) return {Verdict::Reject, std::string(kTooBigReply)};
    if (discard_) return {Verdict::Discard, {}};
    if (hold_ || (envelope_.flags & tern::kCleanupFlagHold)) return {Verdict::Hold, {}};
    return {Verdict::Queue, {}};
}

}  // namespace cleanup
