// lib/mail/cleanup_client.h - an event-driven connection to cleanup for one message
//
// SYNOPSIS
//     class Session : public tern::CleanupListener { ... };
//     tern::Result<std::unique_ptr<tern::CleanupClient>> c =
//         tern::CleanupClient::open(base, "public/cleanup", session, 300000);
//     (*c)->send(envelope);  (*c)->send(recipient);  (*c)->send(content) ...
//     (*c)->finish();                        // request=end; the reply comes later
//     (*c)->abort();                         // request=end abort=1, then closed
//     listener: on_cleanup_queue_id(id), on_cleanup_reply(reply), on_cleanup_failure(why),
//               on_cleanup_drained()
// DESCRIPTION
//     The source side of lib/mail/cleanup_protocol.h, on the caller's
//     libevent loop: connect() never waits (a full backlog is retried on a
//     timer until the timeout), messages queue in an output buffer and go
//     out as the socket takes them, and cleanup's two answers (the queue
//     ID at once, the final reply after end) arrive as callbacks.
//     on_cleanup_failure is called at most once, instead of any answer not
//     yet given: connect failure, cleanup's status=4xx at start, a bad or
//     unexpected message, cleanup closing early, or no answer within
//     timeout_ms while one is awaited. After a failure, a final reply or
//     abort() the client does nothing more and may be destroyed; a
//     listener may destroy it from inside any callback.
//     pending_bytes() is the unsent output, for the caller's back-pressure;
//     on_cleanup_drained() says it fell to zero.
// LIMITS
//     Answers are decoded with small AttrLimits (a few attributes, 1 KiB
//     values); the output buffer is bounded by the caller via pending_bytes().
#pragma once

#include <event2/event.h>

#include <memory>
#include <string>
#include <string_view>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/attr.h"

namespace tern {

struct CleanupReply {
    int status = 0;          // 0: queued; else the SMTP code cleanup gave (4xx, 5xx)
    std::string queue_id;
    std::string reason;      // a complete reply line, e.g. "250 2.0.0 Ok: queued as ID"
    bool discarded = false;
};

class CleanupListener {
public:
    virtual void on_cleanup_queue_id(std::string_view queue_id) noexcept = 0;
    virtual void on_cleanup_reply(const CleanupReply& reply) noexcept = 0;
    virtual void on_cleanup_failure(const std::string& why) noexcept = 0;
    virtual void on_cleanup_drained() noexcept {}

protected:
    ~CleanupListener() = default;
};

class CleanupClient {
    struct Key {  // only open() makes one: the constructor is public for make_unique alone
        explicit Key() = default;
    };

public:
    [[nodiscard]] static Result<std::unique_ptr<CleanupClient>> open(event_base* base, const std::string& socket_path,
                                                                     CleanupListener& listener, int timeout_ms);
    CleanupClient(Key, event_base* base, std::string path, CleanupListener& listener, int timeout_ms);
    ~CleanupClient();
    CleanupClient(const CleanupClient&) = delete;
    CleanupClient& operator=(const CleanupClient&) = delete;

    void send(const AttrList& message);
    void finish();
    void abort() noexcept;
    [[nodiscard]] std::size_t pending_bytes() const noexcept { return out_.size() - out_sent_; }
    [[nodiscard]] const std::string& queue_id() const noexcept { return queue_id_; }

private:
    enum class Phase { Connecting, AwaitId, Open, AwaitReply, Done };

    [[nodiscard]] Status start();
    [[nodiscard]] Result<bool> try_connect();
    void on_connect_retry(evutil_socket_t, short) noexcept;
    void on_readable(evutil_socket_t, short what) noexcept;
    void on_writable(evutil_socket_t, short) noexcept;
    [[nodiscard]] bool handle_message(const AttrList& message);
    void arm_read() noexcept;
    void fail(const std::string& why) noexcept;
    void shut() noexcept;

    event_base* base_;
    std::string path_;
    CleanupListener& listener_;
    int timeout_ms_;
    long long connect_deadline_ms_ = 0;
    Phase phase_ = Phase::Connecting;
    bool finish_requested_ = false;
    Fd fd_;
    EventPtr read_event_;
    EventPtr write_event_;
    EventPtr retry_timer_;
    AttrDecoder decoder_;
    std::string out_;
    std::size_t out_sent_ = 0;
    std::string queue_id_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // false once destroyed
};

}  // namespace tern
