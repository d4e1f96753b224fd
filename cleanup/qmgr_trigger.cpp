// cleanup/qmgr_trigger.cpp - coalesced wake-ups for qmgr (see qmgr_trigger.h)
#include "cleanup/qmgr_trigger.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/mail/cleanup_protocol.h"

namespace cleanup {

tern::Result<std::unique_ptr<QmgrTrigger>> QmgrTrigger::create(event_base* base, std::string socket_path) {
    auto t = std::make_unique<QmgrTrigger>(std::move(socket_path));
    tern::Result<tern::EventPtr> timer = tern::make_timer<&QmgrTrigger::on_timer>(base, t.get());
    if (!timer) return tl::unexpected(timer.error());
    t->timer_ = std::move(*timer);
    return t;
}

void QmgrTrigger::request() noexcept {
    if (timer_armed_) return;
    const auto now = std::chrono::steady_clock::now();
    const auto since = now - last_poke_;
    if (pokes_ == 0 || since >= kPokeInterval) {
        poke();
        return;
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kPokeInterval - since);
    if (tern::add_event(timer_.get(), wait.count() + 1)) timer_armed_ = true;
}

void QmgrTrigger::on_timer(evutil_socket_t, short) noexcept {
    timer_armed_ = false;
    poke();
}

void QmgrTrigger::poke() noexcept {
    last_poke_ = std::chrono::steady_clock::now();
    ++pokes_;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path_.size() >= sizeof addr.sun_path) return;
    std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
    tern::Fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    if (!fd) return;
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno == ENOENT || errno == ECONNREFUSED) return;
        tern::log_debug("connect %s: %s", socket_path_.c_str(), std::strerror(errno));
        retry_later();
        return;
    }
    const char request = tern::kQmgrRequestScanIncoming;
    if (::send(fd.get(), &request, 1, MSG_NOSIGNAL) != 1) {
        tern::log_debug("write %s: %s", socket_path_.c_str(), std::strerror(errno));
        retry_later();
    }
}

void QmgrTrigger::retry_later() noexcept {
    if (timer_armed_) return;
    if (tern::add_event(timer_.get(), kPokeInterval.count())) timer_armed_ = true;
}

}  // namespace cleanup
