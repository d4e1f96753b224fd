// cleanup/stream.h - one connection of the cleanup protocol: read requests, write replies
//
// SYNOPSIS
//     auto stream = std::make_unique<cleanup::Stream>(service, std::move(fd));
//     if (stream->start()) keep(std::move(stream));   // greets with status=0 queue_id=ID
// DESCRIPTION
//     Speaks lib/mail/cleanup_protocol.h on a non-blocking socket: creates
//     the queue file and sends its ID at once, then decodes requests as
//     they arrive (lib/mail/attr.h) and hands them to a cleanup::Message.
//     At the end request the message is finished; a message to keep goes
//     to group commit (incoming/ID or hold/ID) and the reply is sent only
//     from the commit's done callback, when the file is durable. The
//     socket is not read while the commit runs, so the stream lives at
//     least until its done callback has run.
//     A protocol violation (unknown or out-of-order request, bad
//     attribute, decoder error) is logged as a warning; the temporary file
//     is removed and the socket closed without a reply. A peer that closes
//     or aborts before end leaves nothing behind and one info line.
// SECURITY
//     The peer is smtpd or pickup, but its bytes are input: the decoder
//     caps every message (kCleanupMaxMessageBytes) and attribute count,
//     and the read timeout is ipc_timeout.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cleanup/message.h"
#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/mail/attr.h"

namespace cleanup {

class Service;

class Stream {
public:
    Stream(Service& service, tern::Fd fd);
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    // Creates the queue file, greets, starts reading; false: closed already.
    [[nodiscard]] bool start();

private:
    enum class State { Envelope, Receiving, Committing, Replying, Closed };

    void on_read(evutil_socket_t, short what) noexcept;
    void on_write(evutil_socket_t, short) noexcept;
    void read_available();
    void handle(const tern::AttrList& request);
    void handle_end(const tern::AttrList& request);
    void commit(Outcome outcome);
    void on_committed(const tern::Status& status, bool poke) noexcept;
    void protocol_error(const std::string& why);
    void reply(const tern::AttrList& message);
    void flush();
    void close();
    // Ends a callback: a closed stream is destroyed here, as the last step.
    void settle() noexcept;

    Service& service_;
    tern::Fd fd_;
    tern::EventPtr read_event_;
    tern::EventPtr write_event_;
    tern::AttrDecoder decoder_;
    std::optional<Message> message_;
    std::string output_;
    State state_ = State::Envelope;
};

}  // namespace cleanup
