// cleanup/qmgr_trigger.h - tell qmgr that incoming/ has new mail, at most once per interval
//
// SYNOPSIS
//     tern::Result<std::unique_ptr<cleanup::QmgrTrigger>> t = cleanup::QmgrTrigger::create(base, "public/qmgr");
//     (*t)->request();          // after each successful commit batch
//     (*t)->pokes();            // how many were sent (tests)
// DESCRIPTION
//     A poke connects non-blocking to qmgr's UNIX socket and writes
//     kQmgrRequestScanIncoming (lib/mail/cleanup_protocol.h), then closes.
//     Requests are coalesced: at most one poke per kPokeInterval; a
//     request inside the interval arms a timer that pokes once at its end.
//     qmgr not running (ENOENT, ECONNREFUSED) is silent: qmgr scans
//     incoming/ by itself when it starts and on its timer. qmgr busy (its
//     listen backlog full: EAGAIN) or a failed write is retried after
//     kPokeInterval, so a burst of new mail is never left waiting for
//     qmgr's periodic scan.
// ERRORS
//     Other connect or write errors are logged at debug level only; a
//     poke is a hint, never needed for correctness.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "lib/base/event_loop.h"
#include "lib/base/result.h"

namespace cleanup {

inline constexpr std::chrono::milliseconds kPokeInterval{100};

class QmgrTrigger {
public:
    [[nodiscard]] static tern::Result<std::unique_ptr<QmgrTrigger>> create(event_base* base, std::string socket_path);
    explicit QmgrTrigger(std::string socket_path) : socket_path_(std::move(socket_path)) {}
    QmgrTrigger(const QmgrTrigger&) = delete;
    QmgrTrigger& operator=(const QmgrTrigger&) = delete;

    void request() noexcept;
    [[nodiscard]] std::size_t pokes() const noexcept { return pokes_; }

private:
    void poke() noexcept;
    void retry_later() noexcept;
    void on_timer(evutil_socket_t, short) noexcept;

    std::string socket_path_;
    tern::EventPtr timer_;
    bool timer_armed_ = false;
    std::chrono::steady_clock::time_point last_poke_{};
    std::size_t pokes_ = 0;
};

}  // namespace cleanup
