// lib/mail/net_list.cpp - address match lists (mynetworks): parse and match
#include "lib/mail/net_list.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstring>

#include "lib/base/text.h"

namespace tern {

namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view strip_brackets(std::string_view text) {
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') return text.substr(1, text.size() - 2);
    return text;
}

bool host_bits(const IpNet& net) {
    const int total = net.v6 ? 128 : 32;
    for (int bit = net.prefix_bits; bit < total; ++bit)
        if (net.bytes[bit / 8] & (0x80 >> (bit % 8))) return true;
    return false;
}

}  // namespace

bool IpNet::contains(const IpNet& address) const noexcept {
    if (v6 != address.v6) return false;
    const int full = prefix_bits / 8;
    if (std::memcmp(bytes.data(), address.bytes.data(), full) != 0) return false;
    const int rest = prefix_bits % 8;
    if (rest == 0) return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
    return (bytes[full] & mask) == (address.bytes[full] & mask);
}

std::string IpNet::address_string() const {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
    return text;
}

std::string IpNet::to_string() const {
    if (v6) return "[" + address_string() + "]/" + std::to_string(prefix_bits);
    return address_string() + "/" + std::to_string(prefix_bits);
}

std::optional<IpNet> parse_ip_address(std::string_view text) {
    text = strip_brackets(text);
    if (text.size() >= 5 && iequals(text.substr(0, 5), "ipv6:")) text.remove_prefix(5);
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string copy(text);
    IpNet net;
    if (::inet_pton(AF_INET, copy.c_str(), net.bytes.data()) == 1) {
        net.prefix_bits = 32;
        return net;
    }
    if (::inet_pton(AF_INET6, copy.c_str(), net.bytes.data()) != 1) return std::nullopt;
    if (std::memcmp(net.bytes.data(), kMappedPrefix.data(), kMappedPrefix.size()) == 0) {
        std::memmove(net.bytes.data(), net.bytes.data() + 12, 4);
        std::memset(net.bytes.data() + 4, 0, 12);
        net.prefix_bits = 32;
        return net;
    }
    net.v6 = true;
    net.prefix_bits = 128;
    return net;
}

std::optional<IpNet> parse_ip_network(std::string_view text, bool* host_bits_set) {
    const std::size_t slash = text.rfind('/');
    std::string_view address = text.substr(0, slash);
    std::optional<IpNet> net;
    IpNet parsed;
    const std::string inner(strip_brackets(address));
    if (::inet_pton(AF_INET, inner.c_str(), parsed.bytes.data()) == 1) {
        parsed.prefix_bits = 32;
        net = parsed;
    } else if (::inet_pton(AF_INET6, inner.c_str(), parsed.bytes.data()) == 1) {
        parsed.v6 = true;
        parsed.prefix_bits = 128;
        net = parsed;
    }
    if (!net) return std::nullopt;
    if (slash != std::string_view::npos) {
        const std::string_view bits_text = text.substr(slash + 1);
        const std::optional<long long> bits = parse_integer(bits_text);
        if (bits_text.empty() || !bits || *bits < 0 || *bits > net->prefix_bits) return std::nullopt;
        net->prefix_bits = static_cast<int>(*bits);
    }
    if (host_bits_set) *host_bits_set = host_bits(*net);
    return net;
}

Status NetList::add_plain(std::string_view entry, bool negated, std::string_view param) {
    Entry item;
    item.negated = negated;
    bool host_bits_set = false;
    if (std::optional<IpNet> net = parse_ip_network(entry, &host_bits_set)) {
        if (host_bits_set) {
            IpNet fixed = *net;
            const int total = fixed.v6 ? 128 : 32;
            for (int bit = fixed.prefix_bits; bit < total; ++bit)
                fixed.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
            return fail(Retry::Permanent, std::string(param) + ": non-null host address bits in \"" +
                                              printable(entry, 100) + "\", perhaps you should use \"" +
                                              fixed.to_string() + "\" instead");
        }
        item.net = *net;
        entries_.push_back(std::move(item));
        return {};
    }
    if (entry.find(':') != std::string_view::npos && entry.front() != '[') {
        Result<TablePtr> table = open_table(entry);
        if (!table) return fail(Retry::Permanent, std::string(param) + ": " + table.error().describe());
        item.table = std::shared_ptr<LookupTable>(std::move(*table));
        entries_.push_back(std::move(item));
        return {};
    }
    return fail(Retry::Permanent,
                std::string(param) + ": bad address pattern: \"" + printable(entry, 100) + "\"");
}

Result<NetList> NetList::parse(const std::vector<std::string>& entries, std::string_view param) {
    NetList list;
    Status added = expand_match_list(
        entries, param, [&](std::string_view text, bool negated) { return list.add_plain(text, negated, param); });
    if (!added) return tl::unexpected(added.error());
    return list;
}

Result<bool> NetList::matches(std::string_view address) const {
    const std::optional<IpNet> client = parse_ip_address(address);
    for (const Entry& entry : entries_) {
        bool hit = false;
        if (entry.table) {
            const std::string key = client ? client->address_string() : std::string(strip_brackets(address));
            Result<std::optional<std::string>> found = entry.table->lookup(key);
            if (!found) return tl::unexpected(found.error());
            hit = found->has_value();
        } else {
            hit = client && entry.net.contains(*client);
        }
        if (hit) return !entry.negated;
    }
    return false;
}

namespace {

int class_prefix(const IpNet& address) {
    const std::uint8_t first = address.bytes[0];
    if (first < 128) return 8;
    if (first < 192) return 16;
    return 24;
}

void mask_to(IpNet& net, int prefix_bits) {
    net.prefix_bits = prefix_bits;
    const int total = net.v6 ? 128 : 32;
    for (int bit = prefix_bits; bit < total; ++bit)
        net.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
}

int mask_bits(const sockaddr* mask, bool v6) {
    if (!mask) return v6 ? 128 : 32;
    const auto* bytes = v6 ? reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr)
                           : reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
    int bits = 0;
    for (int i = 0; i < (v6 ? 16 : 4); ++i) bits += __builtin_popcount(bytes[i]);
    return bits;
}

}  // namespace

std::vector<std::string> interface_networks(NetworkStyle style) {
    std::vector<std::string> networks;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return networks;
    const std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> owner(list, ::freeifaddrs);
    for (const ifaddrs* item = list; item; item = item->ifa_next) {
        if (!item->ifa_addr || !(item->ifa_flags & IFF_UP)) continue;
        const int family = item->ifa_addr->sa_family;
        if (family != AF_INET && family != AF_INET6) continue;
        IpNet net;
        net.v6 = family == AF_INET6;
        if (net.v6)
            std::memcpy(net.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(item->ifa_addr)->sin6_addr, 16);
        else
            std::memcpy(net.bytes.data(), &reinterpret_cast<const sockaddr_in*>(item->ifa_addr)->sin_addr, 4);
        net.prefix_bits = net.v6 ? 128 : 32;
        switch (style) {
        case NetworkStyle::Host: break;
        case NetworkStyle::Subnet: mask_to(net, mask_bits(item->ifa_netmask, net.v6)); break;
        case NetworkStyle::Class: mask_to(net, net.v6 ? mask_bits(item->ifa_netmask, true) : class_prefix(net)); break;
        }
        std::string text = net.to_string();
        bool seen = false;
        for (const std::string& known : networks) seen = seen || known == text;
        if (!seen) networks.push_back(std::move(text));
    }
    return networks;
}

Result<NetList> load_mynetworks(const Config& config) {
    if (config.is_set("mynetworks") || !config.is_set("mynetworks_style"))
        return NetList::parse(config.list("mynetworks"), "mynetworks");
    const std::string style = to_lower(config.get("mynetworks_style"));
    if (style == "host") return NetList::parse(interface_networks(NetworkStyle::Host), "mynetworks_style");
    if (style == "subnet") return NetList::parse(interface_networks(NetworkStyle::Subnet), "mynetworks_style");
    if (style == "class") return NetList::parse(interface_networks(NetworkStyle::Class), "mynetworks_style");
    return fail(Retry::Permanent, "unknown mynetworks_style parameter value: " + printable(style, 100));
}

}  // namespace tern
