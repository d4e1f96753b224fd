// pickup/cleanup_client.h - hand one message to cleanup over public/cleanup (blocking, timed)
//
// SYNOPSIS
//     tern::Result<pickup::CleanupClient> c = pickup::CleanupClient::connect(queue_dir + "/public/cleanup", timeout_ms);
//     tern::Result<std::string> id = c->greeting();        // cleanup's queue ID
//     tern::Status s = c->send(envelope);  s = c->send(recipient) ...;
//     s = c->send_content(reader);                         // ContentReader of the file
//     tern::Result<pickup::CleanupReply> r = c->finish();  // request=end, then the verdict
//     pickup::CleanupClient from_fd(std::move(fd), timeout_ms);   // tests: a socketpair end
// DESCRIPTION
//     The source side of lib/mail/cleanup_protocol.h, one connection per
//     message: read the greeting (status=0 queue_id=ID), send the envelope,
//     recipients and content (in requests of at most kCleanupMaxChunkBytes)
//     and request=end, then read cleanup's verdict. CleanupReply::verdict
//     says what the status means: Queued (0), Deferred (4xx), Rejected
//     (5xx). A client dropped before finish() closes the socket, which
//     cleanup takes as an abort.
// LIMITS
//     Every read and write is bounded by timeout_ms (ipc_timeout), so a
//     stuck cleanup costs one timeout, never a wedged pickup. Replies are
//     read with small AttrLimits (a few short attributes).
// ERRORS
//     Temporary: connect, timeouts, a closed connection, a greeting with a
//     non-zero status (its reason is the text). Permanent: a reply that
//     breaks the protocol (bad status, missing attribute).
#pragma once

#include <optional>
#include <string>

#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/attr.h"
#include "lib/mail/queue_file.h"

namespace pickup {

enum class CleanupVerdict { Queued, Deferred, Rejected };

struct CleanupReply {
    CleanupVerdict verdict = CleanupVerdict::Deferred;
    int status = 0;
    std::string queue_id;
    std::string reason;  // an SMTP reply line, printable
    bool discarded = false;
};

// The limits for cleanup's replies: status, queue_id, reason, discarded.
inline constexpr tern::AttrLimits kCleanupReplyLimits{
    .max_attributes = 8, .max_name_bytes = 32, .max_value_bytes = 1024, .max_message_bytes = 8192};

// Status 0, 4xx or 5xx as a verdict; nullopt for anything else.
[[nodiscard]] std::optional<CleanupVerdict> verdict_of(long long status) noexcept;
// A verdict reply (after end) checked against the protocol.
[[nodiscard]] tern::Result<CleanupReply> parse_cleanup_reply(const tern::AttrList& reply);

class CleanupClient {
public:
    CleanupClient(tern::Fd fd, int timeout_ms) noexcept : fd_(std::move(fd)), timeout_ms_(timeout_ms) {}
    [[nodiscard]] static tern::Result<CleanupClient> connect(const std::string& path, int timeout_ms);

    [[nodiscard]] tern::Result<std::string> greeting();
    [[nodiscard]] tern::Status send(const tern::AttrList& request);
    [[nodiscard]] tern::Status send_content(tern::ContentReader& content);
    [[nodiscard]] tern::Result<CleanupReply> finish();

private:
    tern::Fd fd_;
    int timeout_ms_;
};

}  // namespace pickup
