// lib/mail/dns.cpp - DNS query and answer messages, resolv.conf; see dns.h
#include "lib/mail/dns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "lib/base/fd.h"
#include "lib/base/text.h"

namespace tern {

namespace {

constexpr std::size_t kHeaderBytes = 12;
constexpr std::size_t kMaxNameBytes = 255;

tl::unexpected<Error> malformed(std::string_view what) {
    return fail(Retry::Permanent, "malformed DNS answer: " + std::string(what));
}

std::uint16_t get16(std::string_view m, std::size_t at) noexcept {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(m[at]) << 8) | static_cast<unsigned char>(m[at + 1]));
}

void put16(std::string& out, unsigned value) {
    out.push_back(static_cast<char>((value >> 8) & 0xff));
    out.push_back(static_cast<char>(value & 0xff));
}

// Reads the (possibly compressed) name at `at`; sets `next` past it in the message.
Result<std::string> read_name(std::string_view m, std::size_t at, std::size_t& next) {
    std::string name;
    bool jumped = false;
    int jumps = 0;
    while (true) {
        if (at >= m.size()) return malformed("name runs past the end");
        const unsigned len = static_cast<unsigned char>(m[at]);
        if ((len & 0xc0) == 0xc0) {
            if (at + 1 >= m.size()) return malformed("cut pointer");
            if (++jumps > kMaxDnsPointerJumps) return malformed("compression loop");
            if (!jumped) next = at + 2;
            jumped = true;
            at = get16(m, at) & 0x3fff;
            continue;
        }
        if (len & 0xc0) return malformed("bad label type");
        if (len == 0) break;
        if (at + 1 + len > m.size()) return malformed("label runs past the end");
        if (!name.empty()) name.push_back('.');
        name.append(m.substr(at + 1, len));
        if (name.size() > kMaxNameBytes) return malformed("name too long");
        at += 1 + len;
    }
    if (!jumped) next = at + 1;
    return name;
}

DnsRcode rcode_of(unsigned code) noexcept {
    switch (code) {
    case 0: return DnsRcode::NoError;
    case 1: return DnsRcode::FormErr;
    case 2: return DnsRcode::ServFail;
    case 3: return DnsRcode::NxDomain;
    case 4: return DnsRcode::NotImp;
    case 5: return DnsRcode::Refused;
    default: return DnsRcode::Other;
    }
}

// What may be asked next and logged: letters, digits, '-', '_' in dot-separated
// labels (Postfix's valid_hostname). An MX host that is not one is skipped, so
// a hostile nameserver cannot put spaces, brackets or control bytes into a
// relay= field or a DNS question.
bool valid_hostname(std::string_view host) noexcept {
    if (host.empty() || host.size() > kMaxNameBytes) return false;
    std::size_t label = 0;
    for (char c : host) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++label > 63) return false;
    }
    return label > 0;
}

// One resource record of the answer section into `answer`.
Status take_record(std::string_view m, std::size_t& at, DnsAnswer& answer) {
    std::size_t next = 0;
    Result<std::string> owner = read_name(m, at, next);
    if (!owner) return tl::unexpected(owner.error());
    if (next + 10 > m.size()) return malformed("cut record header");
    const unsigned type = get16(m, next);
    const std::size_t rdlength = get16(m, next + 8);
    const std::size_t rdata = next + 10;
    if (rdata + rdlength > m.size()) return malformed("cut record data");
    at = rdata + rdlength;
    if (answer.mx.size() + answer.addresses.size() >= kMaxDnsRecords) return {};
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (type == static_cast<unsigned>(DnsType::A) && rdlength == 4) {
        if (inet_ntop(AF_INET, m.data() + rdata, text.data(), text.size())) answer.addresses.emplace_back(text.data());
    } else if (type == static_cast<unsigned>(DnsType::Aaaa) && rdlength == 16) {
        if (inet_ntop(AF_INET6, m.data() + rdata, text.data(), text.size())) answer.addresses.emplace_back(text.data());
    } else if (type == static_cast<unsigned>(DnsType::Mx)) {
        if (rdlength < 3) return malformed("short MX record");
        std::size_t after = 0;
        Result<std::string> host = read_name(m.substr(0, rdata + rdlength), rdata + 2, after);
        if (!host) return tl::unexpected(host.error());
        if (host->empty() || valid_hostname(*host)) answer.mx.push_back({get16(m, rdata), std::move(*host)});
    }
    return {};
}

bool parse_nameserver(std::string_view text, Nameserver& out) {
    std::string host(text);
    int port = 53;
    if (text.starts_with('[')) {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) return false;
        host = std::string(text.substr(1, close - 1));
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            const std::optional<long long> p = parse_integer(rest.substr(1));
            if (!p || *p < 1 || *p > 65535) return false;
            port = static_cast<int>(*p);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        const std::size_t colon = text.find(':');
        host = std::string(text.substr(0, colon));
        const std::optional<long long> p = parse_integer(text.substr(colon + 1));
        if (!p || *p < 1 || *p > 65535) return false;
        port = static_cast<int>(*p);
    }
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&out.address, &v4, sizeof v4);
        out.length = sizeof v4;
        return true;
    }
    if (inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&out.address, &v6, sizeof v6);
        out.length = sizeof v6;
        return true;
    }
    return false;
}

void parse_options(std::string_view line, ResolverConfig& config) {
    for (const std::string& word : split_on(line, " \t")) {
        const std::string_view w = word;
        if (w.starts_with("timeout:")) {
            if (const auto n = parse_integer(w.substr(8)); n && *n >= 1 && *n <= 30) config.timeout_s = static_cast<int>(*n);
        } else if (w.starts_with("attempts:")) {
            if (const auto n = parse_integer(w.substr(9)); n && *n >= 1 && *n <= 5) config.attempts = static_cast<int>(*n);
        }
    }
}

}  // namespace

std::string_view dns_type_name(DnsType type) noexcept {
    switch (type) {
    case DnsType::A: return "A";
    case DnsType::Cname: return "CNAME";
    case DnsType::Mx: return "MX";
    case DnsType::Aaaa: return "AAAA";
    }
    return "?";
}

Result<std::string> build_dns_query(std::uint16_t id, std::string_view name, DnsType type) {
    if (name.ends_with('.')) name.remove_suffix(1);
    if (name.empty() || name.size() > kMaxNameBytes - 2) return fail(Retry::Permanent, "bad DNS name length");
    std::string out;
    put16(out, id);
    put16(out, 0x0100);  // RD
    put16(out, 1);
    put16(out, 0);
    put16(out, 0);
    put16(out, 0);
    for (const std::string& label : split_on(name, ".")) {
        if (label.empty() || label.size() > 63) return fail(Retry::Permanent, "bad DNS label in " + printable(name));
        out.push_back(static_cast<char>(label.size()));
        out += label;
    }
    if (name.find("..") != std::string_view::npos || name.starts_with('.') || name.ends_with('.'))
        return fail(Retry::Permanent, "empty DNS label in " + printable(name));
    out.push_back('\0');
    put16(out, static_cast<unsigned>(type));
    put16(out, 1);  // IN
    return out;
}

Result<DnsAnswer> parse_dns_answer(std::string_view m, std::uint16_t id, std::string_view name, DnsType type) {
    if (m.size() < kHeaderBytes) return malformed("short header");
    if (get16(m, 0) != id) return malformed("wrong ID");
    const unsigned flags = get16(m, 2);
    if (!(flags & 0x8000)) return malformed("not a response");
    DnsAnswer answer;
    answer.rcode = rcode_of(flags & 0xf);
    answer.truncated = (flags & 0x0200) != 0;
    const unsigned qdcount = get16(m, 4);
    const unsigned ancount = get16(m, 6);
    std::size_t at = kHeaderBytes;
    if (qdcount != 1) {
        if (qdcount == 0 && answer.rcode != DnsRcode::NoError) return answer;
        return malformed("question count");
    }
    std::size_t next = 0;
    Result<std::string> qname = read_name(m, at, next);
    if (!qname) return tl::unexpected(qname.error());
    if (name.ends_with('.')) name.remove_suffix(1);
    if (next + 4 > m.size() || !iequals(*qname, name) || get16(m, next) != static_cast<unsigned>(type))
        return malformed("answer to another question");
    at = next + 4;
    if (answer.truncated) return answer;
    for (unsigned i = 0; i < ancount; ++i)
        if (Status s = take_record(m, at, answer); !s) return tl::unexpected(s.error());
    return answer;
}

ResolverConfig parse_resolv_conf(std::string_view text) {
    ResolverConfig config;
    for (const std::string& raw : split_on(text, "\n")) {
        std::string_view line = trim(raw);
        if (line.starts_with("nameserver")) {
            const std::string_view value = trim(line.substr(10));
            Nameserver ns;
            if (config.nameservers.size() < kMaxDnsNameservers && parse_nameserver(value, ns))
                config.nameservers.push_back(ns);
        } else if (line.starts_with("options")) {
            parse_options(line.substr(7), config);
        }
    }
    if (config.nameservers.empty()) {
        Nameserver ns;
        (void)parse_nameserver("127.0.0.1", ns);
        config.nameservers.push_back(ns);
    }
    return config;
}

Result<ResolverConfig> read_resolv_conf(const std::string& path) {
    Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (!fd) {
        if (errno == ENOENT) return parse_resolv_conf("");
        return fail(Retry::Temporary, "open " + path, errno);
    }
    std::string text;
    std::array<char, 4096> buffer{};
    while (text.size() < 64 * 1024) {
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(Retry::Temporary, "read " + path, errno);
        }
        if (n == 0) break;
        text.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return parse_resolv_conf(text);
}

}  // namespace tern
