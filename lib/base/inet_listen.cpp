// lib/base/inet_listen.cpp - endpoint parsing and TCP listeners
#include "lib/base/inet_listen.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "lib/base/text.h"

namespace tern {
namespace {

bool valid_port(std::string_view port) {
    if (port.empty() || port.size() > kMaxInetPortBytes) return false;
    for (const char c : port) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                        c == '_' || c == '.';
        if (!ok) return false;
    }
    return true;
}

Result<InetEndpoint> checked(std::string_view host, std::string_view port, std::string_view text) {
    if (host.size() > kMaxInetHostBytes) return fail(Retry::Permanent, "host name too long in " + printable(text, 300));
    if (!valid_port(port)) return fail(Retry::Permanent, "bad port in \"" + printable(text, 300) + "\"");
    if (host == "*") host = "";
    return InetEndpoint{std::string(host), std::string(port)};
}

using AddrInfoPtr = std::unique_ptr<addrinfo, CFree<freeaddrinfo>>;

std::string describe_address(const addrinfo* ai) {
    char host[NI_MAXHOST] = "?";
    char serv[NI_MAXSERV] = "?";
    getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV);
    return std::string(host) + " port " + serv;
}

Result<Fd> listen_one(const addrinfo* ai, int backlog) {
    const std::string where = describe_address(ai);
    Fd fd{::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol)};
    if (!fd) return fail(Retry::Temporary, "socket for " + where, errno);
    const int on = 1;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
        return fail(Retry::Temporary, "setsockopt SO_REUSEADDR " + where, errno);
    if (ai->ai_family == AF_INET6 && ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
        return fail(Retry::Temporary, "setsockopt IPV6_V6ONLY " + where, errno);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) < 0) return fail(Retry::Temporary, "bind " + where, errno);
    if (::listen(fd.get(), backlog) < 0) return fail(Retry::Temporary, "listen " + where, errno);
    return fd;
}

int family_hint(InetFamilies families) {
    switch (families) {
    case InetFamilies::All: return AF_UNSPEC;
    case InetFamilies::Ipv4: return AF_INET;
    case InetFamilies::Ipv6: return AF_INET6;
    }
    return AF_UNSPEC;
}

}  // namespace

Result<InetEndpoint> parse_inet_endpoint(std::string_view text) {
    text = trim(text);
    if (text.empty()) return fail(Retry::Permanent, "empty inet address");
    if (text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return fail(Retry::Permanent, "bad inet address \"" + printable(text, 300) + "\"");
        return checked(text.substr(1, close - 1), text.substr(close + 2), text);
    }
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return checked("", text, text);
    if (text.find(':') != colon)
        return fail(Retry::Permanent, "IPv6 address needs [brackets]: \"" + printable(text, 300) + "\"");
    return checked(text.substr(0, colon), text.substr(colon + 1), text);
}

Result<InetFamilies> parse_inet_protocols(std::string_view text) {
    bool v4 = false;
    bool v6 = false;
    for (const std::string& word : split_list(text)) {
        const std::string name = to_lower(word);
        if (name == "all") v4 = v6 = true;
        else if (name == "ipv4") v4 = true;
        else if (name == "ipv6") v6 = true;
        else return fail(Retry::Permanent, "inet_protocols: unknown protocol \"" + printable(word, 100) + "\"");
    }
    if (v4 && v6) return InetFamilies::All;
    if (v6) return InetFamilies::Ipv6;
    if (v4) return InetFamilies::Ipv4;
    return fail(Retry::Permanent, "inet_protocols: no protocol given");
}

Result<std::vector<Fd>> inet_listen(const std::string& host, const std::string& port, int backlog,
                                    InetFamilies families) {
    addrinfo hints{};
    hints.ai_family = family_hint(families);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* raw = nullptr;
    const int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &raw);
    if (rc != 0)
        return fail(Retry::Permanent, "look up " + (host.empty() ? std::string("*") : host) + ":" + port + ": " +
                                          gai_strerror(rc));
    const AddrInfoPtr list{raw};
    std::vector<Fd> fds;
    for (const addrinfo* ai = list.get(); ai != nullptr && fds.size() < kMaxInetListenAddresses; ai = ai->ai_next) {
        Result<Fd> fd = listen_one(ai, backlog);
        if (!fd) {
            // A host without IPv6 support must still listen on IPv4.
            if (host.empty() && ai->ai_family == AF_INET6 && fd.error().errno_value == EAFNOSUPPORT) continue;
            return tl::unexpected(fd.error());
        }
        fds.push_back(std::move(*fd));
    }
    if (fds.empty()) return fail(Retry::Permanent, "no address to listen on for " + host + ":" + port);
    return fds;
}

}  // namespace tern
