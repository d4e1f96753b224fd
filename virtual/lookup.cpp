// virtual/lookup.cpp - lookup keys for an address and the search over a table list (see lookup.h)
//
// SYNOPSIS
//     tern::Result<std::optional<std::string>> v = virt::find_address(maps, address, delimiters);
// DESCRIPTION
//     Pure apart from the tables' own lookups.
// ERRORS
//     The first Temporary error of a table ends the search.
#include "virtual/lookup.h"

#include "lib/base/text.h"

namespace virt {

std::vector<std::string> lookup_keys(std::string_view address, std::string_view delimiters) {
    const std::string lower = tern::to_lower(address);
    const std::size_t at = lower.rfind('@');
    const std::string local = lower.substr(0, at);
    const std::string domain = at == std::string::npos ? std::string() : lower.substr(at);  // "@example.com"
    std::vector<std::string> keys{lower};
    if (!delimiters.empty()) {
        const std::size_t cut = local.find_first_of(delimiters);
        if (cut != std::string::npos && cut > 0) keys.push_back(local.substr(0, cut) + domain);
    }
    if (domain.size() > 1) keys.push_back(domain);
    return keys;
}

tern::Result<std::optional<std::string>> find_address(const Maps& maps, std::string_view address,
                                                      std::string_view delimiters) {
    for (const std::string& key : lookup_keys(address, delimiters)) {
        for (const tern::TablePtr& table : maps.tables) {
            tern::Result<std::optional<std::string>> hit = table->lookup(key);
            if (!hit) return tl::unexpected(hit.error());
            if (*hit) return hit;
        }
    }
    return std::optional<std::string>{};
}

std::optional<long long> parse_id(std::string_view value) noexcept {
    const std::string_view digits = tern::trim(value);
    if (digits.empty() || digits.front() == '-') return std::nullopt;
    return tern::parse_integer(digits);
}

}  // namespace virt
