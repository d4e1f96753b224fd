// lib/mail/session_service.h - own the client sessions of a daemon that serves each client on the event loop
//
// SYNOPSIS
//     class Session;
//     using Service = tern::SessionService<Session, Settings>;
//     class Session {                      // the daemon's own
//     public:
//         Session(Service& service, tern::Fd fd);
//         [[nodiscard]] bool start();      // false: could not start
//     };
//     Service service(ctx, settings);      // after_privilege_drop
//     service.accept(std::move(client));   // from on_accept
//     service_.remove(this);               // in a Session: the last thing it does
//     service_.base(); service_.settings();
// DESCRIPTION
//     The session table every accept-per-client daemon (bounce, showq)
//     would otherwise write again. accept makes a Session for the
//     client and keeps it by its address; a Session that fails to start
//     is removed at once. remove destroys the Session and tells the event
//     server the client is done (ServerContext::client_done), which is
//     how master's busy and max_use accounting learns of it; removing an
//     unknown or already removed Session does nothing, so a stray second
//     call cannot count one client twice.
//     Session may be incomplete where the alias is declared: the class
//     is instantiated only where a Service is built or used.
// LIMITS
//     Holds as many sessions as the event server hands over (it stops
//     accepting at busy_at_clients). A Session must not touch its
//     members after remove(this): it is gone.
#pragma once

#include <event2/event.h>

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <utility>

#include "lib/base/fd.h"
#include "lib/mail/event_server.h"

namespace tern {

template <class Session, class Settings>
class SessionService {
public:
    SessionService(ServerContext& context, Settings settings)
        : context_(context), settings_(std::move(settings)) {}
    SessionService(const SessionService&) = delete;
    SessionService& operator=(const SessionService&) = delete;

    void accept(Fd fd) noexcept {
        auto session = std::make_unique<Session>(*this, std::move(fd));
        Session* raw = session.get();
        sessions_.emplace(raw, std::move(session));
        if (!raw->start()) remove(raw);
    }

    void remove(Session* session) noexcept {
        if (sessions_.erase(session) > 0) context_.client_done();
    }

    [[nodiscard]] event_base* base() noexcept { return context_.base(); }
    [[nodiscard]] const Settings& settings() const noexcept { return settings_; }
    [[nodiscard]] std::size_t size() const noexcept { return sessions_.size(); }

private:
    ServerContext& context_;
    Settings settings_;
    std::unordered_map<Session*, std::unique_ptr<Session>> sessions_;
};

}  // namespace tern
