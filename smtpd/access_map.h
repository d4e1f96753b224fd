// smtpd/access_map.h - access(5) lookups: which keys a check_*_access table is asked, in order
//
// SYNOPSIS
//     smtpd::AccessMap map(table, /*parent_style=*/true);
//     tern::Result<std::optional<smtpd::AccessHit>> hit = map.find_client("mx.example.com", "192.0.2.1");
//     hit = map.find_domain("helo.example.com");
//     hit = map.find_mail("user+ext@example.com", "example.com", "+");
//     if (!hit) ... Temporary: the table could not be read
//     else if (*hit) use((*hit)->value);   // the right-hand side, e.g. "REJECT no thanks"
// DESCRIPTION
//     Postfix's access(5) lookup order:
//       find_domain   the name, then its parent domains: "a.b.c", "b.c", "c"
//                     when smtpd_access_maps is in parent_domain_matches_subdomains,
//                     otherwise "a.b.c", ".b.c", ".c"; an address
//                     literal or IP address is looked up once
//       find_address  the address, then with octets removed: "1.2.3.4",
//                     "1.2.3", "1.2", "1" (IPv6: pieces removed at ':')
//       find_client   find_domain(name), then find_address(address)
//       find_mail     "user+ext@domain", "user@domain", the domain and its
//                     parents as find_domain, "user+ext@", "user@"
//       find_exact    the key alone (the null sender's "<>")
//     Tables that match patterns (regexp, pcre, cidr) are only asked the
//     first, full key, as Postfix asks only "fixed" tables for partial keys.
// ERRORS
//     A Temporary error when the table cannot be read.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/tables/table.h"

namespace smtpd {

struct AccessHit {
    std::string value;
};

using AccessResult = tern::Result<std::optional<AccessHit>>;

class AccessMap {
public:
    AccessMap(std::shared_ptr<tern::LookupTable> table, bool parent_style);

    [[nodiscard]] AccessResult find_exact(std::string_view key) const;
    [[nodiscard]] AccessResult find_domain(std::string_view domain) const;
    [[nodiscard]] AccessResult find_address(std::string_view address) const;
    [[nodiscard]] AccessResult find_client(std::string_view name, std::string_view address) const;
    [[nodiscard]] AccessResult find_mail(std::string_view address, std::string_view domain,
                                         std::string_view delimiters) const;
    [[nodiscard]] std::string spec() const { return table_->spec(); }

private:
    enum class Part { Full, Partial };
    [[nodiscard]] AccessResult get(std::string_view key, Part part) const;
    [[nodiscard]] AccessResult find_domain(std::string_view domain, Part first) const;

    std::shared_ptr<tern::LookupTable> table_;
    bool parent_style_ = true;
    bool fixed_ = true;  // answers partial keys (not a pattern table)
};

}  // namespace smtpd
