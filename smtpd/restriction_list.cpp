// smtpd/restriction_list.cpp - parse smtpd_*_restrictions lists and restriction classes
#include "smtpd/restriction_list.h"

#include <array>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/domain_class.h"
#include "lib/mail/tables/table.h"

namespace smtpd {

namespace {

enum class Argument { None, Table, Word };

struct KnownName {
    std::string_view name;
    RestrictionKind kind;
    Argument argument;
};

using K = RestrictionKind;
constexpr std::array kKnownNames = {
    KnownName{"permit", K::Permit, Argument::None},
    KnownName{"reject", K::Reject, Argument::None},
    KnownName{"defer", K::Defer, Argument::None},
    KnownName{"defer_if_permit", K::DeferIfPermit, Argument::None},
    KnownName{"defer_if_reject", K::DeferIfReject, Argument::None},
    KnownName{"warn_if_reject", K::WarnIfReject, Argument::None},
    KnownName{"permit_mynetworks", K::PermitMynetworks, Argument::None},
    KnownName{"permit_inet_interfaces", K::PermitInetInterfaces, Argument::None},
    KnownName{"permit_sasl_authenticated", K::PermitSaslAuthenticated, Argument::None},
    KnownName{"permit_auth_destination", K::PermitAuthDestination, Argument::None},
    KnownName{"reject_unauth_destination", K::RejectUnauthDestination, Argument::None},
    KnownName{"defer_unauth_destination", K::DeferUnauthDestination, Argument::None},
    KnownName{"reject_unlisted_recipient", K::RejectUnlistedRecipient, Argument::None},
    KnownName{"check_recipient_maps", K::RejectUnlistedRecipient, Argument::None},
    KnownName{"reject_unlisted_sender", K::RejectUnlistedSender, Argument::None},
    KnownName{"reject_non_fqdn_sender", K::RejectNonFqdnSender, Argument::None},
    KnownName{"reject_non_fqdn_recipient", K::RejectNonFqdnRecipient, Argument::None},
    KnownName{"reject_non_fqdn_helo_hostname", K::RejectNonFqdnHelo, Argument::None},
    KnownName{"reject_non_fqdn_hostname", K::RejectNonFqdnHelo, Argument::None},
    KnownName{"reject_invalid_helo_hostname", K::RejectInvalidHelo, Argument::None},
    KnownName{"reject_invalid_hostname", K::RejectInvalidHelo, Argument::None},
    KnownName{"check_client_access", K::CheckClientAccess, Argument::Table},
    KnownName{"check_helo_access", K::CheckHeloAccess, Argument::Table},
    KnownName{"check_sender_access", K::CheckSenderAccess, Argument::Table},
    KnownName{"check_recipient_access", K::CheckRecipientAccess, Argument::Table},
    // Known to Postfix, not evaluated by tern yet (DNS, TLS, SASL maps, policy, verify).
    KnownName{"reject_unknown_client_hostname", K::Unsupported, Argument::None},
    KnownName{"reject_unknown_client", K::Unsupported, Argument::None},
    KnownName{"reject_unknown_reverse_client_hostname", K::Unsupported, Argument::None},
    KnownName{"reject_unknown_helo_hostname", K::Unsupported, Argument::None},
    KnownName{"reject_unknown_hostname", K::Unsupported, Argument::None},
    KnownName{"reject_unknown_sender_domain", K::Unsupported, Argument::None},
    KnownName{"reject_unknown_recipient_domain", K::Unsupported, Argument::None},
    KnownName{"reject_unknown_address", K::Unsupported, Argument::None},
    KnownName{"reject_maps_rbl", K::Unsupported, Argument::None},
    KnownName{"permit_mx_backup", K::Unsupported, Argument::None},
    KnownName{"reject_unverified_sender", K::Unsupported, Argument::None},
    KnownName{"reject_unverified_recipient", K::Unsupported, Argument::None},
    KnownName{"permit_tls_clientcerts", K::Unsupported, Argument::None},
    KnownName{"permit_tls_all_clientcerts", K::Unsupported, Argument::None},
    KnownName{"reject_plaintext_session", K::Unsupported, Argument::None},
    KnownName{"reject_unauth_pipelining", K::Unsupported, Argument::None},
    KnownName{"reject_multi_recipient_bounce", K::Unsupported, Argument::None},
    KnownName{"reject_sender_login_mismatch", K::Unsupported, Argument::None},
    KnownName{"reject_authenticated_sender_login_mismatch", K::Unsupported, Argument::None},
    KnownName{"reject_known_sender_login_mismatch", K::Unsupported, Argument::None},
    KnownName{"reject_unauthenticated_sender_login_mismatch", K::Unsupported, Argument::None},
    KnownName{"permit_naked_ip_address", K::Unsupported, Argument::None},
    KnownName{"check_relay_domains", K::Unsupported, Argument::None},
    KnownName{"reject_rbl_client", K::Unsupported, Argument::Word},
    KnownName{"reject_rbl", K::Unsupported, Argument::Word},
    KnownName{"reject_rhsbl_client", K::Unsupported, Argument::Word},
    KnownName{"reject_rhsbl_reverse_client", K::Unsupported, Argument::Word},
    KnownName{"reject_rhsbl_helo", K::Unsupported, Argument::Word},
    KnownName{"reject_rhsbl_sender", K::Unsupported, Argument::Word},
    KnownName{"reject_rhsbl_recipient", K::Unsupported, Argument::Word},
    KnownName{"permit_dnswl_client", K::Unsupported, Argument::Word},
    KnownName{"permit_rhswl_client", K::Unsupported, Argument::Word},
    KnownName{"check_policy_service", K::Unsupported, Argument::Word},
    KnownName{"sleep", K::Unsupported, Argument::Word},
    KnownName{"check_reverse_client_access", K::Unsupported, Argument::Word},
    KnownName{"check_ccert_access", K::Unsupported, Argument::Word},
    KnownName{"check_sasl_access", K::Unsupported, Argument::Word},
    KnownName{"check_client_mx_access", K::Unsupported, Argument::Word},
    KnownName{"check_client_ns_access", K::Unsupported, Argument::Word},
    KnownName{"check_client_a_access", K::Unsupported, Argument::Word},
    KnownName{"check_reverse_client_mx_access", K::Unsupported, Argument::Word},
    KnownName{"check_reverse_client_ns_access", K::Unsupported, Argument::Word},
    KnownName{"check_reverse_client_a_access", K::Unsupported, Argument::Word},
    KnownName{"check_helo_mx_access", K::Unsupported, Argument::Word},
    KnownName{"check_helo_ns_access", K::Unsupported, Argument::Word},
    KnownName{"check_helo_a_access", K::Unsupported, Argument::Word},
    KnownName{"check_sender_mx_access", K::Unsupported, Argument::Word},
    KnownName{"check_sender_ns_access", K::Unsupported, Argument::Word},
    KnownName{"check_sender_a_access", K::Unsupported, Argument::Word},
    KnownName{"check_recipient_mx_access", K::Unsupported, Argument::Word},
    KnownName{"check_recipient_ns_access", K::Unsupported, Argument::Word},
    KnownName{"check_recipient_a_access", K::Unsupported, Argument::Word},
};

const KnownName* find_known(std::string_view name) {
    for (const KnownName& known : kKnownNames)
        if (known.name == name) return &known;
    return nullptr;
}

tern::Error param_error(std::string_view param, const std::string& text) {
    return tern::Error{tern::Retry::Permanent, "parameter " + std::string(param) + ": " + text, 0};
}

}  // namespace

bool is_known_restriction(std::string_view name) { return find_known(tern::to_lower(name)) != nullptr; }

RestrictionParser::RestrictionParser(const tern::Config& config)
    : config_(config), parent_style_(tern::parent_matches_subdomains(config, "smtpd_access_maps")) {}

tern::Result<std::shared_ptr<AccessMap>> RestrictionParser::open_map(std::string_view param, std::string_view spec) {
    const std::string key(spec);
    if (auto known = maps_.find(key); known != maps_.end()) return known->second;
    tern::Result<tern::TablePtr> table = tern::open_table(spec);
    if (!table) return tl::unexpected(param_error(param, table.error().describe()));
    auto map = std::make_shared<AccessMap>(std::shared_ptr<tern::LookupTable>(std::move(*table)), parent_style_);
    maps_.emplace(key, map);
    return map;
}

tern::Status RestrictionParser::load_classes() {
    class_names_.clear();
    for (const std::string& name : config_.list("smtpd_restriction_classes")) class_names_.push_back(tern::to_lower(name));
    classes_.assign(class_names_.size(), {});
    for (std::size_t i = 0; i < class_names_.size(); ++i) {
        const std::string& name = class_names_[i];
        if (!config_.is_set(name) || config_.list(name).empty())
            return tl::unexpected(param_error("smtpd_restriction_classes", "restriction class `" + name +
                                                                              "' needs a definition"));
        tern::Result<RestrictionList> list = parse(name);
        if (!list) return tl::unexpected(list.error());
        classes_[i] = std::move(*list);
    }
    return {};
}

tern::Result<RestrictionList> RestrictionParser::parse(std::string_view param) {
    return parse_words(param, config_.list(param));
}

tern::Result<RestrictionList> RestrictionParser::parse_words(std::string_view param,
                                                             const std::vector<std::string>& words) {
    RestrictionList list;
    for (std::size_t i = 0; i < words.size(); ++i) {
        Restriction item;
        item.name = tern::to_lower(words[i]);
        if (item.name.find(':') != std::string::npos) {  // bare type:table
            item.kind = RestrictionKind::BareTable;
            tern::Result<std::shared_ptr<AccessMap>> map = open_map(param, words[i]);
            if (!map) return tl::unexpected(map.error());
            item.map = std::move(*map);
            list.push_back(std::move(item));
            continue;
        }
        const KnownName* known = find_known(item.name);
        if (!known) {
            std::size_t index = 0;
            while (index < class_names_.size() && class_names_[index] != item.name) ++index;
            if (index == class_names_.size())
                return tl::unexpected(param_error(param, "unknown smtpd restriction: \"" +
                                                             tern::printable(words[i], 100) + "\""));
            item.kind = RestrictionKind::Class;
            item.class_index = index;
            list.push_back(std::move(item));
            continue;
        }
        item.kind = known->kind;
        if (known->argument != Argument::None) {
            if (i + 1 >= words.size() || (known->argument == Argument::Table && words[i + 1].find(':') == std::string::npos))
                return tl::unexpected(param_error(param, "restriction " + item.name + ": missing " +
                                                             (known->argument == Argument::Table ? "maptype:mapname"
                                                                                                 : "argument")));
            ++i;
            if (known->argument == Argument::Table) {
                tern::Result<std::shared_ptr<AccessMap>> map = open_map(param, words[i]);
                if (!map) return tl::unexpected(map.error());
                item.map = std::move(*map);
            }
        }
        if (item.kind == RestrictionKind::Unsupported && warned_.insert(item.name).second)
            tern::log_warning("parameter %s: restriction %s is not supported by tern yet and is skipped",
                              std::string(param).c_str(), item.name.c_str());
        list.push_back(std::move(item));
    }
    return list;
}

tern::Result<RestrictionList> parse_action_list(std::string_view value, const std::vector<std::string>& class_names) {
    const std::vector<std::string> words = tern::split_list(value);
    RestrictionList list;
    for (std::size_t i = 0; i < words.size(); ++i) {
        Restriction item;
        item.name = tern::to_lower(words[i]);
        const KnownName* known = find_known(item.name);
        if (known && known->argument == Argument::Table)
            return tern::fail(tern::Retry::Permanent, "restriction " + item.name + " needs a table; "
                                                      "define a restriction class and specify its name instead");
        if (known) {
            item.kind = known->kind;
            if (known->argument == Argument::Word) ++i;
            list.push_back(std::move(item));
            continue;
        }
        std::size_t index = 0;
        while (index < class_names.size() && class_names[index] != item.name) ++index;
        if (index == class_names.size())
            return tern::fail(tern::Retry::Permanent,
                              "unknown smtpd restriction: \"" + tern::printable(words[i], 100) + "\"");
        item.kind = RestrictionKind::Class;
        item.class_index = index;
        list.push_back(std::move(item));
    }
    return list;
}

namespace {

bool list_has_required(const RestrictionList& list, const std::vector<RestrictionList>& classes, int depth) {
    if (depth > 100) return false;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Restriction& item = list[i];
        switch (item.kind) {
        case K::WarnIfReject: ++i; break;  // the next one only warns
        case K::Permit: return false;
        case K::Reject:
        case K::Defer:
        case K::DeferIfPermit:
        case K::RejectUnauthDestination:
        case K::DeferUnauthDestination: return true;
        case K::Class:
            if (list_has_required(classes[item.class_index], classes, depth + 1)) return true;
            break;
        case K::Unsupported: break;  // check_relay_domains too: tern skips it, so it guards nothing
        case K::DeferIfReject: case K::PermitMynetworks: case K::PermitInetInterfaces:
        case K::PermitSaslAuthenticated: case K::PermitAuthDestination: case K::RejectUnlistedRecipient:
        case K::RejectUnlistedSender: case K::RejectNonFqdnSender: case K::RejectNonFqdnRecipient:
        case K::RejectNonFqdnHelo: case K::RejectInvalidHelo: case K::CheckClientAccess: case K::CheckHeloAccess:
        case K::CheckSenderAccess: case K::CheckRecipientAccess: case K::BareTable: break;
        }
    }
    return false;
}

}  // namespace

bool has_required(const RestrictionList& relay, const RestrictionList& recipient,
                  const std::vector<RestrictionList>& classes) {
    return list_has_required(relay, classes, 0) || list_has_required(recipient, classes, 0);
}

}  // namespace smtpd
