// showq/session.h - one showq client: stream the queue listing to it without blocking the others
//
// SYNOPSIS
//     showq::Service service(ctx, {.queue_directory = "/", .timeout_ms = 3600000});
//     service.accept(std::move(client_fd));   // from on_accept
// DESCRIPTION
//     A client only reads: showq takes no input, as Postfix's. A Session
//     walks the queue with tern::QueueScanner and writes the records of
//     lib/mail/queue_listing.h, then the end record, then closes. It
//     encodes more messages only while less than kHighWaterBytes wait to
//     be written, and writes when the socket is writable, so a slow
//     client costs one buffer and never holds up the loop; the queue walk
//     reads one queue file per message, as Postfix's showq does. Service
//     is the session table of lib/mail/session_service.h.
// LIMITS
//     Each write must make progress within timeout_ms (ipc_timeout), or the
//     client is dropped. Memory per client: about kHighWaterBytes plus one
//     message's records. ListingLimits caps the messages per listing.
#pragma once

#include <cstddef>
#include <string>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/mail/queue_listing.h"
#include "lib/mail/session_service.h"

namespace showq {

inline constexpr std::size_t kHighWaterBytes = 64 * 1024;

struct Settings {
    std::string queue_directory;  // "/" inside the chroot
    long long timeout_ms = 3'600'000;
    tern::ListingLimits limits;
};

class Session;
using Service = tern::SessionService<Session, Settings>;

class Session {
public:
    Session(Service& service, tern::Fd fd);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // False when the session could not start (the caller drops it).
    [[nodiscard]] bool start();

private:
    void on_write(evutil_socket_t, short what) noexcept;
    void fill();        // encode records up to kHighWaterBytes
    bool flush();       // false: the peer is gone
    void finish() noexcept;  // removes *this from the service

    Service& service_;
    tern::Fd fd_;
    tern::EventPtr write_event_;
    tern::QueueScanner scanner_;
    std::string output_;
    std::size_t sent_ = 0;  // bytes of output_ already written
    bool ended_ = false;    // the end record is in output_
};

}  // namespace showq
