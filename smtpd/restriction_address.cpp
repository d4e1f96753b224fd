// smtpd/restriction_address.cpp - address and host name forms for smtpd's restrictions
#include "smtpd/restriction_address.h"

#include "lib/base/text.h"
#include "lib/mail/address.h"
#include "lib/mail/net_list.h"
#include "lib/mail/resolver.h"

namespace smtpd {

std::string_view drop_trailing_dot(std::string_view name) noexcept {
    if (name.size() > 1 && name.back() == '.' && name[name.size() - 2] != '.') name.remove_suffix(1);
    return name;
}

ResolvedAddress resolve_address(std::string_view address, const AddressForm& form) {
    ResolvedAddress resolved;
    const std::size_t at = address.rfind('@');
    if (at == std::string_view::npos) {
        resolved.local = std::string(address);
        resolved.domain = form.myorigin;
    } else {
        resolved.local = std::string(address.substr(0, at));
        resolved.domain = std::string(drop_trailing_dot(address.substr(at + 1)));
    }
    resolved.address = resolved.local + "@" + resolved.domain;
    resolved.domain = tern::to_lower(resolved.domain);
    const std::string_view local = resolved.local;
    resolved.routed = local.find('@') != std::string_view::npos ||
                      (form.percent_hack && local.find('%') != std::string_view::npos) ||
                      (form.swap_bangpath && local.find('!') != std::string_view::npos);
    return resolved;
}

std::string strip_extension(std::string_view address, std::string_view delimiters) {
    return tern::without_extension(address, delimiters);
}

bool is_postfix_hostname(std::string_view name) noexcept {
    if (name.empty() || name.size() > tern::kMaxDomainBytes) return false;
    bool non_numeric = false;
    std::size_t label_start = 0;
    for (std::size_t i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == '.') {
            const std::string_view label = name.substr(label_start, i - label_start);
            if (label.empty() || label.size() > tern::kMaxLabelBytes) return false;
            if (label.front() == '-' || label.back() == '-') return false;
            label_start = i + 1;
            continue;
        }
        const char c = name[i];
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
        if (!letter && !(c >= '0' && c <= '9')) return false;
        non_numeric = non_numeric || letter;
    }
    return non_numeric;
}

bool is_host_address(std::string_view text) {
    if (text.empty() || text.front() == '[') return false;
    return tern::parse_ip_network(text).has_value() && text.find('/') == std::string_view::npos;
}

}  // namespace smtpd
