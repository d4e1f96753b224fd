// smtp/session.h - one SMTP or LMTP connection on the event loop, driving smtp/protocol.h
//
// SYNOPSIS
//     auto s = std::make_unique<smtp::Session>(base, settings, address, listener);
//     s->connect();                        // listener.on_session_ready(*s) once EHLO/LHLO is done
//     s->begin(tx, job.content());         // listener.on_session_done(*s): s->protocol().results()
//     s->set_listener(cache);  s->quit();  // listener.on_session_closed(*s)
//     listener.on_session_failed(*s, failure)   // connection, greeting, timeout, lost connection
// DESCRIPTION
//     A Session owns a bufferevent to one server address (TCP or UNIX
//     socket), feeds its replies to a ReplyParser and a Protocol, writes
//     what the Protocol says, and streams the message content dot-stuffed
//     from the queue file while the output buffer drains (never the whole
//     message in memory). The read timeout follows the awaited stage
//     (smtp_helo_timeout ... smtp_data_done_timeout), the connect and
//     content writes have their own.
//     Every listener call is the last thing a Session does in that
//     callback, so a listener may hand the Session on, but must not
//     destroy it there (the caller reaps it later, off the callback).
// LIMITS
//     Replies: 100 lines of 2048 bytes. Output: at most kContentHighWater
//     bytes of content are queued at a time.
#pragma once

#include <sys/time.h>

#include <optional>
#include <string>

#include "lib/base/event_loop.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/smtp_reply.h"
#include "smtp/dot_stuff.h"
#include "smtp/lookup.h"
#include "smtp/protocol.h"
#include "smtp/settings.h"

namespace smtp {

inline constexpr std::size_t kContentHighWater = 256 * 1024;
inline constexpr std::size_t kContentChunk = 64 * 1024;

class Session;

class SessionListener {
public:
    virtual void on_session_ready(Session& s) noexcept = 0;
    virtual void on_session_done(Session& s) noexcept = 0;
    virtual void on_session_failed(Session& s, const Failure& failure) noexcept = 0;
    virtual void on_session_closed(Session& s) noexcept = 0;

protected:
    ~SessionListener() = default;
};

class Session {
public:
    Session(event_base* base, const Settings& settings, ServerAddress address, SessionListener& listener);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void connect() noexcept;
    // Protocol must be ready. content must stay valid until done/failed.
    void begin(const Transaction& tx, tern::ContentReader content) noexcept;
    void quit() noexcept;
    void set_listener(SessionListener& listener) noexcept { listener_ = &listener; }

    [[nodiscard]] const Protocol& protocol() const noexcept { return protocol_; }
    [[nodiscard]] const ServerAddress& address() const noexcept { return address_; }
    [[nodiscard]] int transactions() const noexcept { return transactions_; }
    [[nodiscard]] bool connected() const noexcept { return connected_; }
    [[nodiscard]] const timeval& created() const noexcept { return created_; }
    timeval idle_since{};  // set by the cache

private:
    static void on_read(bufferevent* bev, void* arg) noexcept;
    static void on_write(bufferevent* bev, void* arg) noexcept;
    static void on_event(bufferevent* bev, short what, void* arg) noexcept;
    void read_replies() noexcept;
    void handle(Protocol::Event event) noexcept;
    void flush() noexcept;
    void arm_read_timeout() noexcept;
    void fill_content() noexcept;
    void connect_failed(int error, bool timed_out) noexcept;
    void lost(bool timed_out) noexcept;
    void failed(const Failure& f) noexcept;

    event_base* base_;
    const Settings& settings_;
    ServerAddress address_;
    SessionListener* listener_;
    Protocol protocol_;
    tern::ReplyParser parser_;
    tern::BufferEventPtr bev_;
    bool connected_ = false;
    bool dead_ = false;
    std::optional<tern::ContentReader> content_;
    DotStuffer stuffer_;
    int transactions_ = 0;
    timeval created_{};
};

}  // namespace smtp
