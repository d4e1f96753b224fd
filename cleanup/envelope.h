// cleanup/envelope.h - check the envelope and recipient requests of the cleanup protocol
//
// SYNOPSIS
//     tern::Result<cleanup::Envelope> e = cleanup::parse_envelope(request);
//     tern::Result<cleanup::RecipientRequest> r = cleanup::parse_recipient(request);
// DESCRIPTION
//     The attributes of lib/mail/cleanup_protocol.h, steps 2 and 3. Only
//     the names listed there are allowed; envelope strings must be valid
//     queue file envelope text (no NUL, CR, LF). The optional attributes
//     that describe the client (client_name, client_address, helo_name,
//     protocol, ...) are kept in order for the queue file's "A" records.
// ERRORS
//     Anything else is a Permanent error naming the attribute: the source
//     broke the protocol (cleanup logs it and closes).
// LIMITS
//     Attribute values are bounded by the decoder (kCleanupMaxChunkBytes);
//     envelope strings further by the queue file limit (16 KiB).
#pragma once

#include <sys/time.h>

#include <string>
#include <utility>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/attr.h"
#include "lib/mail/queue_record.h"

namespace cleanup {

struct Envelope {
    std::string sender;
    unsigned flags = 0;
    std::string envid;
    tern::DsnRet ret = tern::DsnRet::None;
    std::vector<std::pair<std::string, std::string>> attributes;  // for the queue file
    std::string client_name, client_address, helo_name, protocol, submit_uid, full_name;
    bool has_arrival = false;
    timeval arrival{};
    // A local submission (pickup): no client address, or protocol "local".
    [[nodiscard]] bool local() const noexcept { return client_address.empty() || protocol == "local"; }
};

struct RecipientRequest {
    std::string address{};
    std::string orcpt{};
    unsigned notify = 0;
};

[[nodiscard]] tern::Result<Envelope> parse_envelope(const tern::AttrList& request);
[[nodiscard]] tern::Result<RecipientRequest> parse_recipient(const tern::AttrList& request);
// "SECONDS.MICROS" (micros 1..6 digits) as a timeval.
[[nodiscard]] tern::Result<timeval> parse_arrival(std::string_view text);

}  // namespace cleanup
