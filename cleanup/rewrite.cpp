// cleanup/rewrite.cpp - canonical and virtual alias rewriting (see rewrite.h)
#include "cleanup/rewrite.h"

#include <deque>
#include <optional>
#include <utility>

#include "lib/base/text.h"
#include "lib/mail/address.h"

namespace cleanup {

std::string Rewriter::complete(std::string_view address) const {
    if (address.empty() || address.find('@') != std::string_view::npos) return std::string(address);
    return std::string(address) + "@" + settings_.myorigin;
}

bool Rewriter::is_local_domain(std::string_view domain) const {
    if (tern::iequals(domain, settings_.myorigin) || tern::iequals(domain, settings_.myhostname)) return true;
    for (const std::string& d : settings_.mydestination)
        if (tern::iequals(domain, d)) return true;
    return false;
}

// First answer of the maps for address, trying Postfix's partial keys.
tern::Result<std::optional<std::string>> Rewriter::lookup(const std::vector<tern::TablePtr>& maps,
                                                          std::string_view address) const {
    const std::string_view domain = tern::domain_of(address);
    const bool has_domain = address.find('@') != std::string_view::npos;
    for (const tern::TablePtr& table : maps) {
        const bool pattern = table->type() == "regexp" || table->type() == "pcre";
        std::vector<std::string> keys{std::string(address)};
        if (!pattern && has_domain) {
            if (is_local_domain(domain)) keys.emplace_back(tern::local_part_of(address));
            keys.push_back("@" + std::string(domain));
        }
        for (const std::string& key : keys) {
            tern::Result<std::optional<std::string>> v = table->lookup(key);
            if (!v) return tl::unexpected(v.error());
            if (*v) return std::optional<std::string>(std::string(tern::trim(**v)));
        }
    }
    return std::optional<std::string>();
}

tern::Result<std::string> Rewriter::map_one(const std::vector<tern::TablePtr>& maps, std::string address) const {
    if (address.empty()) return address;
    tern::Result<std::optional<std::string>> v = lookup(maps, address);
    if (!v) return tl::unexpected(v.error());
    if (!*v || (*v)->empty()) return address;
    return complete(**v);
}

tern::Result<std::string> Rewriter::rewrite_sender(std::string_view sender) const {
    tern::Result<std::string> a = map_one(settings_.sender_canonical_maps, complete(sender));
    if (!a) return a;
    return map_one(settings_.canonical_maps, std::move(*a));
}

tern::Result<std::string> Rewriter::rewrite_recipient(std::string_view recipient) const {
    tern::Result<std::string> a = map_one(settings_.recipient_canonical_maps, complete(recipient));
    if (!a) return a;
    return map_one(settings_.canonical_maps, std::move(*a));
}

tern::Result<std::vector<std::string>> Rewriter::expand_virtual(std::string_view recipient) const {
    struct Item {
        std::string address;
        std::size_t depth;
    };
    std::vector<std::string> out;
    std::unordered_set<std::string> expanded, kept;
    std::deque<Item> work{{std::string(recipient), 0}};
    const auto keep = [&](std::string a) {
        if (kept.insert(a).second) out.push_back(std::move(a));
    };
    while (!work.empty()) {
        Item item = std::move(work.front());
        work.pop_front();
        if (settings_.virtual_alias_maps.empty() || expanded.count(tern::to_lower(item.address))) {
            keep(std::move(item.address));
            continue;
        }
        tern::Result<std::optional<std::string>> v = lookup(settings_.virtual_alias_maps, item.address);
        if (!v) return tl::unexpected(v.error());
        if (!*v) {
            keep(std::move(item.address));
            continue;
        }
        if (item.depth >= settings_.virtual_alias_recursion_limit)
            return tern::fail(tern::Retry::Temporary,
                              "unreasonable virtual_alias_maps map nesting for " + tern::printable(recipient, 200));
        expanded.insert(tern::to_lower(item.address));
        for (const std::string& result : tern::split_list(**v)) {
            std::string full = complete(result);
            if (tern::iequals(full, item.address)) keep(std::move(full));
            else work.push_back({std::move(full), item.depth + 1});
            if (out.size() + work.size() > settings_.virtual_alias_expansion_limit)
                return tern::fail(tern::Retry::Temporary, "unreasonable virtual_alias_maps map expansion size for " +
                                                              tern::printable(recipient, 200));
        }
    }
    return out;
}

bool RecipientSet::insert(std::string_view address, std::string_view orcpt, unsigned notify) {
    std::string key = std::to_string(notify);
    key.append("\n").append(orcpt).append("\n").append(address);
    return seen_.insert(std::move(key)).second;
}

}  // namespace cleanup
