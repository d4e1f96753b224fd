// lib/mail/delivery_protocol.h - qmgr asks a delivery agent to deliver recipients of one queue file
//
// SYNOPSIS
//     tern::DeliveryRequest request{.queue_id = id, .transport = "smtp", .nexthop = "example.com", ...};
//     tern::AttrList wire = tern::encode_delivery_request(request);
//     tern::Result<tern::DeliveryRequest> back = tern::decode_delivery_request(wire);
//     tern::DeliveryReply reply{.outcomes = {...}};
//     tern::AttrList answer = tern::encode_delivery_reply(reply);
//     tern::Result<tern::DeliveryReply> r = tern::decode_delivery_reply(answer, request.recipients.size());
// DESCRIPTION
//     Every delivery agent (local, virtual, smtp, lmtp, error, discard, and
//     any master.cf service running one of them, such as relay or retry)
//     listens on the UNIX socket private/<service>. One connection carries
//     one request, in lib/mail/attr.h messages:
//
//     1. qmgr -> agent, exactly once:
//          request=deliver  queue_name=active  queue_id=ID
//          transport=SERVICE  nexthop=TEXT  sender=ADDR ("" = null sender)
//          [envid=TEXT]  [ret=FULL|HDRS]  arrival=SECONDS.MICROS
//          active_since=SECONDS.MICROS  (when qmgr moved the file to active/)
//          flags=N  (kDeliveryFlag*)
//          recipient_count=N  (1..kMaxDeliveryRecipients)
//          for i in 0..N-1:
//            rcpt_<i>_address=ADDR   rcpt_<i>_offset=N (its status record
//            in the queue file)   [rcpt_<i>_orcpt=TYPE;ADDR]  [rcpt_<i>_notify=1..15]
//        nexthop is what the resolver chose (lib/mail/resolver.h):
//        "[host]:port", "host", "host:port", "inet:host:port",
//        "unix:/path" or "unix:private/name" (LMTP), the domain for
//        local and virtual, the reason text for error.
//     2. agent -> qmgr, exactly once, after every recipient is settled:
//          status=0  for i in 0..N-1: rcpt_<i>_status=sent|deferred|bounced
//                    rcpt_<i>_dsn=X.Y.Z  rcpt_<i>_reason=TEXT
//                    [destination_dead=1]
//          status=4  reason=TEXT   (the request was not processed at all:
//                                   qmgr defers every recipient with reason)
//        Before it answers, the agent has logged each recipient's
//        "to=<...>, relay=..., status=..." line, appended a record to the
//        defer log (deferred) or bounce log (bounced, and sent with
//        NOTIFY=SUCCESS) of lib/mail/delivery_log.h, and marked sent and
//        bounced recipients done in the queue file: qmgr only updates its
//        memory. destination_dead=1 says the destination failed as a whole
//        (no server reachable, greeting refused): qmgr stops sending to it
//        for a while (back-off of a failing destination).
//     A connection that closes without an answer leaves every recipient
//     of the request deferred: qmgr writes "unknown mail transport error"
//     to the defer log itself.
// LIMITS
//     At most kMaxDeliveryRecipients recipients per request; decoders use
//     kDeliveryAttrLimits. Addresses and texts must be valid envelope text
//     (no NUL, CR, LF); a reason is cut to kMaxDeliveryReasonBytes.
// ERRORS
//     decode_*: a Permanent Error naming the attribute that is missing,
//     malformed, out of range or unknown.
#pragma once

#include <sys/time.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/attr.h"
#include "lib/mail/dsn.h"

namespace tern {

inline constexpr std::string_view kDeliveryServiceDir = "private";  // private/<service>
inline constexpr std::size_t kMaxDeliveryRecipients = 200;
inline constexpr std::size_t kMaxDeliveryReasonBytes = 2000;
inline constexpr AttrLimits kDeliveryAttrLimits{
    .max_attributes = 16 + 5 * kMaxDeliveryRecipients,
    .max_name_bytes = 40,
    .max_value_bytes = 16 * 1024,
    .max_message_bytes = 2 * 1024 * 1024,
};

// flags
inline constexpr unsigned kDeliveryFlagNone = 0;
inline constexpr unsigned kDeliveryFlagExpand = 1u << 0;  // local: alias/forward expansion allowed (always, for now)

struct DeliveryRecipient {
    std::string address;
    std::string orcpt;          // DSN ORCPT; empty when none was given
    unsigned notify = 0;        // kDsnNotify* bits; 0 = none given (FAILURE|DELAY semantics)
    std::uint64_t offset = 0;   // status record offset in the queue file
    bool operator==(const DeliveryRecipient&) const = default;
};

struct DeliveryRequest {
    std::string queue_name = "active";
    std::string queue_id;
    std::string transport;  // master.cf service name the request goes to
    std::string nexthop;
    std::string sender;     // empty: the null sender
    std::string envid;
    DsnRet ret = DsnRet::None;
    timeval arrival{};
    timeval active_since{};
    unsigned flags = kDeliveryFlagNone;
    std::vector<DeliveryRecipient> recipients;
};

enum class DeliveryStatus { Sent, Deferred, Bounced };

[[nodiscard]] std::string_view to_string(DeliveryStatus status) noexcept;  // "sent", "deferred", "bounced"

// What became of one recipient. reason is the text the log line puts in
// parentheses and the DSN's human part uses: "delivered to maildir",
// "250 2.0.0 Ok: queued as X", "host mx.example.com[192.0.2.7] said: 550
// 5.1.1 <b@example.com>: unknown user (in reply to RCPT TO command)".
struct RecipientOutcome {
    DeliveryStatus status = DeliveryStatus::Deferred;
    std::string dsn;          // "2.0.0", "4.4.1", "5.1.1"
    std::string reason;
    bool operator==(const RecipientOutcome&) const = default;
};

struct DeliveryReply {
    bool processed = true;    // false: status=4, every recipient deferred with `reason`
    std::string reason;       // only when !processed
    std::vector<RecipientOutcome> outcomes;  // one per request recipient, same order
    bool destination_dead = false;
    bool operator==(const DeliveryReply&) const = default;
};

[[nodiscard]] AttrList encode_delivery_request(const DeliveryRequest& request);
[[nodiscard]] Result<DeliveryRequest> decode_delivery_request(const AttrList& message);
[[nodiscard]] AttrList encode_delivery_reply(const DeliveryReply& reply);
// recipient_count: how many the request had; the reply must match it.
[[nodiscard]] Result<DeliveryReply> decode_delivery_reply(const AttrList& message, std::size_t recipient_count);

}  // namespace tern
