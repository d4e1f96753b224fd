// smtp/cache.h - idle sessions kept per destination for the next request (connection cache), and the reaper
//
// SYNOPSIS
//     smtp::Reaper reaper(base);   reaper.dispose(std::move(session));   // destroyed off the callback
//     smtp::ConnectionCache cache(base, settings, reaper);
//     cache.put("example.com:25:mx", std::move(session));    // a ready session after its transaction
//     std::unique_ptr<smtp::Session> s = cache.take("example.com:25:mx");   // nullptr when none
//     cache.close_all();
// DESCRIPTION
//     Postfix's on-demand connection caching inside one process: a
//     session whose transaction ended cleanly waits idle at most
//     smtp_connection_cache_time_limit for the next request to the same
//     destination; one older than smtp_connection_reuse_time_limit, or used
//     smtp_connection_reuse_count_limit times (0: no limit), is closed
//     with QUIT instead. An idle session the server closes is dropped.
//     The Reaper destroys sessions and deliveries from a zero timer, so
//     nothing is freed inside its own callback.
// LIMITS
//     At most kMaxIdlePerDestination idle sessions per destination; the
//     oldest goes first. (The process's client limit bounds the rest.)
#pragma once

#include <sys/time.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/base/event_loop.h"
#include "smtp/session.h"
#include "smtp/settings.h"

namespace smtp {

inline constexpr std::size_t kMaxIdlePerDestination = 20;

class Disposable {
public:
    virtual ~Disposable() = default;
};

class Reaper {
public:
    explicit Reaper(event_base* base);
    void dispose(std::unique_ptr<Disposable> thing) noexcept;

private:
    void on_timer(evutil_socket_t, short) noexcept;
    tern::EventPtr timer_;
    std::vector<std::unique_ptr<Disposable>> dead_;
};

// Session owner for the reaper.
struct DisposableSession : Disposable {
    explicit DisposableSession(std::unique_ptr<Session> s) : session(std::move(s)) {}
    std::unique_ptr<Session> session;
};

class ConnectionCache : public SessionListener {
public:
    ConnectionCache(event_base* base, const Settings& settings, Reaper& reaper);
    ~ConnectionCache();
    void put(const std::string& key, std::unique_ptr<Session> session) noexcept;
    [[nodiscard]] std::unique_ptr<Session> take(const std::string& key) noexcept;
    void close_all() noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return idle_count_; }

    void on_session_ready(Session&) noexcept override {}
    void on_session_done(Session&) noexcept override {}
    void on_session_failed(Session& s, const Failure&) noexcept override { drop(s); }
    void on_session_closed(Session& s) noexcept override { drop(s); }

private:
    void on_sweep(evutil_socket_t, short) noexcept;
    void close(std::unique_ptr<Session> session) noexcept;
    void drop(Session& s) noexcept;
    [[nodiscard]] bool too_old(const Session& s, const timeval& now) const noexcept;

    const Settings& settings_;
    Reaper& reaper_;
    std::map<std::string, std::deque<std::unique_ptr<Session>>> idle_;
    std::vector<std::unique_ptr<Session>> closing_;
    std::size_t idle_count_ = 0;
    tern::EventPtr sweep_;
};

}  // namespace smtp
