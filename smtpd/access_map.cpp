// smtpd/access_map.cpp - access(5) lookup order for check_*_access tables
#include "smtpd/access_map.h"

#include "smtpd/restriction_address.h"

namespace smtpd {

AccessMap::AccessMap(std::shared_ptr<tern::LookupTable> table, bool parent_style)
    : table_(std::move(table)), parent_style_(parent_style) {
    const std::string& type = table_->type();
    fixed_ = type != "regexp" && type != "pcre" && type != "cidr";
}

AccessResult AccessMap::get(std::string_view key, Part part) const {
    if (part == Part::Partial && !fixed_) return std::optional<AccessHit>{};
    if (key.empty()) return std::optional<AccessHit>{};  // Berkeley DB cannot hold the empty key
    tern::Result<std::optional<std::string>> value = table_->lookup(key);
    if (!value) return tl::unexpected(value.error());
    if (!*value) return std::optional<AccessHit>{};
    return std::optional<AccessHit>{AccessHit{std::move(**value)}};
}

AccessResult AccessMap::find_exact(std::string_view key) const { return get(key, Part::Full); }

AccessResult AccessMap::find_domain(std::string_view domain) const { return find_domain(domain, Part::Full); }

AccessResult AccessMap::find_domain(std::string_view domain, Part first) const {
    AccessResult hit = get(domain, first);
    if (!hit || *hit) return hit;
    // No subdomain magic for numerical host names.
    if (is_host_address(domain) || (!domain.empty() && domain.front() == '[')) return hit;
    for (std::size_t dot = domain.find('.', 1); dot != std::string_view::npos; dot = domain.find('.', dot + 1)) {
        const std::string_view parent = parent_style_ ? domain.substr(dot + 1) : domain.substr(dot);
        if (parent.empty() || parent == ".") break;
        hit = get(parent, Part::Partial);
        if (!hit || *hit) return hit;
    }
    return hit;
}

AccessResult AccessMap::find_address(std::string_view address) const {
    const char delimiter = address.find(':') != std::string_view::npos ? ':' : '.';
    std::string_view key = address;
    for (Part part = Part::Full;; part = Part::Partial) {
        AccessResult hit = get(key, part);
        if (!hit || *hit) return hit;
        const std::size_t cut = key.rfind(delimiter);
        if (cut == std::string_view::npos) return hit;
        key = key.substr(0, cut);
    }
}

AccessResult AccessMap::find_client(std::string_view name, std::string_view address) const {
    AccessResult hit = find_domain(name, Part::Full);
    if (!hit || *hit) return hit;
    return find_address(address);
}

AccessResult AccessMap::find_mail(std::string_view address, std::string_view domain,
                                  std::string_view delimiters) const {
    AccessResult hit = get(address, Part::Full);
    if (!hit || *hit) return hit;
    const std::string bare = strip_extension(address, delimiters);
    const bool has_extension = bare != address;
    if (has_extension) {
        hit = get(bare, Part::Partial);
        if (!hit || *hit) return hit;
    }
    hit = find_domain(domain, Part::Partial);
    if (!hit || *hit) return hit;
    const std::size_t at = address.rfind('@');
    hit = get(address.substr(0, at + 1), Part::Partial);
    if (!hit || *hit || !has_extension) return hit;
    const std::size_t bare_at = bare.rfind('@');
    return get(std::string_view(bare).substr(0, bare_at + 1), Part::Partial);
}

}  // namespace smtpd
