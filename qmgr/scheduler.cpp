// qmgr/scheduler.cpp - destination queues and concurrency (see scheduler.h)
#include "qmgr/scheduler.h"

#include <algorithm>

#include "lib/mail/delivery_protocol.h"

namespace qmgr {

namespace {

// Envelope text never holds a newline, so it separates address and next hop.
std::string destination_key(const TransportLimits& limits, const Route& route) {
    if (limits.recipient_limit != 1) return std::string(route.nexthop);
    std::string key(route.recipient);
    key += '\n';
    key += route.nexthop;
    return key;
}

}  // namespace

TransportLimits Scheduler::limits_of(std::string_view name) { return transport(name).limits; }

Scheduler::Transport& Scheduler::transport(std::string_view name) {
    auto found = transports_.find(name);
    if (found != transports_.end()) return found->second;
    Transport fresh;
    fresh.limits = limits_(name);
    fresh.limits.recipient_limit = std::clamp<std::size_t>(fresh.limits.recipient_limit, 1, tern::kMaxDeliveryRecipients);
    return transports_.emplace(std::string(name), std::move(fresh)).first->second;
}

bool Scheduler::can_send(const Transport& t, const Destination& d, std::int64_t now_s) noexcept {
    if (d.dead_until_s > now_s) return false;
    const std::size_t limit = t.limits.destination_concurrency;
    return limit == 0 || d.busy < limit;
}

void Scheduler::make_ready(Transport& t, const std::string& key, Destination& d) {
    if (d.in_ready) return;
    d.in_ready = true;
    t.ready.push_back(key);
}

Admission Scheduler::add(const Route& route, Entry entry, std::int64_t now_s) {
    Transport& t = transport(route.transport);
    if (t.dead_until_s > now_s) return {AdmissionStatus::DeadTransport, t.dead_reason};
    const std::string key = destination_key(t.limits, route);
    auto [it, created] = t.destinations.try_emplace(key);
    Destination& d = it->second;
    if (created) d.nexthop = std::string(route.nexthop);
    if (d.dead_until_s > now_s) return {AdmissionStatus::DeadDestination, d.dead_reason};
    d.waiting.push_back(entry);
    ++t.waiting;
    ++waiting_;
    if (can_send(t, d, now_s)) make_ready(t, key, d);
    return {};
}

std::optional<Batch> Scheduler::next_batch(std::int64_t now_s) {
    if (waiting_ == 0 || transports_.empty()) return std::nullopt;
    auto start = transports_.upper_bound(last_served_);
    for (std::size_t turn = 0; turn < transports_.size(); ++turn, ++start) {
        if (start == transports_.end()) start = transports_.begin();
        Transport& t = start->second;
        if (t.waiting == 0 || t.dead_until_s > now_s) continue;
        if (t.limits.process_limit != 0 && t.busy >= t.limits.process_limit) continue;
        if (std::optional<Batch> batch = take_from(start->first, t, now_s)) {
            last_served_ = start->first;
            return batch;
        }
    }
    return std::nullopt;
}

std::optional<Batch> Scheduler::take_from(const std::string& name, Transport& t, std::int64_t now_s) {
    for (std::size_t rounds = t.ready.size(); rounds > 0 && !t.ready.empty(); --rounds) {
        const std::string key = std::move(t.ready.front());
        t.ready.pop_front();
        auto found = t.destinations.find(key);
        if (found == t.destinations.end()) continue;
        Destination& d = found->second;
        d.in_ready = false;
        if (d.waiting.empty() || !can_send(t, d, now_s)) continue;
        Batch batch{.transport = name, .nexthop = d.nexthop, .destination = key, .message = d.waiting.front().message, .recipients = {}};
        while (!d.waiting.empty() && d.waiting.front().message == batch.message &&
               batch.recipients.size() < t.limits.recipient_limit) {
            batch.recipients.push_back(d.waiting.front().recipient);
            d.waiting.pop_front();
        }
        t.waiting -= batch.recipients.size();
        waiting_ -= batch.recipients.size();
        ++d.busy;
        ++t.busy;
        ++in_flight_;
        if (!d.waiting.empty() && can_send(t, d, now_s)) make_ready(t, key, d);
        return batch;
    }
    return std::nullopt;
}

void Scheduler::finish(const Batch& batch) {
    auto t_it = transports_.find(batch.transport);
    if (t_it == transports_.end()) return;
    Transport& t = t_it->second;
    auto d_it = t.destinations.find(batch.destination);
    if (d_it == t.destinations.end()) return;
    Destination& d = d_it->second;
    if (d.busy == 0 || t.busy == 0 || in_flight_ == 0) return;
    --d.busy;
    --t.busy;
    --in_flight_;
    if (!d.waiting.empty()) {
        make_ready(t, batch.destination, d);
        return;
    }
    if (d.busy == 0 && d.dead_until_s == 0) t.destinations.erase(d_it);
}

std::vector<Entry> Scheduler::kill_destination(const Batch& batch, std::string_view reason, std::int64_t until_s) {
    Transport& t = transport(batch.transport);
    auto [it, created] = t.destinations.try_emplace(batch.destination);
    Destination& d = it->second;
    if (created) d.nexthop = batch.nexthop;
    d.dead_until_s = until_s;
    d.dead_reason = std::string(reason);
    std::vector<Entry> out(d.waiting.begin(), d.waiting.end());
    d.waiting.clear();
    t.waiting -= out.size();
    waiting_ -= out.size();
    return out;
}

std::vector<Entry> Scheduler::kill_transport(std::string_view name, std::string_view reason, std::int64_t until_s) {
    Transport& t = transport(name);
    t.dead_until_s = until_s;
    t.dead_reason = std::string(reason);
    std::vector<Entry> out;
    for (auto& [key, d] : t.destinations) {
        out.insert(out.end(), d.waiting.begin(), d.waiting.end());
        d.waiting.clear();
    }
    waiting_ -= out.size();
    t.waiting = 0;
    return out;
}

void Scheduler::forget_dead() noexcept {
    for (auto& [name, t] : transports_) {
        t.dead_until_s = 0;
        t.dead_reason.clear();
        for (auto& [key, d] : t.destinations) {
            d.dead_until_s = 0;
            d.dead_reason.clear();
        }
    }
}

void Scheduler::prune(std::int64_t now_s) {
    for (auto& [name, t] : transports_) {
        if (t.dead_until_s != 0 && t.dead_until_s <= now_s) t.dead_until_s = 0;
        std::erase_if(t.destinations, [now_s](const auto& item) {
            const Destination& d = item.second;
            return d.waiting.empty() && d.busy == 0 && d.dead_until_s <= now_s;
        });
    }
}

}  // namespace qmgr
