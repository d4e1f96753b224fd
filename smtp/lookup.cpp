// smtp/lookup.cpp - MX and address lookups for a next hop; see lookup.h
#include "smtp/lookup.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace smtp {

namespace {

using tern::DnsAnswer;
using tern::DnsRcode;
using tern::DnsType;

Failure name_error(const std::string& name, DnsType type, bool soft, std::string_view what) {
    Failure f;
    f.status = soft ? tern::DeliveryStatus::Deferred : tern::DeliveryStatus::Bounced;
    f.dsn = soft ? "4.4.3" : "5.4.4";
    f.reason = "Host or domain name not found. Name service error for name=" + name + " type=" +
               std::string(tern::dns_type_name(type)) + ": " + std::string(what);
    return f;
}

// Preference order; hosts of equal preference shuffled (RFC 5321 section 5.1).
std::vector<std::string> order_mx(std::vector<tern::MxRecord> mx) {
    static std::mt19937 random{std::random_device{}()};
    std::shuffle(mx.begin(), mx.end(), random);
    std::stable_sort(mx.begin(), mx.end(), [](const auto& a, const auto& b) { return a.preference < b.preference; });
    std::vector<std::string> hosts;
    for (tern::MxRecord& r : mx)
        if (std::find(hosts.begin(), hosts.end(), r.host) == hosts.end()) hosts.push_back(std::move(r.host));
    return hosts;
}

}  // namespace

bool make_server_address(const std::string& host, const std::string& address, int port, ServerAddress& out) {
    out = ServerAddress{host, address, port, {}, 0};
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (port == 0) {
        sockaddr_un un{};
        if (address.size() >= sizeof un.sun_path) return false;
        un.sun_family = AF_UNIX;
        std::memcpy(un.sun_path, address.data(), address.size());
        std::memcpy(&out.sockaddr, &un, sizeof un);
        out.length = sizeof un;
        return true;
    }
    if (inet_pton(AF_INET, address.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&out.sockaddr, &v4, sizeof v4);
        out.length = sizeof v4;
        return true;
    }
    if (inet_pton(AF_INET6, address.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&out.sockaddr, &v6, sizeof v6);
        out.length = sizeof v6;
        return true;
    }
    return false;
}

AddressLookup::AddressLookup(tern::DnsClient& dns, const Settings& settings, NextHop hop, Done done)
    : dns_(dns), settings_(settings), hop_(std::move(hop)), done_(std::move(done)) {}

void AddressLookup::start() {
    if (!hop_.use_mx) {
        hosts_.push_back(hop_.host);
        next_host();
        return;
    }
    query_ = dns_.lookup(hop_.host, DnsType::Mx, [this](tern::Result<DnsAnswer> a) noexcept { on_mx(std::move(a)); });
    query_->start();
}

void AddressLookup::on_mx(tern::Result<DnsAnswer> answer) {
    if (!answer || answer->rcode != DnsRcode::NoError) {
        const bool nx = answer && answer->rcode == DnsRcode::NxDomain;
        result_.failure = name_error(hop_.host, DnsType::Mx, !nx, nx ? "Host not found" : "Host not found, try again");
        finish();
        return;
    }
    if (answer->mx.size() == 1 && answer->mx[0].host.empty()) {
        result_.failure = Failure{tern::DeliveryStatus::Bounced, "5.1.10",
                                  "Domain " + hop_.host + " does not accept mail (nullMX)", ""};
        finish();
        return;
    }
    hosts_ = answer->mx.empty() ? std::vector<std::string>{hop_.host} : order_mx(std::move(answer->mx));
    next_host();
}

// One host at a time: its A records, then its AAAA records.
void AddressLookup::next_host() {
    const bool full = result_.addresses.size() >= static_cast<std::size_t>(settings_.mx_address_limit);
    if (full || host_index_ >= hosts_.size() * 2) {
        finish();
        return;
    }
    const std::string& host = hosts_[host_index_ / 2];
    const DnsType type = host_index_ % 2 == 0 ? DnsType::A : DnsType::Aaaa;
    ++host_index_;
    if ((type == DnsType::A && !settings_.ipv4) || (type == DnsType::Aaaa && !settings_.ipv6)) {
        next_host();
        return;
    }
    if (is_ip_address(host)) {
        ServerAddress a;
        if (type == DnsType::A && make_server_address(host, host, hop_.port, a)) result_.addresses.push_back(a);
        next_host();
        return;
    }
    query_ = dns_.lookup(host, type, [this, type](tern::Result<DnsAnswer> a) noexcept { on_address(std::move(a), type); });
    query_->start();
}

void AddressLookup::on_address(tern::Result<DnsAnswer> answer, DnsType type) {
    const std::string& host = hosts_[(host_index_ - 1) / 2];
    if (answer && answer->rcode == DnsRcode::NoError && !answer->addresses.empty()) {
        for (const std::string& address : answer->addresses) {
            if (result_.addresses.size() >= static_cast<std::size_t>(settings_.mx_address_limit)) break;
            ServerAddress a;
            if (make_server_address(host, address, hop_.port, a)) result_.addresses.push_back(std::move(a));
        }
    } else if (type == DnsType::A || !settings_.ipv4) {
        note_error(host, type, answer);
    }
    next_host();
}

void AddressLookup::note_error(const std::string& name, DnsType type, const tern::Result<DnsAnswer>& answer) {
    if (!answer || (answer->rcode != DnsRcode::NoError && answer->rcode != DnsRcode::NxDomain)) {
        if (!soft_error_) soft_error_ = name_error(name, type, true, "Host not found, try again");
        return;
    }
    if (hard_error_) return;
    hard_error_ = answer->rcode == DnsRcode::NxDomain
                      ? name_error(name, type, false, "Host not found")
                      : name_error(name, type, false, "Host found but no data record of requested type");
}

void AddressLookup::finish() {
    if (result_.addresses.empty() && !result_.failure) {
        if (soft_error_) result_.failure = soft_error_;
        else if (hard_error_) result_.failure = hard_error_;
        else result_.failure = name_error(hop_.host, DnsType::A, false, "Host found but no data record of requested type");
    }
    Done done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result_));  // may destroy this
}

}  // namespace smtp
