// smtpd/client_limits.cpp - per-client connection count and rate (see client_limits.h)
#include "smtpd/client_limits.h"

#include <algorithm>

namespace smtpd {

Admission ClientLimits::admit(const std::string& address, long long now_s) {
    if (clients_.size() >= prune_at_) prune(now_s);
    Entry& entry = clients_[address];
    if (now_s - entry.window_start_s >= settings_.window_s || entry.window_count == 0) {
        entry.window_start_s = now_s;
        entry.window_count = 0;
    }
    const long long sessions = entry.sessions + 1;
    const long long rate = entry.window_count + 1;
    Admission result;
    if (settings_.count_limit > 0 && sessions > settings_.count_limit) {
        result = {Admit::TooManyConnections, sessions};
    } else if (settings_.rate_limit > 0 && rate > settings_.rate_limit) {
        result = {Admit::RateExceeded, rate};
    } else {
        entry.sessions = sessions;
        entry.window_count = rate;
        return {Admit::Ok, sessions};
    }
    // Postfix's anvil counts refused attempts towards the rate too.
    entry.window_count = rate;
    return result;
}

void ClientLimits::release(const std::string& address) noexcept {
    const auto it = clients_.find(address);
    if (it == clients_.end() || it->second.sessions == 0) return;
    --it->second.sessions;
    if (it->second.sessions == 0 && settings_.rate_limit <= 0) clients_.erase(it);
}

void ClientLimits::prune(long long now_s) {
    for (auto it = clients_.begin(); it != clients_.end();) {
        const bool window_over = now_s - it->second.window_start_s >= settings_.window_s;
        if (it->second.sessions == 0 && window_over) {
            it = clients_.erase(it);
        } else {
            ++it;
        }
    }
    prune_at_ = std::max<std::size_t>(1024, clients_.size() * 2);
}

}  // namespace smtpd
