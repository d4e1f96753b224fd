// lib/mail/domain_class.cpp - domain match lists and the address class of a domain
#include "lib/mail/domain_class.h"

#include "lib/base/text.h"
#include "lib/mail/address.h"

namespace tern {

namespace {

// Postfix 3.7's default for parent_domain_matches_subdomains.
constexpr std::string_view kDefaultParentMatch =
    "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,"
    "qmqpd_authorized_clients,relay_domains,smtpd_access_maps";

std::string normalize_domain(std::string_view domain) {
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    return to_lower(domain);
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::string_view domain_class_name(DomainClass value) noexcept {
    switch (value) {
    case DomainClass::Local: return "local";
    case DomainClass::VirtualAlias: return "virtual alias";
    case DomainClass::VirtualMailbox: return "virtual mailbox";
    case DomainClass::Relay: return "relay";
    case DomainClass::Other: return "default";
    }
    return "default";
}

Status DomainList::add_plain(std::string_view entry, bool negated, std::string_view param) {
    Entry item;
    item.negated = negated;
    if (entry.front() != '[' && entry.find(':') != std::string_view::npos) {
        Result<TablePtr> table = open_table(entry);
        if (!table) return fail(Retry::Permanent, std::string(param) + ": " + table.error().describe());
        item.table = std::shared_ptr<LookupTable>(std::move(*table));
    } else {
        item.name = normalize_domain(entry);
    }
    entries_.push_back(std::move(item));
    return {};
}

Result<DomainList> DomainList::parse(const std::vector<std::string>& entries, std::string_view param,
                                     bool match_subdomains) {
    DomainList list;
    list.match_subdomains_ = match_subdomains;
    Status added = expand_match_list(
        entries, param, [&](std::string_view text, bool negated) { return list.add_plain(text, negated, param); });
    if (!added) return tl::unexpected(added.error());
    return list;
}

Result<bool> DomainList::entry_matches(const Entry& entry, std::string_view domain) const {
    if (!entry.table) {
        if (domain == entry.name) return true;
        if (!entry.name.empty() && entry.name.front() == '.') return ends_with(domain, entry.name);
        return match_subdomains_ && domain.size() > entry.name.size() &&
               ends_with(domain, "." + entry.name);
    }
    Result<std::optional<std::string>> found = entry.table->lookup(domain);
    if (!found) return tl::unexpected(found.error());
    if (found->has_value()) return true;
    // Parent domains: "a.b.c" -> "b.c", "c" (or ".b.c", ".c").
    for (std::size_t dot = domain.find('.'); dot != std::string_view::npos; dot = domain.find('.', dot + 1)) {
        const std::string_view parent = match_subdomains_ ? domain.substr(dot + 1) : domain.substr(dot);
        if (parent.empty() || parent == ".") break;
        found = entry.table->lookup(parent);
        if (!found) return tl::unexpected(found.error());
        if (found->has_value()) return true;
    }
    return false;
}

Result<bool> DomainList::matches(std::string_view domain) const {
    if (domain.size() > kMaxDomainBytes + 1) return false;
    const std::string name = normalize_domain(domain);
    if (name.empty()) return false;
    for (const Entry& entry : entries_) {
        Result<bool> hit = entry_matches(entry, name);
        if (!hit) return hit;
        if (*hit) return !entry.negated;
    }
    return false;
}

bool parent_matches_subdomains(const Config& config, std::string_view name) {
    const std::string value =
        config.is_set("parent_domain_matches_subdomains") ? config.get("parent_domain_matches_subdomains")
                                                          : std::string(kDefaultParentMatch);
    for (const std::string& item : split_list(value))
        if (iequals(item, name)) return true;
    return false;
}

std::vector<IpNet> local_interface_addresses(const Config& config) {
    std::vector<IpNet> addresses;
    auto add_text = [&addresses](std::string_view text) {
        if (std::optional<IpNet> net = parse_ip_address(text)) addresses.push_back(*net);
    };
    std::vector<std::string> names = config.list("inet_interfaces");
    for (const std::string& proxy : config.list("proxy_interfaces")) names.push_back(proxy);
    for (const std::string& name : names) {
        if (iequals(name, "all")) {
            for (const std::string& net : interface_networks(NetworkStyle::Host))
                add_text(net.substr(0, net.rfind('/')));
        } else if (iequals(name, "loopback-only")) {
            add_text("127.0.0.1");
            add_text("::1");
        } else {
            add_text(name);  // host names would need DNS; Postfix resolves them, we skip them
        }
    }
    return addresses;
}

Result<DomainClassifier> DomainClassifier::load(const Config& config) {
    DomainClassifier classifier;
    struct ListParam {
        std::string_view name;
        DomainList* list;
    };
    const ListParam lists[] = {
        {"mydestination", &classifier.mydestination_},
        {"virtual_alias_domains", &classifier.virtual_alias_domains_},
        {"virtual_mailbox_domains", &classifier.virtual_mailbox_domains_},
        {"relay_domains", &classifier.relay_domains_},
    };
    for (const ListParam& param : lists) {
        Result<DomainList> parsed =
            DomainList::parse(config.list(param.name), param.name, parent_matches_subdomains(config, param.name));
        if (!parsed) return tl::unexpected(parsed.error());
        *param.list = std::move(*parsed);
    }
    classifier.interface_addresses_ = local_interface_addresses(config);
    return classifier;
}

Result<bool> DomainClassifier::is_local(std::string_view domain) const {
    if (!domain.empty() && domain.front() == '[' && domain.back() == ']') {
        if (std::optional<IpNet> address = parse_ip_address(domain)) {
            for (const IpNet& ours : interface_addresses_)
                if (ours.contains(*address)) return true;
        }
    }
    return mydestination_.matches(domain);
}

Result<DomainClass> DomainClassifier::classify(std::string_view domain) const {
    struct Step {
        const DomainList* list;
        DomainClass result;
    };
    Result<bool> local = is_local(domain);
    if (!local) return tl::unexpected(local.error());
    if (*local) return DomainClass::Local;
    const Step steps[] = {
        {&virtual_alias_domains_, DomainClass::VirtualAlias},
        {&virtual_mailbox_domains_, DomainClass::VirtualMailbox},
        {&relay_domains_, DomainClass::Relay},
    };
    for (const Step& step : steps) {
        Result<bool> hit = step.list->matches(domain);
        if (!hit) return tl::unexpected(hit.error());
        if (*hit) return step.result;
    }
    return DomainClass::Other;
}

}  // namespace tern
