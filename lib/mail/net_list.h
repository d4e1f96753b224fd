// lib/mail/net_list.h - address match lists: mynetworks and its relatives
//
// SYNOPSIS
//     tern::Result<tern::NetList> nets = tern::NetList::parse(config.list("mynetworks"), "mynetworks");
//     tern::Result<bool> inside = nets->matches("192.0.2.1");   // Temporary error: table trouble
//     tern::Result<tern::NetList> my = tern::load_mynetworks(config);
//     std::optional<tern::IpNet> n = tern::parse_ip_network("[2001:db8::]/32");
// DESCRIPTION
//     A Postfix address match list (mynetworks, smtpd_forbid_bare_newline_exclusions,
//     ...). Entries are tried in order and the first that matches decides:
//       192.0.2.1, 2001:db8::1, [2001:db8::1]       one address
//       192.0.2.0/24, [2001:db8::]/32, ::1/128      a network (CIDR)
//       type:table                                  the address is looked up;
//                                                   found means it matches
//       /file/name                                  more entries, read from the file
//       !entry                                      a match makes the list fail
//     An IPv4-mapped IPv6 client (::ffff:192.0.2.1) matches IPv4 entries.
//     load_mynetworks() follows Postfix: when main.cf does not set
//     mynetworks but sets mynetworks_style, the list is made from the
//     local interfaces (host: their addresses; subnet: their networks;
//     class: their class A/B/C networks); otherwise mynetworks is used.
// ERRORS
//     parse(): Permanent error naming the parameter for an entry that is
//     no address, network or table, and for a network with host bits set
//     ("perhaps you should use 192.0.2.0/24 instead"), as Postfix does.
// LIMITS
//     /file/name entries nest at most kMaxMatchListFileDepth deep and each
//     file is read up to kMaxMatchListFileBytes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/match_list.h"
#include "lib/mail/tables/table.h"

namespace tern {

// One IPv4 or IPv6 network; an address is a network with the full prefix.
struct IpNet {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
    int prefix_bits = 0;

    [[nodiscard]] bool contains(const IpNet& address) const noexcept;
    [[nodiscard]] std::string to_string() const;        // "192.0.2.0/24", "[2001:db8::]/32"
    [[nodiscard]] std::string address_string() const;  // "192.0.2.0", "2001:db8::"
};

// "1.2.3.4", "::1", "[::1]", "::ffff:1.2.3.4" (made IPv4); nullopt when not an address.
[[nodiscard]] std::optional<IpNet> parse_ip_address(std::string_view text);
// An address or "address/bits" (IPv6 with or without brackets). host_bits_set is
// true when the address has bits past the prefix (Postfix refuses those).
[[nodiscard]] std::optional<IpNet> parse_ip_network(std::string_view text, bool* host_bits_set = nullptr);

class NetList {
public:
    [[nodiscard]] static Result<NetList> parse(const std::vector<std::string>& entries, std::string_view param);
    // An empty list matches nothing.
    [[nodiscard]] Result<bool> matches(std::string_view address) const;
    [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

private:
    struct Entry {
        bool negated = false;
        IpNet net;
        std::shared_ptr<LookupTable> table;  // set for type:table entries
    };
    Status add_plain(std::string_view entry, bool negated, std::string_view param);
    std::vector<Entry> entries_;
};

// The local interfaces' networks as mynetworks_style makes them.
enum class NetworkStyle { Host, Subnet, Class };
[[nodiscard]] std::vector<std::string> interface_networks(NetworkStyle style);
// mynetworks as Postfix computes it (see DESCRIPTION).
[[nodiscard]] Result<NetList> load_mynetworks(const Config& config);

}  // namespace tern
