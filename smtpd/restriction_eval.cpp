// smtpd/restriction_eval.cpp - generic_checks() and the per-stage drivers around it
#include "smtpd/restriction_eval.h"

#include "lib/base/log.h"
#include "lib/base/text.h"

namespace smtpd {

namespace {

std::string client_namaddr(const PolicyContext& context) {
    return std::string(context.client_name.empty() ? "unknown" : context.client_name) + "[" +
           std::string(context.client_address) + "]";
}

}  // namespace

Verdict Evaluation::run(Stage stage) {
    Status status = Status::Dunno;
    switch (stage) {
    case Stage::Client:
        where_ = "CONNECT";
        if (!state_.delay_reject) status = client_stage();
        break;
    case Stage::Helo:
        where_ = context_.protocol == "ESMTP" ? "EHLO" : "HELO";
        if (!state_.delay_reject) status = helo_stage();
        break;
    case Stage::Sender:
        where_ = "MAIL";
        if (!state_.delay_reject) status = sender_stage();
        break;
    case Stage::Recipient:
        where_ = "RCPT";
        status = recipient_stage();
        break;
    case Stage::Data:
        where_ = "DATA";
        status = data_stage(state_.data, "DATA", ReplyClass::Data);
        break;
    case Stage::EndOfData:
        where_ = "END-OF-MESSAGE";
        status = data_stage(state_.end_of_data, "END-OF-MESSAGE", ReplyClass::EndOfData);
        break;
    }
    if (status != Status::Reject || reply_.empty()) return Verdict{};
    return Verdict{reply_[0] == '4' ? VerdictKind::Defer : VerdictKind::Reject, reply_};
}

void Evaluation::reset() {
    recursion_ = 0;
    warn_if_reject_ = 0;
    defer_if_reject_.active = false;
}

Evaluation::Status Evaluation::client_stage() {
    reset();
    if (state_.client.empty()) return Status::Dunno;
    return generic(state_.client, client_namaddr(context_), ReplyClass::Client, RestrictionKind::CheckClientAccess);
}

Evaluation::Status Evaluation::helo_stage() {
    reset();
    if (context_.helo_name.empty() || state_.helo.empty()) return Status::Dunno;
    return generic(state_.helo, context_.helo_name, ReplyClass::Helo, RestrictionKind::CheckHeloAccess);
}

Evaluation::Status Evaluation::sender_stage() {
    reset();
    sender_checked_ = false;
    Status status = Status::Dunno;
    if (!state_.sender.empty())
        status = generic(state_.sender, context_.sender, ReplyClass::Sender, RestrictionKind::CheckSenderAccess);
    if (state_.reject_unlisted_sender && status != Status::Reject && !sender_checked_ && !context_.sender.empty())
        status = check_rcpt_maps(context_.sender, ReplyClass::Sender);
    return status;
}

Evaluation::Status Evaluation::recipient_stage() {
    // RFC 5321 section 4.5.1: "postmaster" without a domain is always accepted.
    if (tern::iequals(context_.recipient, "postmaster")) return Status::Dunno;
    if (state_.delay_reject) {
        if (client_stage() == Status::Reject) return Status::Reject;
        if (!context_.helo_name.empty() && helo_stage() == Status::Reject) return Status::Reject;
        if (context_.sender_given && sender_stage() == Status::Reject) return Status::Reject;
    }
    reset();
    recipient_checked_ = false;
    Status status = Status::Dunno;
    for (const RestrictionList* list : {&state_.relay, &state_.recipient}) {
        if (list->empty()) continue;
        status = generic(*list, context_.recipient, ReplyClass::Recipient, RestrictionKind::CheckRecipientAccess);
        if (status == Status::Reject) return status;
    }
    if (defer_if_permit_.active)
        return reject(defer_if_permit_.code, defer_if_permit_.dsn, defer_if_permit_.text, true);
    if (state_.reject_unlisted_recipient && !recipient_checked_) status = check_rcpt_maps(context_.recipient, ReplyClass::Recipient);
    return status;
}

Evaluation::Status Evaluation::data_stage(const RestrictionList& list, std::string_view name, ReplyClass reply_class) {
    defer_if_permit_.active = false;
    reset();
    Status status = list.empty() ? Status::Dunno : generic(list, name, reply_class, std::nullopt);
    if (status != Status::Reject && defer_if_permit_.active)
        return reject(defer_if_permit_.code, defer_if_permit_.dsn, defer_if_permit_.text, true);
    return status;
}

Evaluation::Status Evaluation::generic(const RestrictionList& list, std::string_view reply_name, ReplyClass reply_class,
                                       DefaultAccess default_access) {
    const int saved_recursion = recursion_++;
    if (recursion_ > kMaxRestrictionDepth) {
        tern::log_warning("restriction classes or access tables nest more than %d deep", kMaxRestrictionDepth);
        recursion_ = saved_recursion;
        return server_error();
    }
    Status status = Status::Dunno;
    for (const Restriction& item : list) {
        if (item.kind == RestrictionKind::WarnIfReject) {
            if (warn_if_reject_ == 0) warn_if_reject_ = recursion_;
            continue;
        }
        status = apply(item, reply_name, reply_class, default_access);
        if (warn_if_reject_ >= recursion_) warn_if_reject_ = 0;
        if (status != Status::Dunno) break;
        if (defer_if_permit_.active && defer_if_reject_.active) break;
    }
    recursion_ = saved_recursion;
    if (warn_if_reject_ >= recursion_ && warn_if_reject_ > 0) warn_if_reject_ = 0;
    return status;
}

Evaluation::Status Evaluation::apply(const Restriction& item, std::string_view reply_name, ReplyClass reply_class,
                                     DefaultAccess default_access) {
    const std::string name(reply_name);
    const std::string what = "<" + name + ">: " + std::string(reply_class_text(reply_class)) + " rejected: ";
    const ReplyCodes& codes = state_.codes;
    const bool has_recipient = !context_.recipient.empty();
    switch (item.kind) {
    case RestrictionKind::Permit: return Status::Permit;
    case RestrictionKind::Reject: return reject(codes.reject, "5.7.1", what + "Access denied");
    case RestrictionKind::Defer: return reject(codes.defer, "4.3.2", what + "Try again later");
    case RestrictionKind::DeferIfPermit: return defer_if_permit(450, "4.7.0", what + "defer_if_permit requested");
    case RestrictionKind::DeferIfReject: return defer_if(defer_if_reject_, 450, "4.7.0", what + "defer_if_reject requested");
    case RestrictionKind::WarnIfReject: return Status::Dunno;  // handled by generic()
    case RestrictionKind::PermitMynetworks: return client_in(state_.mynetworks);
    case RestrictionKind::PermitInetInterfaces: return client_on_interface();
    case RestrictionKind::PermitSaslAuthenticated: return context_.sasl_authenticated ? Status::Permit : Status::Dunno;
    case RestrictionKind::PermitAuthDestination:
        return has_recipient ? permit_auth_destination(context_.recipient) : Status::Dunno;
    case RestrictionKind::RejectUnauthDestination:
        return has_recipient ? unauth_destination(context_.recipient, codes.relay, "5.7.1") : Status::Dunno;
    case RestrictionKind::DeferUnauthDestination:
        return has_recipient ? unauth_destination(context_.recipient, codes.relay - 100, "4.7.1") : Status::Dunno;
    case RestrictionKind::RejectUnlistedRecipient: return unlisted_recipient();
    case RestrictionKind::RejectUnlistedSender: return unlisted_sender();
    case RestrictionKind::RejectNonFqdnSender:
        if (!context_.sender_given || context_.sender.empty()) return Status::Dunno;
        return non_fqdn_address(context_.sender, ReplyClass::Sender);
    case RestrictionKind::RejectNonFqdnRecipient:
        return has_recipient ? non_fqdn_address(context_.recipient, ReplyClass::Recipient) : Status::Dunno;
    case RestrictionKind::RejectNonFqdnHelo:
    case RestrictionKind::RejectInvalidHelo: return helo_check(item.kind);
    case RestrictionKind::CheckClientAccess:
    case RestrictionKind::CheckHeloAccess:
    case RestrictionKind::CheckSenderAccess:
    case RestrictionKind::CheckRecipientAccess:
        return apply_access(item.kind, *item.map, reply_name, reply_class, default_access);
    case RestrictionKind::BareTable:
        if (!default_access) {
            tern::log_warning("specify one of (check_client_access, check_helo_access, check_sender_access, "
                              "check_recipient_access) before %s restriction \"%s\"",
                              std::string(reply_class_text(reply_class)).c_str(), item.name.c_str());
            return server_error();
        }
        return apply_access(*default_access, *item.map, reply_name, reply_class, default_access);
    case RestrictionKind::Class:
        return generic(state_.classes[item.class_index], reply_name, reply_class, default_access);
    case RestrictionKind::Unsupported: return Status::Dunno;
    }
    return Status::Dunno;
}

Evaluation::Status Evaluation::unlisted_recipient() {
    if (context_.recipient.empty() || recipient_checked_) return Status::Dunno;
    if (warn_if_reject_ == 0) recipient_checked_ = true;  // a warning-only check does not count
    return check_rcpt_maps(context_.recipient, ReplyClass::Recipient);
}

Evaluation::Status Evaluation::unlisted_sender() {
    if (!context_.sender_given || context_.sender.empty() || sender_checked_) return Status::Dunno;
    if (warn_if_reject_ == 0) sender_checked_ = true;
    return check_rcpt_maps(context_.sender, ReplyClass::Sender);
}

Evaluation::Status Evaluation::apply_access(RestrictionKind kind, const AccessMap& map, std::string_view reply_name,
                                            ReplyClass reply_class, DefaultAccess default_access) {
    if (kind == RestrictionKind::CheckClientAccess) {
        const std::string namaddr = client_namaddr(context_);
        const std::string_view name = context_.client_name.empty() ? "unknown" : context_.client_name;
        return access_found(map, map.find_client(name, context_.client_address), context_.client_address, namaddr,
                            ReplyClass::Client, default_access);
    }
    if (kind == RestrictionKind::CheckHeloAccess) {
        if (context_.helo_name.empty()) return Status::Dunno;
        return access_found(map, map.find_domain(context_.helo_name), context_.helo_name, context_.helo_name,
                            ReplyClass::Helo, default_access);
    }
    if (kind == RestrictionKind::CheckSenderAccess) {
        if (!context_.sender_given) return Status::Dunno;
        if (context_.sender.empty())
            return access_found(map, map.find_exact(state_.null_key), state_.null_key, context_.sender,
                                ReplyClass::Sender, default_access);
        return check_mail_access(map, context_.sender, context_.sender, ReplyClass::Sender, default_access);
    }
    if (kind == RestrictionKind::CheckRecipientAccess) {
        if (context_.recipient.empty()) return Status::Dunno;
        return check_mail_access(map, context_.recipient, context_.recipient, ReplyClass::Recipient, default_access);
    }
    tern::log_warning("%s restriction: table %s used as %s", std::string(reply_class_text(reply_class)).c_str(),
                      map.spec().c_str(), std::string(reply_name).c_str());
    return server_error();  // not reached: load() only builds the four access kinds
}

Evaluation::Status Evaluation::reject(int code, std::string_view dsn, const std::string& text, bool always) {
    const bool warn_only = warn_if_reject_ != 0 && !always;
    std::string reply = format_reply(code, dsn, text, false);
    if (!warn_only && defer_if_reject_.active && reply[0] == '5') {
        warn_if_reject_ = 0;
        defer_if_reject_.active = false;
        return reject(defer_if_reject_.code, defer_if_reject_.dsn, defer_if_reject_.text, true);
    }
    if (state_.codes.soft_bounce && reply[0] == '5') reply[0] = reply[4] = '4';
    if (warn_only) {
        log_whatsup("reject_warning", reply);
        return Status::Dunno;
    }
    reply_ = std::move(reply);
    return Status::Reject;
}

Evaluation::Status Evaluation::defer_if(Deferral& deferral, int code, std::string_view dsn, std::string text) {
    if (!deferral.active) deferral = Deferral{true, code, std::string(dsn), std::move(text)};
    return Status::Dunno;
}

Evaluation::Status Evaluation::defer_if_permit(int code, std::string_view dsn, std::string text) {
    if (warn_if_reject_ == 0) return defer_if(defer_if_permit_, code, dsn, std::move(text));
    return reject(code, dsn, text);
}

Evaluation::Status Evaluation::server_error() { return reject(451, "4.3.5", "Server configuration error", true); }

Evaluation::Status Evaluation::lookup_failure(std::string_view name) {
    return reject(451, "4.3.0", "<" + std::string(name) + ">: Temporary lookup failure", true);
}

void Evaluation::log_whatsup(std::string_view what, std::string_view text) const {
    std::string line = "NOQUEUE: " + std::string(what) + ": " + std::string(where_) + " from " +
                       tern::printable(client_namaddr(context_), 300) + ": " + tern::printable(text, 600) + ";";
    if (context_.sender_given) line += " from=<" + tern::printable(context_.sender, 300) + ">";
    if (!context_.recipient.empty()) line += " to=<" + tern::printable(context_.recipient, 300) + ">";
    if (!context_.protocol.empty()) line += " proto=" + tern::printable(context_.protocol, 20);
    if (!context_.helo_name.empty()) line += " helo=<" + tern::printable(context_.helo_name, 300) + ">";
    tern::log_info("%s", line.c_str());
}

}  // namespace smtpd
