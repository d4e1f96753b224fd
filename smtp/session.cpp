// smtp/session.cpp - one client connection on the event loop; see session.h
#include "smtp/session.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace smtp {

namespace {

timeval to_timeval(long long ms) noexcept { return {static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)}; }

}  // namespace

Session::Session(event_base* base, const Settings& settings, ServerAddress address, SessionListener& listener)
    : base_(base),
      settings_(settings),
      address_(std::move(address)),
      listener_(&listener),
      protocol_(settings.dialect,
                {.helo_name = settings.helo_name,
                 .skip_5xx_greeting = settings.skip_5xx_greeting,
                 .my_hostname = settings.dialect == Dialect::Smtp ? settings.myhostname : std::string()},
                address_.peer()) {
    gettimeofday(&created_, nullptr);
}

void Session::connect() noexcept {
    bev_.reset(bufferevent_socket_new(base_, -1, BEV_OPT_CLOSE_ON_FREE));
    if (!bev_) {
        connect_failed(ENOMEM, false);
        return;
    }
    bufferevent_setcb(bev_.get(), &Session::on_read, &Session::on_write, &Session::on_event, this);
    bufferevent_setwatermark(bev_.get(), EV_WRITE, kContentHighWater / 2, 0);
    const timeval limit = to_timeval(settings_.connect_timeout_s * 1000);
    bufferevent_set_timeouts(bev_.get(), nullptr, &limit);  // libevent times connect() by the write timeout
    if (bufferevent_socket_connect(bev_.get(), reinterpret_cast<const sockaddr*>(&address_.sockaddr),
                                   static_cast<int>(address_.length)) != 0) {
        const int error = errno;
        connect_failed(error != 0 ? error : ECONNREFUSED, false);
    }
}

void Session::connect_failed(int error, bool timed_out) noexcept {
    Failure f;
    f.dsn = "4.4.1";
    const std::string what = timed_out ? "Connection timed out" : std::strerror(error);
    f.reason = "connect to " + (address_.port == 0 ? address_.address : address_.relay()) + ": " + what;
    failed(f);
}

void Session::failed(const Failure& f) noexcept {
    dead_ = true;
    if (bev_) bufferevent_disable(bev_.get(), EV_READ | EV_WRITE);
    content_.reset();
    listener_->on_session_failed(*this, f);
}

void Session::lost(bool timed_out) noexcept { failed(protocol_.lost(timed_out)); }

void Session::on_event(bufferevent*, short what, void* arg) noexcept {
    auto* self = static_cast<Session*>(arg);
    if (self->dead_) return;
    if (what & BEV_EVENT_CONNECTED) {
        self->connected_ = true;
        bufferevent_enable(self->bev_.get(), EV_READ | EV_WRITE);
        self->arm_read_timeout();
        return;
    }
    const bool timed_out = (what & BEV_EVENT_TIMEOUT) != 0;
    if (!self->connected_) {
        self->connect_failed(timed_out ? ETIMEDOUT : EVUTIL_SOCKET_ERROR(), timed_out);
        return;
    }
    if (what & BEV_EVENT_EOF) {
        // Replies may still sit in the input: read them, then report.
        self->read_replies();
        if (self->dead_) return;
    }
    self->lost(timed_out);
}

void Session::arm_read_timeout() noexcept {
    const std::optional<Stage> stage = protocol_.awaiting();
    const timeval xfer = to_timeval(settings_.data_xfer_timeout_s * 1000);
    if (!stage) {
        bufferevent_set_timeouts(bev_.get(), nullptr, &xfer);
        return;
    }
    const timeval wait = to_timeval(settings_.timeout_ms(*stage));
    bufferevent_set_timeouts(bev_.get(), &wait, &xfer);
}

void Session::on_read(bufferevent*, void* arg) noexcept { static_cast<Session*>(arg)->read_replies(); }

void Session::read_replies() noexcept {
    evbuffer* in = bufferevent_get_input(bev_.get());
    while (!dead_ && evbuffer_get_length(in) > 0) {
        const std::size_t n = std::min<std::size_t>(evbuffer_get_length(in), 4096);
        const char* bytes = reinterpret_cast<const char*>(evbuffer_pullup(in, static_cast<ev_ssize_t>(n)));
        const tern::ReplyFeed fed = parser_.feed({bytes, n});
        evbuffer_drain(in, fed.consumed);
        if (fed.status == tern::ReplyStatus::Error) {
            lost(false);
            return;
        }
        if (fed.status == tern::ReplyStatus::NeedMore) continue;
        if (!protocol_.awaiting()) {  // a reply nobody asked for
            lost(false);
            return;
        }
        const Protocol::Event event = protocol_.on_reply(parser_.take());
        flush();
        if (event != Protocol::Event::None) {
            handle(event);
            return;  // listener calls end the callback; pipelined replies are never past an event
        }
    }
    if (!dead_) arm_read_timeout();
}

void Session::handle(Protocol::Event event) noexcept {
    switch (event) {
    case Protocol::Event::None: return;
    case Protocol::Event::SendContent:
        arm_read_timeout();  // nothing is awaited while the content goes out
        fill_content();
        return;
    case Protocol::Event::Ready: arm_read_timeout(); listener_->on_session_ready(*this); return;
    case Protocol::Event::Done:
        ++transactions_;
        content_.reset();
        arm_read_timeout();
        listener_->on_session_done(*this);
        return;
    case Protocol::Event::Failed: failed(protocol_.failure()); return;
    case Protocol::Event::Closed:
        dead_ = true;
        listener_->on_session_closed(*this);
        return;
    }
}

void Session::flush() noexcept {
    const std::string out = protocol_.take_output();
    if (!out.empty()) bufferevent_write(bev_.get(), out.data(), out.size());
}

void Session::begin(const Transaction& tx, tern::ContentReader content) noexcept {
    content_.emplace(content);
    stuffer_ = DotStuffer{};
    const Protocol::Event event = protocol_.begin(tx);
    flush();
    if (event != Protocol::Event::None) {
        handle(event);
        return;
    }
    arm_read_timeout();
}

void Session::quit() noexcept {
    if (dead_ || !protocol_.ready()) {
        dead_ = true;
        listener_->on_session_closed(*this);
        return;
    }
    protocol_.quit();
    flush();
    arm_read_timeout();
}

void Session::on_write(bufferevent*, void* arg) noexcept {
    auto* self = static_cast<Session*>(arg);
    if (!self->dead_ && self->content_ && self->protocol_.stage() == Stage::Content) self->fill_content();
}

// Tops the output up to kContentHighWater; on_write calls again as it drains.
void Session::fill_content() noexcept {
    evbuffer* out = bufferevent_get_output(bev_.get());
    std::array<char, kContentChunk> chunk{};
    std::string wire;
    while (evbuffer_get_length(out) < kContentHighWater) {
        tern::Result<std::size_t> n = content_->read(chunk);
        if (!n) {
            failed({tern::DeliveryStatus::Deferred, "4.3.0", "error reading message file: " + n.error().describe(), ""});
            return;
        }
        wire.clear();
        if (*n == 0) {
            stuffer_.finish(wire);
            bufferevent_write(bev_.get(), wire.data(), wire.size());
            content_.reset();
            protocol_.content_sent();
            arm_read_timeout();
            return;
        }
        stuffer_.feed({chunk.data(), *n}, wire);
        bufferevent_write(bev_.get(), wire.data(), wire.size());
    }
}

}  // namespace smtp
