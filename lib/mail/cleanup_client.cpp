// lib/mail/cleanup_client.cpp - event-driven cleanup connection (see cleanup_client.h)
#include "lib/mail/cleanup_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"

namespace tern {

namespace {

constexpr long long kConnectRetryMs = 20;
constexpr std::size_t kReadChunkBytes = 4096;
constexpr std::size_t kKeepCapacityBytes = 16 * 1024;
constexpr AttrLimits kAnswerLimits{.max_attributes = 8, .max_value_bytes = 1024, .max_message_bytes = 16 * 1024};

long long monotonic_ms() noexcept {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

}  // namespace

CleanupClient::CleanupClient(Key, event_base* base, std::string path, CleanupListener& listener, int timeout_ms)
    : base_(base), path_(std::move(path)), listener_(listener), timeout_ms_(timeout_ms), decoder_(kAnswerLimits) {}

CleanupClient::~CleanupClient() { *alive_ = false; }

Result<std::unique_ptr<CleanupClient>> CleanupClient::open(event_base* base, const std::string& socket_path,
                                                          CleanupListener& listener, int timeout_ms) {
    auto client = std::make_unique<CleanupClient>(Key{}, base, socket_path, listener, timeout_ms);
    if (Status started = client->start(); !started) return tl::unexpected(started.error());
    return client;
}

Status CleanupClient::start() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path_.size() >= sizeof addr.sun_path) return tern::fail(Retry::Permanent, "cleanup socket path too long: " + path_);
    fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_) return tern::fail(Retry::Temporary, "socket for " + path_, errno);
    auto read_ev = make_event<&CleanupClient::on_readable>(base_, fd_.get(), EV_READ | EV_PERSIST, this);
    auto write_ev = make_event<&CleanupClient::on_writable>(base_, fd_.get(), EV_WRITE, this);
    auto retry = make_timer<&CleanupClient::on_connect_retry>(base_, this);
    if (!read_ev || !write_ev || !retry) return tern::fail(Retry::Temporary, "libevent: cannot make events for " + path_);
    read_event_ = std::move(*read_ev);
    write_event_ = std::move(*write_ev);
    retry_timer_ = std::move(*retry);
    connect_deadline_ms_ = monotonic_ms() + timeout_ms_;
    Result<bool> connected = try_connect();
    if (!connected) return tl::unexpected(connected.error());
    if (!*connected) return add_event(retry_timer_.get(), kConnectRetryMs);
    return {};
}

// True when connected, false when the backlog is full (try again later).
Result<bool> CleanupClient::try_connect() {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.data(), path_.size());
    if (::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno == EAGAIN) return false;
        if (errno != EINPROGRESS) return tern::fail(Retry::Temporary, "connect to " + path_, errno);
    }
    phase_ = Phase::AwaitId;
    arm_read();
    if (pending_bytes() > 0) (void)add_event(write_event_.get());
    return true;
}

void CleanupClient::on_connect_retry(evutil_socket_t, short) noexcept {
    if (phase_ != Phase::Connecting) return;
    if (monotonic_ms() >= connect_deadline_ms_) return fail("connect to " + path_ + ": timeout");
    Result<bool> connected = try_connect();
    if (!connected) return fail(connected.error().describe());
    if (!*connected) (void)add_event(retry_timer_.get(), kConnectRetryMs);
}

// Waits for cleanup's next answer with a timeout, or for its close without one.
void CleanupClient::arm_read() noexcept {
    const bool awaiting = phase_ == Phase::AwaitId || phase_ == Phase::AwaitReply;
    (void)add_event(read_event_.get(), awaiting ? timeout_ms_ : -1);
}

void CleanupClient::send(const AttrList& message) {
    if (phase_ == Phase::Done) return;
    encode(message, out_);
    if (phase_ != Phase::Connecting) (void)add_event(write_event_.get());
}

void CleanupClient::finish() {
    if (phase_ == Phase::Done) return;
    AttrList end;
    end.add(kCleanupRequest, kCleanupRequestEnd);
    send(end);
    finish_requested_ = true;
    if (phase_ == Phase::Open) {
        phase_ = Phase::AwaitReply;
        arm_read();
    }
}

void CleanupClient::abort() noexcept {
    phase_ = Phase::Done;
    shut();
}

void CleanupClient::shut() noexcept {
    read_event_.reset();
    write_event_.reset();
    retry_timer_.reset();
    fd_.reset();
    out_.clear();
    out_.shrink_to_fit();
    out_sent_ = 0;
}

void CleanupClient::fail(const std::string& why) noexcept {
    if (phase_ == Phase::Done) return;
    phase_ = Phase::Done;
    shut();
    listener_.on_cleanup_failure(why);  // may destroy this: nothing after it
}

void CleanupClient::on_writable(evutil_socket_t, short) noexcept {
    while (pending_bytes() > 0) {
        const ssize_t n = ::send(fd_.get(), out_.data() + out_sent_, pending_bytes(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            (void)add_event(write_event_.get());
            return;
        }
        if (n <= 0) return fail("write to " + path_ + ": " + std::strerror(errno));
        out_sent_ += static_cast<std::size_t>(n);
    }
    out_.clear();
    out_sent_ = 0;
    if (out_.capacity() > kKeepCapacityBytes) out_.shrink_to_fit();
    listener_.on_cleanup_drained();  // may destroy this: nothing after it
}

void CleanupClient::on_readable(evutil_socket_t, short what) noexcept {
    if ((what & EV_TIMEOUT) != 0) return fail("timeout waiting for " + path_);
    std::array<char, kReadChunkBytes> buffer{};
    const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n < 0) return fail("read from " + path_ + ": " + std::strerror(errno));
    if (n == 0) return fail(path_ + " closed the connection");
    std::string_view input(buffer.data(), static_cast<std::size_t>(n));
    const std::shared_ptr<bool> alive = alive_;
    while (!input.empty() && *alive && phase_ != Phase::Done) {
        Result<std::size_t> used = decoder_.feed(input);
        if (!used) return fail("bad answer from " + path_ + ": " + used.error().text);
        input.remove_prefix(*used);
        std::optional<AttrList> message = decoder_.take_message();
        if (!message) continue;
        if (!handle_message(*message)) return;
    }
}

// False when the client is finished (and maybe destroyed by the listener).
bool CleanupClient::handle_message(const AttrList& message) {
    Result<long long> status = message.get_int(kCleanupStatus);
    if (!status) {
        fail("bad answer from " + path_ + ": " + status.error().text);
        return false;
    }
    const std::string reason{message.get(kCleanupReason).value_or("")};
    if (phase_ == Phase::AwaitId) {
        const std::string_view id = message.get(kCleanupQueueId).value_or("");
        if (*status != 0 || id.empty()) {
            fail(reason.empty() ? "cleanup refused the message" : printable(reason, 300));
            return false;
        }
        queue_id_ = std::string(id);
        phase_ = finish_requested_ ? Phase::AwaitReply : Phase::Open;
        arm_read();
        const std::shared_ptr<bool> alive = alive_;
        listener_.on_cleanup_queue_id(queue_id_);
        return *alive;
    }
    if (phase_ != Phase::AwaitReply) {
        fail("unexpected answer from " + path_);
        return false;
    }
    CleanupReply reply;
    reply.status = static_cast<int>(*status);
    reply.queue_id = queue_id_;
    reply.reason = reason;
    reply.discarded = message.contains(kCleanupDiscarded);
    phase_ = Phase::Done;
    shut();
    listener_.on_cleanup_reply(reply);  // may destroy this
    return false;
}

}  // namespace tern
