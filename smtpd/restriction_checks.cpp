// smtpd/restriction_checks.cpp - the individual checks: access-table actions, relay, recipient tables, names
#include <cctype>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/address.h"
#include "lib/mail/dsn_text.h"
#include "smtpd/restriction_eval.h"

namespace smtpd {

namespace {

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (const char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string what_rejected(std::string_view reply_name, ReplyClass reply_class) {
    return "<" + std::string(reply_name) + ">: " + std::string(reply_class_text(reply_class)) + " rejected: ";
}

// Actions Postfix hands to cleanup; tern's smtpd cannot do them yet.
std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

constexpr std::string_view kDelegatedActions[] = {"FILTER", "HOLD", "DISCARD", "REDIRECT", "BCC", "PREPEND", "INFO"};

}  // namespace

Evaluation::Status Evaluation::access_found(const AccessMap& map, const AccessResult& hit, std::string_view key,
                                            std::string_view reply_name, ReplyClass reply_class,
                                            DefaultAccess default_access) {
    if (!hit) {
        tern::log_warning("%s: table lookup problem: %s", map.spec().c_str(), hit.error().describe().c_str());
        return table_result(map, "451 4.3.5 Server configuration error", reply_name, reply_class, default_access);
    }
    if (!*hit) return Status::Dunno;
    (void)key;
    return table_result(map, (*hit)->value, reply_name, reply_class, default_access);
}

std::optional<Evaluation::Status> Evaluation::keyword_result(const AccessMap& map, const std::string& command,
                                                           std::string_view text, std::string_view reply_name,
                                                           ReplyClass reply_class) {
    const std::string what = what_rejected(reply_name, reply_class);
    const ReplyCodes& codes = state_.codes;
    if (command == "DUNNO") return Status::Dunno;
    if (command == "REJECT" || command == "DEFER") {
        const bool defer = command == "DEFER";
        const DsnText split = split_dsn(defer ? "4.7.1" : "5.7.1", text);
        return reject(defer ? codes.access_defer : codes.access_reject, fix_dsn(split.dsn, reply_class),
                      what + std::string(split.text.empty() ? "Access denied" : split.text));
    }
    if (command == "WARN") {
        log_whatsup("warn", text);
        return Status::Dunno;
    }
    if (command == "DEFER_IF_PERMIT" || command == "DEFER_IF_REJECT") {
        const DsnText split = split_dsn("4.7.1", text);
        std::string reason = what + std::string(split.text.empty() ? "Service unavailable" : split.text);
        if (command == "DEFER_IF_REJECT")
            return defer_if(defer_if_reject_, codes.access_defer, fix_dsn(split.dsn, reply_class), std::move(reason));
        return defer_if_permit(codes.access_defer, fix_dsn(split.dsn, reply_class), std::move(reason));
    }
    for (const std::string_view delegated : kDelegatedActions) {
        if (command != delegated) continue;
        tern::log_warning("access table %s: action %s is not supported by tern yet; skipped", map.spec().c_str(),
                          command.c_str());
        return Status::Dunno;
    }
    return std::nullopt;
}

Evaluation::Status Evaluation::table_result(const AccessMap& map, const std::string& value, std::string_view reply_name,
                                            ReplyClass reply_class, DefaultAccess default_access) {
    const std::string_view whole = value;
    const std::size_t command_end = std::min(whole.find_first_of(" \t"), whole.size());
    const std::string command = upper(whole.substr(0, command_end));
    std::string_view text = whole.substr(command_end);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    if (std::optional<Status> keyword = keyword_result(map, command, text, reply_name, reply_class)) return *keyword;
    // All-numeric: OK (some out-of-band authentication writes time stamps).
    if (all_digits(whole)) return Status::Permit;
    if (command.size() == 3 && !text.empty() && (command[0] == '4' || command[0] == '5') && all_digits(command))
        return table_code_result(value, reply_name, reply_class);
    if (command == "OK" || command == "RELAY") return Status::Permit;
    if (whole.find(':') != std::string_view::npos) {
        tern::log_warning("access table %s has entry with lookup table: %s", map.spec().c_str(),
                          tern::printable(whole, 200).c_str());
        tern::log_warning("do not specify lookup tables inside SMTPD access maps");
        tern::log_warning("define a restriction class and specify its name instead.");
        return server_error();
    }
    tern::Result<RestrictionList> list = parse_action_list(whole, state_.class_names);
    if (!list) {
        tern::log_warning("access table %s: %s", map.spec().c_str(), list.error().describe().c_str());
        return server_error();
    }
    if (list->empty()) {
        tern::log_warning("access table %s entry has empty value", map.spec().c_str());
        return Status::Permit;
    }
    return generic(*list, reply_name, reply_class, default_access);
}

Evaluation::Status Evaluation::table_code_result(const std::string& value, std::string_view reply_name,
                                                 ReplyClass reply_class) {
    // "4NN text" or "5NN text", optionally "5NN 5.7.1 text" (RFC 2034 order).
    const int code = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
    std::string_view text = std::string_view(value).substr(3);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    const std::string default_dsn = std::string(1, value[0]) + ".7.1";
    const DsnText split = split_dsn(default_dsn, text);
    return reject(code, fix_dsn(split.dsn, reply_class),
                  what_rejected(reply_name, reply_class) + std::string(split.text.empty() ? "Access denied" : split.text));
}

Evaluation::Status Evaluation::check_mail_access(const AccessMap& map, std::string_view address,
                                                 std::string_view reply_name, ReplyClass reply_class,
                                                 DefaultAccess default_access) {
    const ResolvedAddress resolved = resolve_address(address, state_.form);
    const AccessResult hit = map.find_mail(resolved.address, resolved.domain, state_.delimiters);
    const Status status = access_found(map, hit, resolved.address, reply_name, reply_class, default_access);
    // Source-routed recipients are too suspicious for an OK.
    const bool suspicious =
        !state_.allow_untrusted_routing && resolved.routed && reply_class == ReplyClass::Recipient;
    return status == Status::Permit && suspicious ? Status::Dunno : status;
}

Evaluation::Status Evaluation::permit_auth_destination(std::string_view recipient) {
    const ResolvedAddress resolved = resolve_address(recipient, state_.form);
    // Stricter than Postfix: any sender-specified routing is untrusted, even to a local domain.
    if (!state_.allow_untrusted_routing && resolved.routed) return Status::Dunno;
    const tern::Result<tern::DomainClass> domain_class = state_.resolver.domains().classify(resolved.domain);
    if (!domain_class) return lookup_failure(recipient);
    switch (*domain_class) {
    case tern::DomainClass::Local:
    case tern::DomainClass::VirtualAlias:
    case tern::DomainClass::VirtualMailbox:
    case tern::DomainClass::Relay: return Status::Permit;
    case tern::DomainClass::Other: return Status::Dunno;
    }
    return Status::Dunno;
}

Evaluation::Status Evaluation::unauth_destination(std::string_view recipient, int code, std::string_view dsn) {
    const Status status = permit_auth_destination(recipient);
    if (status == Status::Permit) return Status::Dunno;
    if (status == Status::Reject) return status;
    return reject(code, dsn, "<" + std::string(recipient) + ">: Relay access denied");
}

// Postfix's check_rcpt_maps(): the recipient's class comes from the same
// Resolver qmgr uses, so smtpd refuses exactly what qmgr could not deliver.
Evaluation::Status Evaluation::check_rcpt_maps(std::string_view address, ReplyClass reply_class) {
    const ResolvedAddress resolved = resolve_address(address, state_.form);
    const tern::Result<tern::Resolution> resolution = state_.resolver.resolve(resolved.address);
    if (!resolution) return resolution.error().temporary() ? lookup_failure(address) : Status::Dunno;
    const bool local = resolution->address_class == tern::DomainClass::Local;
    const RecipientMaps& maps = state_.recipient_maps;
    // An address that canonical or virtual alias mapping rewrites is known.
    tern::Result<bool> known = maps.contains(MapSet::Rewriting, resolved.address, resolved.domain, state_.delimiters, local);
    if (!known) return lookup_failure(address);
    if (*known) return Status::Dunno;
    // Whatever resolves to the error transport is undeliverable (virtual alias domains among it).
    if (resolution->transport == "error") return error_transport(address, *resolution, reply_class);
    const std::string dsn = reply_class == ReplyClass::Sender ? "5.1.0" : "5.1.1";
    const std::string what = what_rejected(address, reply_class) + "User unknown";
    const std::string_view shown = state_.codes.show_table ? " in " : "";
    auto lookup = [&](MapSet set, int code, std::string_view table) -> Status {
        if (!maps.enabled(set)) return Status::Dunno;
        tern::Result<bool> found = maps.contains(set, resolved.address, resolved.domain, state_.delimiters, local);
        if (!found) return lookup_failure(address);
        if (*found) return Status::Dunno;
        return reject(code, dsn, what + std::string(shown) + (shown.empty() ? "" : std::string(table)));
    };
    switch (resolution->address_class) {
    case tern::DomainClass::Local: {
        // Mail that bounce and qmgr make and absorb themselves.
        const std::string_view user = resolved.local;
        if (tern::iequals(user, state_.double_bounce) || tern::iequals(user, "postmaster") ||
            tern::iequals(user, "MAILER-DAEMON"))
            return Status::Dunno;
        return lookup(MapSet::LocalRecipients, state_.codes.unknown_local, "local recipient table");
    }
    case tern::DomainClass::VirtualMailbox:
        return lookup(MapSet::VirtualMailboxes, state_.codes.unknown_virtual_mailbox, "virtual mailbox table");
    case tern::DomainClass::Relay:
        return lookup(MapSet::RelayRecipients, state_.codes.unknown_relay, "relay recipient table");
    case tern::DomainClass::VirtualAlias:  // the resolver sends these to the error transport
    case tern::DomainClass::Other: return Status::Dunno;
    }
    return Status::Dunno;
}

// "550 5.1.1 <x>: Recipient address rejected: User unknown in virtual alias table", or
// the text of an error:... transport (transport_maps, *_transport), as Postfix.
Evaluation::Status Evaluation::error_transport(std::string_view address, const tern::Resolution& resolution,
                                               ReplyClass reply_class) {
    const tern::DsnText reason =
        tern::split_dsn_text(resolution.nexthop, reply_class == ReplyClass::Sender ? "5.1.0" : "5.1.1");
    const int code =
        resolution.address_class == tern::DomainClass::VirtualAlias ? state_.codes.unknown_virtual_alias : 550;
    return reject(code, fix_dsn(reason.dsn, reply_class), what_rejected(address, reply_class) + reason.text);
}

Evaluation::Status Evaluation::non_fqdn_address(std::string_view address, ReplyClass reply_class) {
    const std::size_t at = address.rfind('@');
    const std::string_view domain = at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
    if (domain.size() >= 2 && domain.front() == '[' && domain.back() == ']') return Status::Dunno;
    const std::string_view name = drop_trailing_dot(domain);
    if (!name.empty() && is_postfix_hostname(name) && name.find('.') != std::string_view::npos) return Status::Dunno;
    return reject(state_.codes.non_fqdn, "4.5.2",
                  what_rejected(address, reply_class) + "need fully-qualified address");
}

Evaluation::Status Evaluation::helo_check(RestrictionKind kind) {
    const std::string_view helo = context_.helo_name;
    if (helo.empty()) return Status::Dunno;
    const std::string what = what_rejected(helo, ReplyClass::Helo);
    const int code = kind == RestrictionKind::RejectNonFqdnHelo ? state_.codes.non_fqdn : state_.codes.invalid_hostname;
    if (helo.front() == '[') {
        if (tern::is_address_literal(helo)) return Status::Dunno;
        return reject(state_.codes.invalid_hostname, "5.5.2", what + "invalid ip address");
    }
    const std::string_view name = drop_trailing_dot(helo);
    if (kind == RestrictionKind::RejectNonFqdnHelo) {
        if (is_postfix_hostname(name) && name.find('.') != std::string_view::npos) return Status::Dunno;
        return reject(code, "5.5.2", what + "need fully-qualified hostname");
    }
    if (is_postfix_hostname(name) || is_host_address(name)) return Status::Dunno;
    return reject(code, "5.5.2", what + "Invalid name");
}

Evaluation::Status Evaluation::client_in(const tern::NetList& list) {
    const tern::Result<bool> inside = list.matches(context_.client_address);
    if (!inside) return lookup_failure(context_.client_address);
    return *inside ? Status::Permit : Status::Dunno;
}

Evaluation::Status Evaluation::client_on_interface() {
    const std::optional<tern::IpNet> client = tern::parse_ip_address(context_.client_address);
    if (!client) return Status::Dunno;
    for (const tern::IpNet& ours : state_.interface_addresses)
        if (ours.contains(*client)) return Status::Permit;
    return Status::Dunno;
}

}  // namespace smtpd
