// smtp/cache.cpp - the connection cache and the reaper; see cache.h
#include "smtp/cache.h"

#include <algorithm>

#include "lib/base/log.h"

namespace smtp {

namespace {

constexpr long long kSweepMs = 250;

double seconds_between(const timeval& a, const timeval& b) noexcept {
    return static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_usec - a.tv_usec) / 1e6;
}

}  // namespace

Reaper::Reaper(event_base* base) {
    tern::Result<tern::EventPtr> t = tern::make_timer<&Reaper::on_timer>(base, this);
    if (!t) tern::log_fatal("reaper timer: %s", t.error().describe().c_str());
    timer_ = std::move(*t);
}

void Reaper::dispose(std::unique_ptr<Disposable> thing) noexcept {
    dead_.push_back(std::move(thing));
    (void)tern::add_event(timer_.get(), 0);
}

void Reaper::on_timer(evutil_socket_t, short) noexcept {
    std::vector<std::unique_ptr<Disposable>> dead = std::move(dead_);
    dead_.clear();
}  // destroyed here, outside any of their own callbacks

ConnectionCache::ConnectionCache(event_base* base, const Settings& settings, Reaper& reaper)
    : settings_(settings), reaper_(reaper) {
    tern::Result<tern::EventPtr> t = tern::make_timer<&ConnectionCache::on_sweep>(base, this);
    if (!t) tern::log_fatal("cache timer: %s", t.error().describe().c_str());
    sweep_ = std::move(*t);
}

ConnectionCache::~ConnectionCache() = default;

bool ConnectionCache::too_old(const Session& s, const timeval& now) const noexcept {
    if (seconds_between(s.created(), now) >= static_cast<double>(settings_.reuse_time_limit_s)) return true;
    return settings_.reuse_count_limit > 0 && s.transactions() >= settings_.reuse_count_limit;
}

void ConnectionCache::put(const std::string& key, std::unique_ptr<Session> session) noexcept {
    timeval now{};
    gettimeofday(&now, nullptr);
    if (!settings_.cache_on_demand || settings_.cache_time_limit_s <= 0 || too_old(*session, now)) {
        close(std::move(session));
        return;
    }
    session->idle_since = now;
    session->set_listener(*this);
    std::deque<std::unique_ptr<Session>>& list = idle_[key];
    list.push_back(std::move(session));
    ++idle_count_;
    if (list.size() > kMaxIdlePerDestination) {
        close(std::move(list.front()));
        list.pop_front();
        --idle_count_;
    }
    (void)tern::add_event(sweep_.get(), kSweepMs);
}

std::unique_ptr<Session> ConnectionCache::take(const std::string& key) noexcept {
    const auto it = idle_.find(key);
    if (it == idle_.end() || it->second.empty()) return nullptr;
    std::unique_ptr<Session> s = std::move(it->second.back());
    it->second.pop_back();
    --idle_count_;
    if (it->second.empty()) idle_.erase(it);
    return s;
}

void ConnectionCache::close(std::unique_ptr<Session> session) noexcept {
    session->set_listener(*this);
    Session& s = *session;
    closing_.push_back(std::move(session));
    s.quit();  // on_session_closed or on_session_failed follows (maybe at once)
}

void ConnectionCache::drop(Session& s) noexcept {
    const auto owned = [&s](const std::unique_ptr<Session>& p) { return p.get() == &s; };
    if (auto it = std::find_if(closing_.begin(), closing_.end(), owned); it != closing_.end()) {
        reaper_.dispose(std::make_unique<DisposableSession>(std::move(*it)));
        closing_.erase(it);
        return;
    }
    for (auto entry = idle_.begin(); entry != idle_.end(); ++entry) {
        auto& list = entry->second;
        if (auto it = std::find_if(list.begin(), list.end(), owned); it != list.end()) {
            reaper_.dispose(std::make_unique<DisposableSession>(std::move(*it)));
            list.erase(it);
            --idle_count_;
            if (list.empty()) idle_.erase(entry);
            return;
        }
    }
}

void ConnectionCache::on_sweep(evutil_socket_t, short) noexcept {
    timeval now{};
    gettimeofday(&now, nullptr);
    std::vector<std::unique_ptr<Session>> expired;
    for (auto entry = idle_.begin(); entry != idle_.end();) {
        auto& list = entry->second;
        while (!list.empty() &&
               seconds_between(list.front()->idle_since, now) >= static_cast<double>(settings_.cache_time_limit_s)) {
            expired.push_back(std::move(list.front()));
            list.pop_front();
            --idle_count_;
        }
        entry = list.empty() ? idle_.erase(entry) : std::next(entry);
    }
    for (std::unique_ptr<Session>& s : expired) close(std::move(s));
    if (idle_count_ > 0) (void)tern::add_event(sweep_.get(), kSweepMs);
}

void ConnectionCache::close_all() noexcept {
    std::vector<std::unique_ptr<Session>> all;
    for (auto& [key, list] : idle_)
        for (auto& s : list) all.push_back(std::move(s));
    idle_.clear();
    idle_count_ = 0;
    for (std::unique_ptr<Session>& s : all) close(std::move(s));
}

}  // namespace smtp
