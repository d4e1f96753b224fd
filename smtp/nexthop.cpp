// smtp/nexthop.cpp - next hop forms of smtp(8) and lmtp(8); see nexthop.h
#include "smtp/nexthop.h"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <utility>

#include "lib/base/text.h"
#include "lib/mail/address.h"

namespace smtp {

namespace {

constexpr std::array<std::pair<std::string_view, int>, 5> kServices{{
    {"smtp", 25}, {"submission", 587}, {"smtps", 465}, {"submissions", 465}, {"lmtp", 24}}};

Result<NextHop> bad(std::string_view text, std::string_view why) {
    return tern::fail(tern::Retry::Permanent,
                      "bad next hop \"" + tern::printable(text, 200) + "\": " + std::string(why));
}

// "host", "host:port", "[host]", "[host]:port" after any "inet:".
Result<NextHop> parse_inet(std::string_view whole, std::string_view text, Dialect dialect,
                           std::string_view default_port) {
    NextHop hop;
    std::string_view port_text = default_port;
    if (text.starts_with('[')) {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) return bad(whole, "missing ]");
        hop.host = std::string(text.substr(1, close - 1));
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return bad(whole, "garbage after ]");
            port_text = rest.substr(1);
        }
        if (tern::iequals(std::string_view(hop.host).substr(0, 5), "ipv6:")) hop.host.erase(0, 5);
    } else {
        const std::size_t colon = text.find(':');
        hop.host = std::string(text.substr(0, colon));
        if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
        hop.use_mx = dialect == Dialect::Smtp;
    }
    if (hop.host.empty()) return bad(whole, "empty host name");
    hop.literal = is_ip_address(hop.host);
    if (hop.literal) hop.use_mx = false;
    if (!hop.literal && !tern::is_valid_hostname(hop.host, false)) return bad(whole, "invalid host name");
    const std::optional<int> port = parse_port(port_text);
    if (!port) return bad(whole, "invalid port");
    hop.port = *port;
    return hop;
}

}  // namespace

std::string NextHop::key() const {
    if (kind == HopKind::Unix) return "unix:" + path;
    return tern::to_lower(host) + ":" + std::to_string(port) + (use_mx ? ":mx" : "");
}

std::optional<int> parse_port(std::string_view text) noexcept {
    for (const auto& [name, number] : kServices)
        if (tern::iequals(text, name)) return number;
    int port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port < 1 || port > 65535)
        return std::nullopt;
    return port;
}

bool is_ip_address(std::string_view text) noexcept {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
    std::array<char, INET6_ADDRSTRLEN> copy{};
    text.copy(copy.data(), text.size());
    std::array<unsigned char, 16> out{};
    return inet_pton(AF_INET, copy.data(), out.data()) == 1 || inet_pton(AF_INET6, copy.data(), out.data()) == 1;
}

Result<NextHop> parse_nexthop(std::string_view text, Dialect dialect, std::string_view default_port) {
    if (text.size() > kMaxNextHopBytes) return bad(text.substr(0, 100), "too long");
    if (text.empty()) return bad(text, "empty");
    for (char c : text)
        if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return bad(text, "control or space character");
    if (text.starts_with("unix:")) {
        NextHop hop;
        hop.kind = HopKind::Unix;
        hop.path = std::string(text.substr(5));
        if (hop.path.empty()) return bad(text, "empty socket path");
        return hop;
    }
    std::string_view rest = text;
    if (rest.starts_with("inet:")) rest.remove_prefix(5);
    return parse_inet(text, rest, dialect, default_port);
}

}  // namespace smtp
