// local/delivery.cpp - the local(8) delivery switch (see delivery.h)
#include "local/delivery.h"

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/delivered_to.h"
#include "lib/mail/status_line.h"
#include "local/command.h"
#include "local/forward.h"
#include "local/handoff.h"
#include "local/mailbox.h"

namespace local {

namespace {

using tern::DeliveryStatus;

std::string original_address(const tern::DeliveryRecipient& r) {
    constexpr std::string_view kRfc822 = "rfc822;";
    if (r.orcpt.size() > kRfc822.size() && tern::iequals(std::string_view(r.orcpt).substr(0, kRfc822.size()), kRfc822))
        return std::string(tern::trim(std::string_view(r.orcpt).substr(kRfc822.size())));
    return r.address;
}

bool allowed(const Permissions& p, ExpansionType type) {
    switch (type) {
    case ExpansionType::Alias: return p.from_alias;
    case ExpansionType::Forward: return p.from_forward;
    case ExpansionType::Include: return p.from_include;
    case ExpansionType::None: return false;
    }
    return false;
}

}  // namespace

Delivery::Delivery(const Settings& settings, const MessageInfo& msg, const tern::DeliveryRecipient& recipient)
    : settings_(settings), msg_(msg), recipient_(recipient) {}

tern::AgentOutcome Delivery::run() {
    Attempt a;
    a.address = recipient_.address;
    a.original = original_address(recipient_);
    a.sender = msg_.request().sender;
    deliver_recipient(std::move(a));
    flush_forwards();
    return combine();
}

std::string Delivery::canonical(const std::string& address) const {
    if (address.find('@') != std::string::npos) return address;
    return address + "@" + settings_.myorigin;
}

Rights Delivery::privileged_default(const Rights& r) const {
    return r.uid == 0 ? rights_of(settings_.default_privs) : r;
}

void Delivery::record(const Attempt& a, tern::AgentOutcome outcome) {
    if (finals_.size() >= kMaxFinalDeliveries) return;
    finals_.push_back(Final{a.address, std::move(outcome)});
}

void Delivery::deliver_recipient(Attempt a) {
    if (++a.level > kMaxNestingLevel) {
        tern::log_warning("%s: recipient nesting limit exceeded for %s", msg_.queue_id().c_str(),
                          tern::printable(a.address, 300).c_str());
        return record(a, local_outcome(DeliveryStatus::Bounced, "5.4.6", "recipient nesting limit exceeded"));
    }
    if (!seen_.insert(std::to_string(a.level) + " " + tern::to_lower(a.address)).second) return;
    if (msg_.delivered_to.contains(tern::to_lower(a.address)))
        return record(a, local_outcome(DeliveryStatus::Bounced, "5.4.6", "mail forwarding loop for " + a.address));
    if (a.delivered.empty()) a.delivered = a.address;
    a.parts = split_recipient(a.address, settings_.recipient_delimiter);
    if (a.parts.user.empty())
        return record(a, local_outcome(DeliveryStatus::Bounced, "5.1.3", "null username in \"" + a.address + "\""));
    deliver_switch(a);
}

void Delivery::deliver_switch(Attempt& a) {
    if (a.no_expand) {
        if (!deliver_mailbox(a)) deliver_unknown(a);
        return;
    }
    if (deliver_alias(a, a.parts.local)) return;
    if (!a.parts.extension.empty() && deliver_alias(a, a.parts.user)) return;
    if (!a.owner.empty() && !tern::iequals(a.owner, a.parts.user)) return deliver_indirect(a);
    if (a.exp_type == ExpansionType::Include) return deliver_indirect(a);
    tern::Result<std::optional<UserAccount>> user = find_user(a.parts.user);
    if (!user) return record(a, local_outcome(DeliveryStatus::Deferred, "4.0.0", "user lookup error"));
    if (*user && deliver_dotforward(a, **user)) return;
    if (!deliver_mailbox(a)) deliver_unknown(a);
}

bool Delivery::deliver_alias(Attempt& a, const std::string& name) {
    if (!a.exp_from.empty() && tern::iequals(a.exp_from, name)) return false;  // "root: root"
    for (const AliasTable& t : settings_.alias_maps) {
        tern::Result<std::optional<std::string>> value = t.table->lookup(name);
        if (!value) {
            tern::log_warning("%s: %s", t.table->spec().c_str(), value.error().describe().c_str());
            record(a, local_outcome(DeliveryStatus::Deferred, "4.3.0", "alias database unavailable"));
            return true;
        }
        if (!*value) continue;
        Attempt child = a;
        child.exp_from = name;
        child.exp_type = ExpansionType::Alias;
        child.delivered = a.address;
        child.rights.reset();
        if (t.owner != 0) {
            tern::Result<std::optional<UserAccount>> owner = find_user(t.owner);
            if (!owner || !*owner) {
                record(a, local_outcome(DeliveryStatus::Deferred, "4.3.0", "cannot find alias database owner"));
                return true;
            }
            child.rights = rights_of(**owner);
        }
        child.owner.clear();
        if (settings_.owner_request_special) {
            tern::Result<std::optional<std::string>> owner_value = t.table->lookup("owner-" + name);
            if (owner_value && *owner_value) {
                child.owner = canonical(settings_.expand_owner_alias ? **owner_value : "owner-" + name);
                child.sender = child.owner;
            }
        }
        const DestinationList list = parse_destinations(**value);
        if (list.items.empty()) {
            tern::log_warning("no recipient in alias lookup result for %s", name.c_str());
            record(a, local_outcome(DeliveryStatus::Deferred, "4.3.0", "alias database unavailable"));
            return true;
        }
        deliver_destinations(child, list);
        return true;
    }
    return false;
}

void Delivery::deliver_destinations(const Attempt& a, const DestinationList& list) {
    for (const Destination& d : list.items) {
        switch (d.kind) {
        case DestinationKind::Address: deliver_address(a, d.text, d.no_expand); break;
        case DestinationKind::Command: deliver_command(a, d.text); break;
        case DestinationKind::File: deliver_to_file(a, d.text); break;
        case DestinationKind::Include: deliver_include(a, d.text); break;
        }
    }
}

void Delivery::deliver_address(const Attempt& parent, const std::string& address, bool no_expand) {
    Attempt child = parent;
    child.address = canonical(address);
    child.no_expand = no_expand;
    const std::size_t at = child.address.rfind('@');
    tern::Result<bool> local = settings_.domains->is_local(child.address.substr(at + 1));
    if (!local) return record(child, local_outcome(DeliveryStatus::Deferred, "4.3.0", "address resolver failure"));
    if (!*local) return deliver_indirect(child);
    deliver_recipient(std::move(child));
}

void Delivery::deliver_include(const Attempt& parent, const std::string& path) {
    Attempt a = parent;
    if (!allowed(settings_.files, a.exp_type))
        return record(a, local_outcome(DeliveryStatus::Bounced, "5.7.1", "mail to file is restricted"));
    // Read with the rights of this expansion: root for a root-owned alias
    // database (Postfix), the user for a .forward, the owner for an include.
    const Rights reader = a.rights.value_or(Rights{});
    tern::Result<TrustedFile> file = read_include(path, reader.uid, reader.gid);
    if (!file) {
        const bool soft = file.error().temporary();
        return record(a, local_outcome(soft ? DeliveryStatus::Deferred : DeliveryStatus::Bounced, soft ? "4.3.0" : "5.3.0",
                                       "cannot open include file " + path + ": " + file.error().describe()));
    }
    a.exp_type = ExpansionType::Include;
    if (file->owner != 0) {
        tern::Result<std::optional<UserAccount>> owner = find_user(file->owner);
        if (!owner || !*owner)
            return record(a, local_outcome(DeliveryStatus::Deferred, "4.3.0", "cannot find include file owner"));
        a.rights = rights_of(**owner);
    }
    deliver_destinations(a, parse_destination_file(file->text));
}

void Delivery::deliver_command(const Attempt& a, const std::string& command) {
    if (!allowed(settings_.commands, a.exp_type))
        return record(a, local_outcome(DeliveryStatus::Bounced, "5.7.1", "mail to command is restricted"));
    const Rights who = privileged_default(a.rights.value_or(rights_of(settings_.default_privs)));
    CommandVariables vars{who.home, who.name, who.name, who.shell, a.sender, a.address, a.parts.local,
                          a.parts.domain, a.parts.extension, a.original};
    CommandSpec spec{command, who.uid, who.gid, who.home,
                     settings_.local_command_shell.empty() ? std::string("/bin/sh") : settings_.local_command_shell,
                     command_environment(vars, settings_.export_environment), settings_.command_time_limit_s};
    const std::string prefix =
        command_from_line(a.sender, msg_.request().arrival) + tern::delivery_prefix(a.sender, a.original, a.delivered);
    tern::ContentReader reader = msg_.job->content();
    const CommandVerdict v = judge_command(run_command(spec, prefix, reader), command);
    record(a, local_outcome(v.status, v.dsn, v.reason));
}

void Delivery::deliver_to_file(const Attempt& a, const std::string& path) {
    if (!allowed(settings_.files, a.exp_type))
        return record(a, local_outcome(DeliveryStatus::Bounced, "5.7.1", "mail to file is restricted"));
    const Rights who = privileged_default(a.rights.value_or(rights_of(settings_.default_privs)));
    record(a, deliver_file(settings_, msg_, a, path, who));
}

bool Delivery::deliver_dotforward(Attempt& a, const UserAccount& user) {
    if (settings_.forward_path.empty()) return false;
    if (a.exp_type == ExpansionType::Forward && tern::iequals(a.owner, a.parts.user)) return false;
    MacroValues values{{"home", user.home}, {"user", a.parts.user}, {"extension", a.parts.extension},
                       {"recipient_delimiter", a.parts.delimiter}, {"local", a.parts.local},
                       {"domain", a.parts.domain}, {"recipient", a.address}, {"shell", user.shell}};
    tern::Result<std::optional<TrustedFile>> file = read_forward(forward_paths(settings_.forward_path, values), user);
    if (!file) {
        record(a, local_outcome(DeliveryStatus::Deferred, "4.3.0", "cannot read .forward: " + file.error().describe()));
        return true;
    }
    if (!*file) return false;
    const DestinationList list = parse_destination_file((*file)->text);
    if (list.items.empty()) return false;
    Attempt child = a;
    child.delivered = a.address;
    child.rights = rights_of(user);
    child.exp_type = ExpansionType::Forward;
    child.owner = a.parts.user;
    deliver_destinations(child, list);
    return true;
}

bool Delivery::deliver_mailbox(Attempt& a) {
    if (!seen_.insert("mailbox " + a.parts.user).second) return true;
    if (!settings_.mailbox_transport.empty()) {
        const TransportSpec t = parse_transport_spec(settings_.mailbox_transport, msg_.request().nexthop);
        record(a, hand_off(settings_, msg_, recipient_, a.address, t));
        return true;
    }
    tern::Result<std::optional<UserAccount>> user = find_user(a.parts.user);
    if (!user) {
        record(a, local_outcome(DeliveryStatus::Deferred, "4.0.0", "user lookup error"));
        return true;
    }
    if (!*user) return false;
    record(a, deliver_user_mailbox(settings_, msg_, a, **user));
    return true;
}

void Delivery::deliver_unknown(Attempt& a) {
    if (!settings_.fallback_transport.empty()) {
        const TransportSpec t = parse_transport_spec(settings_.fallback_transport, msg_.request().nexthop);
        return record(a, hand_off(settings_, msg_, recipient_, a.address, t));
    }
    record(a, local_outcome(DeliveryStatus::Bounced, "5.1.1", "unknown user: \"" + a.parts.user + "\""));
}

void Delivery::deliver_indirect(const Attempt& a) {
    for (ForwardBatch& b : forwards_) {
        if (b.sender != a.sender || b.delivered != a.delivered) continue;
        if (b.recipients.size() < kMaxFinalDeliveries) b.recipients.push_back(a.address);
        return;
    }
    forwards_.push_back(ForwardBatch{a.sender, a.delivered, {a.address}});
}

void Delivery::flush_forwards() {
    for (const ForwardBatch& b : forwards_) {
        tern::Result<std::string> id = forward_message(settings_, msg_, b);
        for (const std::string& rcpt : b.recipients) {
            Attempt a;
            a.address = rcpt;
            if (id) record(a, local_outcome(DeliveryStatus::Sent, "2.0.0", "forwarded as " + *id));
            else record(a, local_outcome(DeliveryStatus::Deferred, "4.3.0", "cannot forward: " + id.error().describe()));
        }
    }
    forwards_.clear();
}

tern::AgentOutcome Delivery::combine() {
    if (finals_.empty()) return local_outcome(DeliveryStatus::Sent, "2.0.0", "delivered");
    if (finals_.size() == 1) return finals_[0].outcome;
    const tern::DeliveryRequest& req = msg_.request();
    for (const Final& f : finals_) {
        if (f.outcome.recorded_elsewhere) continue;
        tern::log_recipient_status({.queue_id = req.queue_id, .recipient = f.address,
                                    .orcpt = "rfc822;" + recipient_.address, .relay = f.outcome.relay,
                                    .arrival = req.arrival, .active_since = req.active_since,
                                    .received = msg_.job->received(), .dsn = f.outcome.dsn,
                                    .status = f.outcome.status, .reason = f.outcome.reason});
    }
    const Final* worst = &finals_[0];
    for (const Final& f : finals_) {
        if (f.outcome.status == DeliveryStatus::Deferred) return f.outcome;
        if (f.outcome.status == DeliveryStatus::Bounced) worst = &f;
    }
    tern::AgentOutcome out = worst->outcome;
    out.recorded_elsewhere = false;
    if (out.status == DeliveryStatus::Sent)
        out.reason = "delivered to " + std::to_string(finals_.size()) + " destinations";
    return out;
}

}  // namespace local
