// qmgr/attr_call.h - one request and one answer over a UNIX socket, on the event loop
//
// SYNOPSIS
//     std::unique_ptr<qmgr::AttrCall> call = qmgr::AttrCall::start(base, "private/smtp", request,
//         tern::kDeliveryAttrLimits, timeout_ms,
//         [](qmgr::CallResult result) noexcept { ... result.answer ... result.failure ... });
//     call.reset();                 // abandons it: the callback is not called
// DESCRIPTION
//     The client side that qmgr's delivery (agent_client.h) and bounce
//     (bounce_client.h) requests share: a non-blocking connect (a full
//     backlog is retried every few milliseconds until the timeout), the
//     encoded request written as the socket takes it, then exactly one
//     attribute message read back. The callback runs once, from the
//     loop (never from start()), with the answer or with why there is
//     none, and may destroy the call: the call touches nothing after it.
//     Failures are told apart because qmgr answers them differently:
//       Connect   nobody listens (no such service, or it is down)
//       NoAnswer  the peer closed, or the socket failed, before an answer
//       BadAnswer the answer broke the attribute format or its limits
//       Timeout   no answer within timeout_ms of the start (< 0: none)
// LIMITS
//     The answer is decoded with the caller's AttrLimits; bytes after the
//     answer are ignored.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/mail/attr.h"

namespace qmgr {

enum class CallFailure { None, Connect, NoAnswer, BadAnswer, Timeout };

struct CallResult {
    std::optional<tern::AttrList> answer;  // set when failure is None
    CallFailure failure = CallFailure::None;
    std::string why;                       // for logs, when failed
};

class AttrCall {
    struct Key {
        explicit Key() = default;
    };

public:
    using DoneFn = std::function<void(CallResult)>;

    [[nodiscard]] static std::unique_ptr<AttrCall> start(event_base* base, std::string path, const tern::AttrList& request,
                                                         const tern::AttrLimits& limits, int timeout_ms, DoneFn done);
    AttrCall(Key, event_base* base, std::string path, const tern::AttrLimits& limits, int timeout_ms, DoneFn done);
    AttrCall(const AttrCall&) = delete;
    AttrCall& operator=(const AttrCall&) = delete;

private:
    enum class Phase { Connecting, Sending, Reading, Done };

    void begin(const tern::AttrList& request);
    void try_connect() noexcept;
    void on_retry(evutil_socket_t, short) noexcept;
    void on_writable(evutil_socket_t, short) noexcept;
    void on_readable(evutil_socket_t, short) noexcept;
    void on_deadline(evutil_socket_t, short) noexcept;
    void arm_write() noexcept;
    void finish(CallResult result) noexcept;
    void fail(CallFailure failure, std::string why) noexcept;

    event_base* base_;
    std::string path_;
    tern::AttrDecoder decoder_;
    int timeout_ms_;
    DoneFn done_;
    Phase phase_ = Phase::Connecting;
    tern::Fd fd_;
    tern::EventPtr read_event_, write_event_, retry_timer_, deadline_timer_;
    std::string out_;
    std::size_t out_sent_ = 0;
};

}  // namespace qmgr
