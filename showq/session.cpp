// showq/session.cpp - one showq client (see session.h)
#include "showq/session.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "lib/base/log.h"

namespace showq {

Session::Session(Service& service, tern::Fd fd)
    : service_(service), fd_(std::move(fd)), scanner_(service.settings().queue_directory, service.settings().limits) {}

bool Session::start() {
    tern::Result<tern::EventPtr> wr = tern::make_event<&Session::on_write>(service_.base(), fd_.get(), EV_WRITE, this);
    if (!wr) {
        tern::log_warning("showq: %s", wr.error().describe().c_str());
        return false;
    }
    write_event_ = std::move(*wr);
    fill();
    return static_cast<bool>(tern::add_event(write_event_.get(), service_.settings().timeout_ms));
}

void Session::fill() {
    if (sent_ > 0) {
        output_.erase(0, sent_);
        sent_ = 0;
    }
    while (!ended_ && output_.size() < kHighWaterBytes) {
        std::optional<tern::ListedMessage> message = scanner_.next();
        if (!message) {
            tern::encode(tern::listing_end_record(), output_);
            ended_ = true;
            break;
        }
        tern::encode_listed_message(*message, output_);
    }
}

bool Session::flush() {
    while (sent_ < output_.size()) {
        const ssize_t n = ::send(fd_.get(), output_.data() + sent_, output_.size() - sent_, MSG_NOSIGNAL);
        if (n > 0) {
            sent_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        tern::log_debug("showq: client write: %s", std::strerror(errno));
        return false;
    }
    return true;
}

void Session::on_write(evutil_socket_t, short what) noexcept {
    if ((what & EV_TIMEOUT) != 0) {
        tern::log_warning("showq: timeout sending the queue listing to a client");
        return finish();
    }
    if (!flush()) return finish();
    if (sent_ == output_.size()) {
        if (ended_) return finish();  // all sent: closing tells the client we are done
        fill();
    }
    if (!tern::add_event(write_event_.get(), service_.settings().timeout_ms)) return finish();
}

void Session::finish() noexcept { service_.remove(this); }  // destroys *this: nothing may follow

}  // namespace showq
