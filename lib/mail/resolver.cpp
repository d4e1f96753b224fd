// lib/mail/resolver.cpp - recipient -> transport:nexthop, as Postfix's trivial-rewrite resolves it
//
// DESCRIPTION
//     Implements lib/mail/resolver.h. The rules follow Postfix 3.7's
//     trivial-rewrite (resolve.c, transport.c, split_addr.c):
//       - a trailing "@" is stripped with resolve_null_domain = yes and
//         refused otherwise; one trailing dot of the domain goes (not "..");
//       - the class transport and its nexthop: Local -> local_transport,
//         nexthop its ":part" or myhostname; VirtualAlias -> error with
//         "5.1.1 User unknown in virtual alias table"; VirtualMailbox ->
//         virtual_transport, nexthop the recipient domain (Postfix 3.7;
//         older versions used myhostname); Relay and Other ->
//         relay_transport / default_transport, nexthop relayhost when set,
//         else the recipient domain; a ":nexthop" in the transport value
//         wins over both;
//       - transport_maps (transport(5)), for every class but VirtualAlias
//         (Postfix never overrides its error result): keys user+ext@domain, then
//         user@domain, then the domain and its parents, then "*"; pattern
//         tables (regexp, pcre, cidr) see only the full address and "*".
//         "transport:" resets the nexthop to the recipient domain ("Address
//         is undeliverable" for error and retry), ":nexthop" keeps the
//         transport, ":" keeps both.
//     A nexthop taken from the recipient domain is folded to lower case
//     (Postfix keeps the case and its qmgr folds queue names), so
//     destinations group alike. Checked against Postfix 3.7's
//     trivial-rewrite -S on the cases of tests/unit/resolver_test.cpp.
//     Not done (Postfix does it): stripping a local domain to follow
//     sender-specified routing (user%remote@local, user@remote@local);
//     such addresses stay Local. relocated_maps and the sender-dependent
//     maps are not consulted.
// ERRORS
//     See resolver.h.
#include "lib/mail/resolver.h"

#include <optional>
#include <vector>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/address.h"
#include "lib/mail/tables/table.h"

namespace tern {

namespace {

constexpr std::size_t kMaxResolveAddressBytes = 2048;  // longer than any SMTP path allows
constexpr std::string_view kErrorService = "error";
constexpr std::string_view kRetryService = "retry";

// Stands in for a transport table whose file is missing: lookups fail temporarily (mail defers).
class UnavailableTable final : public LookupTable {
public:
    UnavailableTable(std::string type, std::string name, std::string reason)
        : LookupTable(std::move(type), std::move(name)), reason_(std::move(reason)) {}

protected:
    Result<std::optional<std::string>> find(std::string_view) const override {
        return fail(Retry::Temporary, spec() + " is unavailable: " + reason_);
    }

private:
    std::string reason_;
};

struct MapTable {
    std::shared_ptr<LookupTable> table;
    bool pattern = false;  // regexp, pcre, cidr: only whole-address keys
};

Result<MapTable> open_transport_table(std::string_view spec) {
    while (spec.size() > 6 && spec.substr(0, 6) == "proxy:") spec.remove_prefix(6);
    Result<TableSpec> parts = split_table_spec(spec);
    if (!parts) return fail(Retry::Permanent, "parameter transport_maps: " + parts.error().describe());
    MapTable map;
    map.pattern = parts->type == "regexp" || parts->type == "pcre" || parts->type == "cidr";
    Result<TablePtr> table = open_table(spec);
    if (table) {
        map.table = std::shared_ptr<LookupTable>(std::move(*table));
        return map;
    }
    if (!table.error().temporary())
        return fail(Retry::Permanent, "parameter transport_maps: " + table.error().describe());
    const std::string reason = table.error().describe();
    log_warning("%s:%s is unavailable. %s", parts->type.c_str(), printable(parts->name, 200).c_str(),
                printable(reason, 300).c_str());
    map.table = std::make_shared<UnavailableTable>(parts->type, parts->name, reason);
    return map;
}

struct Route {
    std::string transport;
    std::string nexthop;
};

// "smtp:[relay]:587" -> {"smtp", "[relay]:587"}; "smtp" -> {"smtp", ""}.
Route split_route(std::string_view value) {
    const std::size_t colon = value.find(':');
    if (colon == std::string_view::npos) return {std::string(value), ""};
    return {std::string(value.substr(0, colon)), std::string(value.substr(colon + 1))};
}

std::string_view drop_one_trailing_dot(std::string_view domain) noexcept {
    if (domain.size() > 1 && domain.back() == '.' && domain[domain.size() - 2] != '.') domain.remove_suffix(1);
    return domain;
}

bool ends_with_ci(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

// Postfix's split_addr(): where the extension starts in LOCAL, or npos.
std::size_t extension_start(std::string_view local, std::string_view delimiters) {
    if (delimiters.empty()) return std::string_view::npos;
    if (iequals(local, "postmaster") || iequals(local, "MAILER-DAEMON") || iequals(local, "double-bounce"))
        return std::string_view::npos;
    if (delimiters.find('-') != std::string_view::npos) {
        if (local.size() >= 6 && iequals(local.substr(0, 6), "owner-")) return std::string_view::npos;
        if (local.size() > 8 && ends_with_ci(local, "-request")) return std::string_view::npos;
    }
    const std::size_t cut = local.find_first_of(delimiters);
    if (cut == 0 || cut == std::string_view::npos) return std::string_view::npos;
    return cut;
}

}  // namespace

struct Resolver::Impl {
    DomainClassifier domains;
    std::vector<MapTable> transport_maps;
    bool transport_parent_style = false;
    bool resolve_null_domain = false;
    bool show_table_name = true;
    std::string local_transport;
    std::string virtual_transport;
    std::string relay_transport;
    std::string default_transport;
    std::string relayhost;
    std::string myhostname;

    [[nodiscard]] Route class_route(DomainClass domain_class, const std::string& rcpt_domain) const;
    [[nodiscard]] Result<bool> find_entry(const std::string& key, bool full_key, const std::string& rcpt_domain,
                                          Route& route) const;
    [[nodiscard]] Status apply_transport_maps(const std::string& address, const std::string& rcpt_domain,
                                              const std::string& delimiters, Route& route) const;
};

std::string extension_of(std::string_view address, std::string_view delimiters) {
    const std::size_t at = address.rfind('@');
    const std::string_view local = address.substr(0, at);
    const std::size_t cut = extension_start(local, delimiters);
    if (cut == std::string_view::npos) return {};
    return std::string(local.substr(cut + 1));
}

std::string without_extension(std::string_view address, std::string_view delimiters) {
    const std::size_t at = address.rfind('@');
    const std::string_view local = address.substr(0, at);
    const std::size_t cut = extension_start(local, delimiters);
    if (cut == std::string_view::npos) return std::string(address);
    std::string bare(local.substr(0, cut));
    if (at != std::string_view::npos) bare += address.substr(at);
    return bare;
}

Result<Resolver> Resolver::load(const Config& config) {
    auto impl = std::make_shared<Impl>();
    Result<DomainClassifier> domains = DomainClassifier::load(config);
    if (!domains) return tl::unexpected(domains.error());
    impl->domains = std::move(*domains);
    for (const std::string& spec : config.list("transport_maps")) {
        Result<MapTable> table = open_transport_table(spec);
        if (!table) return tl::unexpected(table.error());
        impl->transport_maps.push_back(std::move(*table));
    }
    impl->transport_parent_style = parent_matches_subdomains(config, "transport_maps");
    const struct {
        std::string_view name;
        std::string* value;
    } strings[] = {
        {"local_transport", &impl->local_transport},     {"virtual_transport", &impl->virtual_transport},
        {"relay_transport", &impl->relay_transport},     {"default_transport", &impl->default_transport},
        {"relayhost", &impl->relayhost},                 {"myhostname", &impl->myhostname},
    };
    for (const auto& param : strings) {
        Result<std::string> value = config.expanded(param.name);
        if (!value) return tl::unexpected(value.error());
        *param.value = std::string(trim(*value));
        if (param.name != "relayhost" && split_route(*param.value).transport.empty())
            return fail(Retry::Permanent, "parameter " + std::string(param.name) + ": null transport is not allowed");
    }
    Result<bool> null_domain = config.boolean("resolve_null_domain");
    Result<bool> show_table = config.boolean("show_user_unknown_table_name");
    if (!null_domain) return tl::unexpected(null_domain.error());
    if (!show_table) return tl::unexpected(show_table.error());
    impl->resolve_null_domain = *null_domain;
    impl->show_table_name = *show_table;
    Resolver resolver;
    resolver.delimiters_ = config.get("recipient_delimiter");
    resolver.impl_ = std::move(impl);
    return resolver;
}

Route Resolver::Impl::class_route(DomainClass domain_class, const std::string& rcpt_domain) const {
    Route route;
    std::string default_nexthop = myhostname;
    switch (domain_class) {
    case DomainClass::Local: route = split_route(local_transport); break;
    case DomainClass::VirtualAlias:
        return {std::string(kErrorService),
                std::string("5.1.1 User unknown") + (show_table_name ? " in virtual alias table" : "")};
    case DomainClass::VirtualMailbox:
        route = split_route(virtual_transport);
        default_nexthop = rcpt_domain;
        break;
    case DomainClass::Relay:
    case DomainClass::Other:
        route = split_route(domain_class == DomainClass::Relay ? relay_transport : default_transport);
        default_nexthop = relayhost.empty() ? rcpt_domain : relayhost;
        break;
    }
    if (route.nexthop.empty()) route.nexthop = default_nexthop;
    return route;
}

// One transport(5) entry for KEY: true when found (ROUTE updated).
Result<bool> Resolver::Impl::find_entry(const std::string& key, bool full_key, const std::string& rcpt_domain,
                                        Route& route) const {
    for (const MapTable& map : transport_maps) {
        if (map.pattern && !full_key) continue;
        Result<std::optional<std::string>> value = map.table->lookup(key);
        if (!value) return fail(Retry::Temporary, "transport_maps lookup failure: " + value.error().describe());
        if (!value->has_value()) continue;
        const Route entry = split_route(trim(**value));
        if (entry.transport.empty()) {
            if (!entry.nexthop.empty()) route.nexthop = entry.nexthop;
        } else {
            route.transport = entry.transport;
            if (!entry.nexthop.empty())
                route.nexthop = entry.nexthop;
            else if (entry.transport != kErrorService && entry.transport != kRetryService)
                route.nexthop = rcpt_domain;
            else
                route.nexthop = "Address is undeliverable";
        }
        return true;
    }
    return false;
}

Status Resolver::Impl::apply_transport_maps(const std::string& address, const std::string& rcpt_domain,
                                            const std::string& delimiters, Route& route) const {
    if (transport_maps.empty()) return {};
    std::vector<std::pair<std::string, bool>> keys{{address, true}};
    const std::string bare = without_extension(address, delimiters);
    if (bare != address) keys.emplace_back(bare, false);
    // "a.b.c", then "b.c", "c" (parent style) or ".b.c", ".c".
    std::string_view name = rcpt_domain;
    keys.emplace_back(std::string(name), false);
    for (std::size_t dot = name.find('.', 1); dot != std::string_view::npos; dot = name.find('.', dot + 1)) {
        const std::string_view parent = transport_parent_style ? name.substr(dot + 1) : name.substr(dot);
        if (!parent.empty() && parent != ".") keys.emplace_back(std::string(parent), false);
    }
    keys.emplace_back("*", true);
    for (const auto& [key, full_key] : keys) {
        Result<bool> found = find_entry(key, full_key, rcpt_domain, route);
        if (!found) return tl::unexpected(found.error());
        if (*found) return {};
    }
    return {};
}

const DomainClassifier& Resolver::domains() const noexcept { return impl_->domains; }

Result<Resolution> Resolver::resolve(std::string_view address) const {
    if (address.size() > kMaxResolveAddressBytes) return fail(Retry::Permanent, "address too long");
    const std::size_t at = address.rfind('@');
    std::string_view local = address.substr(0, at);
    std::string_view domain = at == std::string_view::npos ? std::string_view{} : address.substr(at + 1);
    if (at != std::string_view::npos && domain.empty()) {
        if (!impl_->resolve_null_domain) return fail(Retry::Permanent, "bad address syntax");
        while (!local.empty() && local.back() == '@') local.remove_suffix(1);
    }
    domain = drop_one_trailing_dot(domain);
    const std::string rcpt_domain = domain.empty() ? to_lower(impl_->myhostname) : to_lower(domain);
    Resolution resolution;
    resolution.address_class = DomainClass::Local;
    if (!domain.empty()) {
        if (!is_valid_domain(domain, true) && domain.find_first_not_of("0123456789.") != std::string_view::npos)
            return fail(Retry::Permanent, "bad address syntax");
        Result<DomainClass> domain_class = impl_->domains.classify(rcpt_domain);
        if (!domain_class) return fail(Retry::Temporary, "address class lookup failure: " + domain_class.error().describe());
        resolution.address_class = *domain_class;
    }
    Route route = impl_->class_route(resolution.address_class, rcpt_domain);
    const std::string full = std::string(local) + "@" + (domain.empty() ? impl_->myhostname : std::string(domain));
    // As Postfix, transport_maps never override the virtual alias class's "User unknown".
    if (resolution.address_class != DomainClass::VirtualAlias) {
        Status mapped = impl_->apply_transport_maps(full, rcpt_domain, delimiters_, route);
        if (!mapped) return tl::unexpected(mapped.error());
    }
    resolution.transport = std::move(route.transport);
    resolution.nexthop = std::move(route.nexthop);
    return resolution;
}

}  // namespace tern
