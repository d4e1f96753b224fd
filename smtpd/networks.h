// smtpd/networks.h - match a client address against a list of networks (mynetworks syntax)
//
// SYNOPSIS
//     smtpd::NetworkList list = smtpd::NetworkList::make({"127.0.0.0/8", "[::1]/128"}, "mynetworks");
//     bool yes = list.contains("127.0.0.1");
// DESCRIPTION
//     For the lists smtpd checks by itself (smtpd_client_event_limit_exceptions,
//     smtpd_forbid_bare_newline_exclusions): address/prefix, a bare address,
//     either in brackets for IPv6, as in cidr_table(5), on top of which it is
//     built. Entries of another kind (host names, type:table, /file) are
//     skipped with one warning each: no DNS and no tables here yet.
// LIMITS
//     The list is as long as main.cf makes it; each lookup is linear.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/mail/tables/table.h"

namespace smtpd {

class NetworkList {
public:
    NetworkList() = default;
    [[nodiscard]] static NetworkList make(const std::vector<std::string>& entries, std::string_view parameter);
    [[nodiscard]] bool contains(std::string_view address) const;
    [[nodiscard]] bool empty() const noexcept { return !table_; }

private:
    tern::TablePtr table_;
};

}  // namespace smtpd
