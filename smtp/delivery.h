// smtp/delivery.h - deliver one request: find the servers, talk to them in turn, settle every recipient
//
// SYNOPSIS
//     smtp::Agent agent(base, settings);                 // one per process, after the privilege drop
//     agent.deliver(std::move(job));                     // from run_delivery_agent's on_request
//     agent.stop();                                      // QUIT the cached sessions
// DESCRIPTION
//     A Delivery takes a request's next hop (smtp/nexthop.h), reuses an
//     idle session to that destination when the cache has one, else looks
//     up the server addresses (smtp/lookup.h) and tries them in order.
//     After each server, recipients that got a 2xx or a 5xx are settled;
//     the deferred ones are tried on the next address, up to
//     smtp_mx_session_limit sessions that got as far as the greeting and
//     smtp_mx_address_limit addresses. What is left keeps its last reason.
//     A clean session goes to the connection cache; the job is finished
//     through DeliveryJob::finish with relay=, delays c (DNS, connect,
//     greeting, EHLO) and d (the transaction), and destination_dead=1 when
//     no server could be talked to at all.
// SECURITY
//     Runs chrooted as mail_owner; reads only the queue file it was handed.
#pragma once

#include <sys/time.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "lib/mail/delivery_agent.h"
#include "lib/mail/dns_client.h"
#include "smtp/cache.h"
#include "smtp/lookup.h"
#include "smtp/session.h"
#include "smtp/settings.h"

namespace smtp {

class Agent;

class Delivery : public SessionListener, public Disposable {
public:
    Delivery(Agent& agent, std::unique_ptr<tern::DeliveryJob> job);
    void start() noexcept;

    void on_session_ready(Session& s) noexcept override;
    void on_session_done(Session& s) noexcept override;
    void on_session_failed(Session& s, const Failure& failure) noexcept override;
    void on_session_closed(Session& s) noexcept override;

private:
    void resolve() noexcept;
    void on_lookup(LookupResult result) noexcept;
    void next_address() noexcept;
    void begin_transaction() noexcept;
    void release_session(bool keep) noexcept;
    void settle_open(const Failure& failure, bool with_relay) noexcept;
    void finish() noexcept;
    [[nodiscard]] std::vector<std::size_t> open_recipients() const;
    [[nodiscard]] double since(const timeval& start) const noexcept;

    Agent& agent_;
    std::unique_ptr<tern::DeliveryJob> job_;
    NextHop hop_;
    std::vector<tern::AgentOutcome> outcomes_;
    std::vector<bool> final_;
    std::vector<std::size_t> in_transaction_;
    std::unique_ptr<AddressLookup> lookup_;
    std::vector<ServerAddress> addresses_;
    std::size_t next_address_ = 0;
    long long sessions_ = 0;
    std::unique_ptr<Session> session_;
    bool reused_ = false;
    bool talked_ = false;      // some server got as far as a greeting
    bool finished_ = false;
    timeval tx_start_{};
    double conn_setup_s_ = 0;
};

class Agent {
public:
    Agent(event_base* base, Settings settings);
    void deliver(std::unique_ptr<tern::DeliveryJob> job) noexcept;
    void done(Delivery& delivery) noexcept;
    void stop() noexcept { cache_.close_all(); }

    event_base* base() const noexcept { return base_; }
    const Settings& settings() const noexcept { return settings_; }
    tern::DnsClient& dns() noexcept { return dns_; }
    ConnectionCache& cache() noexcept { return cache_; }
    Reaper& reaper() noexcept { return reaper_; }

private:
    event_base* base_;
    Settings settings_;
    tern::DnsClient dns_;
    Reaper reaper_;
    ConnectionCache cache_;
    std::unordered_map<Delivery*, std::unique_ptr<Delivery>> active_;
};

}  // namespace smtp
