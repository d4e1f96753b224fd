// smtpd/session.h - one SMTP client connection: socket, timers and cleanup around a Protocol
//
// SYNOPSIS
//     smtpd::Daemon daemon = ...;                       // settings, policy, limits (main.cpp)
//     smtpd::Session::start(std::move(fd), ctx, daemon);  // from on_accept; owns itself in daemon
// DESCRIPTION
//     Reads what the client sends, feeds the Protocol, and writes the
//     replies it collected in one write once no complete command is left
//     (RFC 2920 pipelining), or when it must wait for cleanup. Reading
//     stops while replies wait to be written, while the Protocol waits for
//     cleanup, during an error delay (smtpd_error_sleep_time, a timer, never
//     a sleep) and while cleanup has more than kMaxCleanupBacklogBytes
//     unsent, so input and output buffers stay small. smtpd_timeout bounds
//     every wait for the client: "421 4.4.2 ... timeout exceeded".
//     Client name: no DNS yet, "localhost" for a loopback address, else
//     "unknown". Connection count and rate limits are checked at connect
//     (per process, see client_limits.h) unless the client is in
//     smtpd_client_event_limit_exceptions.
// LIMITS
//     An idle session holds no I/O buffer: the input and output strings are
//     released whenever they empty; reads use a stack buffer.
// SECURITY
//     Everything the client sends goes through the Protocol's parsers with
//     their limits; nothing the client sends is logged unprintable.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "lib/base/event_loop.h"
#include "lib/base/fd.h"
#include "lib/mail/cleanup_client.h"
#include "lib/mail/event_server.h"
#include "smtpd/client_limits.h"
#include "lib/mail/net_list.h"
#include "smtpd/protocol.h"
#include "smtpd/settings.h"

namespace smtpd {

class Session;

// What all sessions of the process share.
struct Daemon {
    Settings settings;
    std::unique_ptr<Policy> policy;
    tern::NetList event_limit_exceptions;
    tern::NetList bare_newline_exclusions;
    std::unique_ptr<ClientLimits> limits;
    std::string cleanup_path;
    std::unordered_map<Session*, std::unique_ptr<Session>> sessions;
};

class Session final : public CleanupHost, public tern::CleanupListener {
    struct Key {  // only start() makes one: the constructor is public for make_unique alone
        explicit Key() = default;
    };

public:
    static void start(tern::Fd fd, tern::ServerContext& ctx, Daemon& daemon) noexcept;
    Session(Key, tern::Fd fd, tern::ServerContext& ctx, Daemon& daemon, ClientInfo client);
    ~Session() override;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // CleanupHost
    bool open_cleanup(const tern::AttrList& envelope) override;
    void send_cleanup(const tern::AttrList& message) override;
    void finish_cleanup() override;
    void abort_cleanup() override;
    // tern::CleanupListener
    void on_cleanup_queue_id(std::string_view queue_id) noexcept override;
    void on_cleanup_reply(const tern::CleanupReply& reply) noexcept override;
    void on_cleanup_failure(const std::string& why) noexcept override;
    void on_cleanup_drained() noexcept override;

private:
    [[nodiscard]] bool init_events();
    void on_readable(evutil_socket_t, short what) noexcept;
    void on_writable(evutil_socket_t, short what) noexcept;
    void on_delay_over(evutil_socket_t, short) noexcept;
    void process() noexcept;
    void queue_output();
    [[nodiscard]] bool write_pending() noexcept;  // false: the session ended
    void update_events() noexcept;
    void end() noexcept;  // destroys this

    tern::Fd fd_;
    tern::ServerContext& ctx_;
    Daemon& daemon_;
    std::string address_;
    bool limited_ = false;      // counted in daemon_.limits
    Protocol protocol_;
    tern::EventPtr read_event_;
    tern::EventPtr write_event_;
    tern::EventPtr delay_timer_;
    std::string input_;
    std::string output_;
    std::size_t output_sent_ = 0;
    std::string delayed_output_;  // replies held back by the error delay
    bool delaying_ = false;
    std::unique_ptr<tern::CleanupClient> cleanup_;
};

}  // namespace smtpd
