// smtpd/client_limits.h - per-client-IP connection count and rate limits (no anvil yet)
//
// SYNOPSIS
//     smtpd::ClientLimits limits({.count_limit = 50, .rate_limit = 0, .window_s = 60});
//     smtpd::Admission a = limits.admit("192.0.2.1", now_s);
//     if (a.verdict != smtpd::Admit::Ok) reply 421 and close; else ... limits.release("192.0.2.1");
// DESCRIPTION
//     smtpd_client_connection_count_limit: at most count_limit sessions at
//     once from one address. smtpd_client_connection_rate_limit: at most
//     rate_limit connections per window_s (anvil_rate_time_unit), counted
//     in a fixed window that starts with the client's first connection, as
//     anvil does. 0 turns a limit off. Exempt clients
//     (smtpd_client_event_limit_exceptions) are the caller's business.
//     Postfix counts in anvil(8), across all smtpd processes; tern counts
//     per smtpd process until it has an anvil: with several processes a
//     client may get up to limit x processes.
// LIMITS
//     One small entry per address with a live session or a current rate
//     window; stale entries are pruned as the table grows.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace smtpd {

struct ClientLimitSettings {
    long long count_limit = 50;
    long long rate_limit = 0;
    long long window_s = 60;
};

enum class Admit { Ok, TooManyConnections, RateExceeded };

struct Admission {
    Admit verdict = Admit::Ok;
    long long count = 0;  // the count or rate that the verdict is about, this connection included
};

class ClientLimits {
public:
    explicit ClientLimits(const ClientLimitSettings& settings) : settings_(settings) {}

    // Counts a new connection; when refused, nothing is held for it.
    [[nodiscard]] Admission admit(const std::string& address, long long now_s);
    // The end of a session that admit() accepted.
    void release(const std::string& address) noexcept;
    [[nodiscard]] std::size_t tracked() const noexcept { return clients_.size(); }

private:
    struct Entry {
        long long sessions = 0;
        long long window_start_s = 0;
        long long window_count = 0;
    };
    void prune(long long now_s);

    ClientLimitSettings settings_;
    std::unordered_map<std::string, Entry> clients_;
    std::size_t prune_at_ = 1024;
};

}  // namespace smtpd
