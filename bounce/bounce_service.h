// bounce/bounce_service.h - serve qmgr's flush, expire and delay requests on private/bounce
//
// SYNOPSIS
//     bounce::Service service(ctx, settings);
//     service.accept(std::move(client_fd));   // from on_accept
// DESCRIPTION
//     One Session per connection, on the event loop (Service is the
//     session table of lib/mail/session_service.h): it reads one request
//     of lib/mail/bounce_protocol.h, reads the queue file's envelope and
//     the delivery logs, plans the notices (bounce_notice.h), makes an
//     expiry durable in the bounce log, then submits each notice to
//     cleanup through tern::CleanupClient: the envelope and recipient at
//     once, the message (bounce_dsn.h) once cleanup has named its queue
//     ID (the notice's Message-Id carries it). After cleanup's final
//     status=0 (the notice is durable in incoming/) it logs
//     "ID: sender non-delivery notification: NEWID" and goes on; after
//     the last one it removes bounce/ID (flush, expire) and answers
//     status=0. Any failure answers status=4 reason=TEXT and removes
//     nothing, so qmgr asks again (a notice already queued may then be
//     sent twice, never lost).
//     The queue file and logs are read with blocking I/O, as Postfix's
//     bounce does; master starts more processes while one is busy.
//     Notices go to cleanup with flags address maps and missing headers
//     but not header_checks, as Postfix's bounce (INT_FILT_MASK_BOUNCE).
// LIMITS
//     A request must arrive within timeout_ms (ipc_timeout) and is
//     decoded with kBounceAttrLimits; cleanup gets the same timeout. The
//     returned original is at most bounce_size_limit bytes (else only its
//     headers, at most kMaxReturnedHeaderBytes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bounce/bounce_dsn.h"
#include "bounce/bounce_notice.h"
#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/mail/attr.h"
#include "lib/mail/cleanup_client.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/session_service.h"

namespace bounce {

struct Settings {
    std::string queue_directory;  // "" inside the chroot: paths relative to it
    std::string cleanup_path;     // public/cleanup, absolute
    int timeout_ms = 3'600'000;
    NoticeSettings notice;
    std::string mail_name = "tern";
    std::uint64_t bounce_size_limit = 50000;
    std::int64_t delay_warning_s = 0;
    std::int64_t max_queue_lifetime_s = 5 * 86400;
};

class Session;
using Service = tern::SessionService<Session, Settings>;

class Session final : public tern::CleanupListener {
public:
    Session(Service& service, tern::Fd fd);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    [[nodiscard]] bool start();

    void on_cleanup_queue_id(std::string_view queue_id) noexcept override;
    void on_cleanup_reply(const tern::CleanupReply& reply) noexcept override;
    void on_cleanup_failure(const std::string& why) noexcept override;

private:
    void on_read(evutil_socket_t, short what) noexcept;
    void handle_request(const tern::AttrList& request) noexcept;
    [[nodiscard]] tern::Status prepare(const tern::AttrList& request);
    [[nodiscard]] tern::Status read_original(int fd, const tern::QueueFile& file);
    void next_notice() noexcept;
    [[nodiscard]] DsnInput dsn_input(const Notice& notice) const;
    void notice_failed(const std::string& why) noexcept;
    void finish_all() noexcept;
    void answer(int status, const std::string& reason) noexcept;  // destroys *this

    Service& service_;
    tern::Fd fd_;
    tern::EventPtr read_event_;
    tern::AttrDecoder decoder_;
    RequestKind kind_ = RequestKind::Flush;
    std::string queue_id_;
    tern::QueueFile file_;
    std::string original_;
    bool eight_bit_ = false;
    Plan plan_;
    std::size_t next_ = 0;  // the notice being sent
    std::unique_ptr<tern::CleanupClient> cleanup_;
};

}  // namespace bounce
