// qmgr/scheduler.h - transports, destinations, concurrency and dead destinations
//
// SYNOPSIS
//     qmgr::Scheduler s([](std::string_view transport) { return limits_of(transport); });
//     qmgr::Admission a = s.add({.transport = "smtp", .nexthop = "example.com", .recipient = "b@example.com"},
//                               {.message = handle, .recipient = index}, now_s);
//     while (std::optional<qmgr::Batch> b = s.next_batch(now_s)) send(*b);
//     s.finish(*b);                                        // its reply came
//     std::vector<qmgr::Entry> waiting = s.kill_destination(*b, "connection refused", now_s + 300);
//     std::vector<qmgr::Entry> all = s.kill_transport("smtp", "mail transport unavailable", now_s + 60);
//     s.forget_dead();                                    // trigger 'F'
//     s.prune(now_s);                                     // now and then
// DESCRIPTION
//     The in-memory half of Postfix's qmgr without its job preemption: a
//     recipient waits in the queue of its destination, which belongs to
//     its transport (the master.cf service). A destination is the next hop,
//     or the recipient itself (with the next hop) when the transport's
//     destination recipient limit is 1, as Postfix's local transport does.
//     next_batch() hands out one request at a time, taking turns between
//     transports and between the destinations of a transport: up to
//     recipient_limit (and tern::kMaxDeliveryRecipients) consecutive
//     waiting recipients of one message, while the destination has fewer
//     than destination_concurrency requests in flight and the transport
//     fewer than process_limit (0: no limit for either).
//     A dead destination or transport takes no request until its time is
//     up or forget_dead(); add() then answers Dead with the reason, and the
//     caller defers the recipient ("delivery temporarily suspended: ..."
//     for a destination, the transport's reason for a transport).
// LIMITS
//     Memory grows with the recipients added (the caller bounds them with
//     qmgr_message_active_limit and qmgr_message_recipient_limit);
//     destinations without waiting or running work are dropped, dead ones
//     only once their time is up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qmgr {

struct TransportLimits {
    std::size_t destination_concurrency = 20;  // 0: no limit
    std::size_t recipient_limit = 50;          // per request, at least 1
    std::size_t process_limit = 100;           // 0: no limit
    bool operator==(const TransportLimits&) const = default;
};

struct Entry {
    std::uint64_t message = 0;
    std::size_t recipient = 0;  // index into the message's recipients
    bool operator==(const Entry&) const = default;
};

struct Route {
    std::string_view transport;
    std::string_view nexthop;
    std::string_view recipient;  // address, used as destination when recipient_limit is 1
};

struct Batch {
    std::string transport;
    std::string nexthop;
    std::string destination;  // scheduler key
    std::uint64_t message = 0;
    std::vector<std::size_t> recipients;
};

enum class AdmissionStatus { Queued, DeadDestination, DeadTransport };

struct Admission {
    AdmissionStatus status = AdmissionStatus::Queued;
    std::string reason;  // why it is dead
};

class Scheduler {
public:
    using LimitsFn = std::function<TransportLimits(std::string_view transport)>;
    explicit Scheduler(LimitsFn limits) : limits_(std::move(limits)) {}

    [[nodiscard]] Admission add(const Route& route, Entry entry, std::int64_t now_s);
    [[nodiscard]] std::optional<Batch> next_batch(std::int64_t now_s);
    void finish(const Batch& batch);
    // Marks the batch's destination dead until until_s; returns what waited there.
    [[nodiscard]] std::vector<Entry> kill_destination(const Batch& batch, std::string_view reason,
                                                      std::int64_t until_s);
    // Marks a transport dead until until_s; returns what waited in any of its destinations.
    [[nodiscard]] std::vector<Entry> kill_transport(std::string_view transport, std::string_view reason,
                                                    std::int64_t until_s);
    void forget_dead() noexcept;
    // Drops idle destinations whose death is over (call now and then).
    void prune(std::int64_t now_s);

    [[nodiscard]] std::size_t waiting() const noexcept { return waiting_; }
    [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_; }
    [[nodiscard]] TransportLimits limits_of(std::string_view transport);

private:
    struct Destination {
        std::string nexthop;
        std::deque<Entry> waiting;
        std::size_t busy = 0;
        std::int64_t dead_until_s = 0;
        std::string dead_reason;
        bool in_ready = false;
    };
    struct Transport {
        TransportLimits limits;
        std::map<std::string, Destination, std::less<>> destinations;
        std::deque<std::string> ready;  // destinations that may have a batch to give
        std::size_t busy = 0;
        std::size_t waiting = 0;
        std::int64_t dead_until_s = 0;
        std::string dead_reason;
    };

    Transport& transport(std::string_view name);
    [[nodiscard]] std::optional<Batch> take_from(const std::string& name, Transport& t, std::int64_t now_s);
    static bool can_send(const Transport& t, const Destination& d, std::int64_t now_s) noexcept;
    static void make_ready(Transport& t, const std::string& key, Destination& d);

    LimitsFn limits_;
    std::map<std::string, Transport, std::less<>> transports_;
    std::string last_served_;  // round robin between transports
    std::size_t waiting_ = 0;
    std::size_t in_flight_ = 0;
};

}  // namespace qmgr
