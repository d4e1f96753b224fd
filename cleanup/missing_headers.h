// cleanup/missing_headers.h - note which headers a message has and make the missing ones
//
// SYNOPSIS
//     cleanup::SeenHeaders seen;
//     seen.note(header);                          // each logical header, in order
//     std::string added = cleanup::missing_headers(seen, {.queue_id = id, .myhostname = "mx",
//                                                  .sender = "u@example.com", .full_name = "U", .when = t});
//     std::string_view name = cleanup::header_name("Subject: x\r\n");   // "Subject"
// DESCRIPTION
//     Postfix's cleanup_header_done_callback: when a message lacks them,
//     add (in this order) Message-Id, Date and From; when the message has
//     any Resent- header, the Resent- variants instead (RFC 5322 section
//     3.6.6). The shapes are Postfix's:
//       Message-Id: <YYYYMMDDhhmmss.ID@MYHOSTNAME>   (UTC time)
//       Date: Tue, 24 Nov 2026 05:55:25 +0000 (UTC)
//       From: Full Name <sender>   or   From: sender   (hfrom_format=standard, Postfix 3.3+)
//       From: MAILER-DAEMON        (null sender)
//     A full name that is not a plain phrase is written as a quoted string.
//     The caller decides whether headers may be added at all
//     (kCleanupFlagAddHeaders). SeenHeaders also keeps the first
//     Message-ID value for the "ID: message-id=<...>" log line.
// LIMITS
//     The kept Message-ID value is cut at 998 bytes (RFC 5322 line limit).
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace cleanup {

// The header's name: bytes before ':' with trailing white space removed.
[[nodiscard]] std::string_view header_name(std::string_view header) noexcept;
// The value after ':', unfolded (line ends removed) and trimmed.
[[nodiscard]] std::string header_value(std::string_view header);

struct SeenHeaders {
    bool from = false, date = false, message_id = false;
    bool resent = false;  // any Resent-* header
    bool resent_from = false, resent_date = false, resent_message_id = false;
    int received = 0;
    std::string message_id_value;  // the first Message-ID's value

    void note(std::string_view header);
};

struct MissingInfo {
    std::string_view queue_id{};
    std::string_view myhostname{};
    std::string_view sender{};     // after rewriting; empty: null sender
    std::string_view full_name{};  // local submissions; empty: none
    std::time_t when = 0;
};

// The headers to add, each ending in CRLF; empty when none is missing.
[[nodiscard]] std::string missing_headers(const SeenHeaders& seen, const MissingInfo& info);
// "<YYYYMMDDhhmmss.ID@MYHOSTNAME>"
[[nodiscard]] std::string make_message_id(std::string_view queue_id, std::string_view myhostname, std::time_t when);

}  // namespace cleanup
