// qmgr/attr_call.cpp - one attribute request and answer on the loop (see attr_call.h)
#include "qmgr/attr_call.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "lib/base/log.h"

namespace qmgr {

namespace {

constexpr long long kConnectRetryMs = 20;
constexpr std::size_t kReadChunkBytes = 16 * 1024;

}  // namespace

AttrCall::AttrCall(Key, event_base* base, std::string path, const tern::AttrLimits& limits, int timeout_ms, DoneFn done)
    : base_(base), path_(std::move(path)), decoder_(limits), timeout_ms_(timeout_ms), done_(std::move(done)) {}

std::unique_ptr<AttrCall> AttrCall::start(event_base* base, std::string path, const tern::AttrList& request,
                                          const tern::AttrLimits& limits, int timeout_ms, DoneFn done) {
    auto call = std::make_unique<AttrCall>(Key{}, base, std::move(path), limits, timeout_ms, std::move(done));
    call->begin(request);
    return call;
}

// Any failure here is reported from the loop, so start() never calls back.
void AttrCall::begin(const tern::AttrList& request) {
    tern::encode(request, out_);
    auto retry = tern::make_timer<&AttrCall::on_retry>(base_, this);
    auto deadline = tern::make_timer<&AttrCall::on_deadline>(base_, this);
    if (!retry || !deadline) TERN_PANIC("libevent: cannot make timers for %s", path_.c_str());
    retry_timer_ = std::move(*retry);
    deadline_timer_ = std::move(*deadline);
    if (timeout_ms_ >= 0) (void)tern::add_event(deadline_timer_.get(), timeout_ms_);
    (void)tern::add_event(retry_timer_.get(), 0);  // connect from the loop
}

void AttrCall::try_connect() noexcept {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof addr.sun_path) return fail(CallFailure::Connect, "socket path too long: " + path_);
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    if (!fd_) {
        fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd_) return fail(CallFailure::Connect, "socket: " + std::string(std::strerror(errno)));
    }
    if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno == EAGAIN) {
            (void)tern::add_event(retry_timer_.get(), kConnectRetryMs);  // backlog full: try again
            return;
        }
        if (errno != EINPROGRESS)
            return fail(CallFailure::Connect, "connect to " + path_ + ": " + std::strerror(errno));
    }
    auto read_ev = tern::make_event<&AttrCall::on_readable>(base_, fd_.get(), EV_READ | EV_PERSIST, this);
    auto write_ev = tern::make_event<&AttrCall::on_writable>(base_, fd_.get(), EV_WRITE, this);
    if (!read_ev || !write_ev) return fail(CallFailure::NoAnswer, "libevent: cannot watch " + path_);
    read_event_ = std::move(*read_ev);
    write_event_ = std::move(*write_ev);
    phase_ = Phase::Sending;
    (void)tern::add_event(read_event_.get());  // a peer that closes early is seen at once
    on_writable(fd_.get(), EV_WRITE);
}

void AttrCall::on_retry(evutil_socket_t, short) noexcept {
    if (phase_ == Phase::Connecting) try_connect();
}

void AttrCall::on_deadline(evutil_socket_t, short) noexcept {
    fail(CallFailure::Timeout, "timeout waiting for " + path_);
}

void AttrCall::arm_write() noexcept { (void)tern::add_event(write_event_.get()); }

void AttrCall::on_writable(evutil_socket_t, short) noexcept {
    if (phase_ != Phase::Sending) return;
    while (out_sent_ < out_.size()) {
        const ssize_t n = ::send(fd_.get(), out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return arm_write();
        if (n < 0 && errno == ENOTCONN) return arm_write();  // connect still in progress
        if (n <= 0) return fail(CallFailure::NoAnswer, "write to " + path_ + ": " + std::strerror(errno));
        out_sent_ += static_cast<std::size_t>(n);
    }
    out_.clear();
    out_.shrink_to_fit();
    phase_ = Phase::Reading;
}

void AttrCall::on_readable(evutil_socket_t, short) noexcept {
    if (phase_ == Phase::Done || phase_ == Phase::Connecting) return;
    // The agent sends one answer and closes: read whole chunks.
    std::array<char, kReadChunkBytes> buffer;
    const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n < 0) return fail(CallFailure::NoAnswer, "read from " + path_ + ": " + std::strerror(errno));
    if (n == 0) return fail(CallFailure::NoAnswer, path_ + " closed the connection without an answer");
    std::string_view input(buffer.data(), static_cast<std::size_t>(n));
    while (!input.empty()) {
        tern::Result<std::size_t> used = decoder_.feed(input);
        if (!used) return fail(CallFailure::BadAnswer, "bad answer from " + path_ + ": " + used.error().text);
        input.remove_prefix(*used);
        if (std::optional<tern::AttrList> answer = decoder_.take_message())
            return finish({.answer = std::move(*answer), .failure = CallFailure::None, .why = {}});
        if (*used == 0) break;
    }
}

void AttrCall::fail(CallFailure failure, std::string why) noexcept {
    finish({.answer = std::nullopt, .failure = failure, .why = std::move(why)});
}

void AttrCall::finish(CallResult result) noexcept {
    if (phase_ == Phase::Done) return;
    phase_ = Phase::Done;
    read_event_.reset();
    write_event_.reset();
    retry_timer_.reset();
    deadline_timer_.reset();
    fd_.reset();
    DoneFn done = std::move(done_);
    if (done) done(std::move(result));  // may destroy this: nothing after it
}

}  // namespace qmgr
