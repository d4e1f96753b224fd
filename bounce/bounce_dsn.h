// bounce/bounce_dsn.h - compose an RFC 3464 delivery status notification: records + envelope + original -> bytes
//
// SYNOPSIS
//     bounce::DsnInput in{.kind = bounce::DsnKind::Failure, .myhostname = "mx.example",
//                         .queue_id = id, .new_queue_id = new_id, .to = "a@example.com",
//                         .sender = "a@example.com", .arrival_s = t, .now = time(nullptr),
//                         .records = failed, .original = content, .ret = tern::DsnRet::None,
//                         .original_size = size, .bounce_size_limit = 50000};
//     std::string message = bounce::compose_dsn(in);          // CRLF lines, ready for cleanup
//     bounce::Returned r = bounce::returned_part(in);          // what part 3 carries
//     std::string h = bounce::header_section(content);         // the original's headers
//     std::vector<std::string> lines = bounce::wrap_line(text, 79, 4);
// DESCRIPTION
//     The message Postfix's bounce(8) writes (bounce_notify_util.c and its
//     default templates), with "tern" where Postfix says Postfix:
//       Date, From: MAILER-DAEMON@myhostname (Mail Delivery System),
//       Subject (failure "Undelivered Mail Returned to Sender", delay
//       "Delayed Mail (still being retried)", success "Successful Mail
//       Delivery Report"; a postmaster copy "Postmaster Copy: Undelivered
//       Mail" / "Postmaster Warning: Delayed Mail"), To, References and
//       In-Reply-To (the original's Message-ID), Auto-Submitted
//       (auto-replied; auto-generated for a postmaster copy), MIME-Version,
//       Content-Type: multipart/report; report-type=delivery-status,
//       Content-Transfer-Encoding when the original has one, Message-Id.
//     Part 1, text/plain "Notification": the template text ("This is the
//     mail system at host ...", none for a postmaster copy) and one
//     "<rcpt>: reason" paragraph per record, wrapped at 79 columns with
//     4-space continuation as Postfix's line_wrap does.
//     Part 2, message/delivery-status "Delivery report": Reporting-MTA,
//     Original-Envelope-Id (envid given), X-Tern-Queue-ID, X-Tern-Sender
//     (sender not null), Arrival-Date; per record Final-Recipient,
//     Original-Recipient (ORCPT given; "rfc822;" added when it has no
//     type), Action (always "failed" in a failure report), Status,
//     Remote-MTA (known), Diagnostic-Code (the record's, else
//     "X-Tern; reason"), Will-Retry-Until (delay reports).
//     Part 3: the original after "Return-Path: <sender>", as
//     message/rfc822 ("Undelivered Message") or text/rfc822-headers
//     ("Undelivered Message Headers"): see returned_part().
//     Peer and log text is made printable; header values are wrapped so
//     no line exceeds 79 columns where a space allows a break.
//     The boundary is "QUEUE_ID.NOW/MYHOSTNAME" as in Postfix.
// LIMITS
//     The original's header section is cut at kMaxReturnedHeaderBytes;
//     the caller passes at most bounce_size_limit bytes of content for a
//     full return (returned_part says which).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "lib/mail/delivery_log.h"
#include "lib/mail/dsn.h"

namespace bounce {

inline constexpr std::size_t kMaxReturnedHeaderBytes = 1024 * 1024;
inline constexpr std::size_t kWrapColumns = 79;
inline constexpr std::size_t kWrapIndent = 4;

enum class DsnKind { Failure, Delay, Success };
enum class Returned { Message, Headers };

struct DsnInput {
    DsnKind kind = DsnKind::Failure;
    bool postmaster_copy = false;          // to 2bounce_notice_recipient: no template text
    std::string_view myhostname{};
    std::string_view mail_name = "tern";
    std::string_view queue_id{};           // the original's
    std::string_view new_queue_id{};       // the notice's, for its Message-Id
    std::string_view to{};                 // the notice's recipient (internal form)
    std::string_view sender{};             // the original's sender, "" for null
    std::string_view envid{};              // the original's ENVID, "" for none
    std::int64_t arrival_s = 0;            // the original's arrival
    std::time_t now = 0;
    std::vector<tern::DeliveryRecord> records{};  // the recipients to report, already filtered
    std::string_view original{};           // the original content (CRLF lines), or its first part
    tern::DsnRet ret = tern::DsnRet::None;
    bool headers_only = false;             // return the headers whatever RET says (postmaster copies)
    std::uint64_t original_size = 0;       // the whole content's size
    std::uint64_t bounce_size_limit = 50000;  // 0: no limit
    bool eight_bit = false;                // the original is 8-bit: CTE 8bit
    std::int64_t delay_warning_hours = 0;  // delay reports: the template's numbers
    std::int64_t max_queue_lifetime_s = 0; // delay reports: Will-Retry-Until and text
};

// What part 3 carries: the headers for headers_only, RET=HDRS, a delay or success
// report without RET=FULL, or an original over bounce_size_limit (so the
// MIME structure is never cut); the whole message otherwise.
[[nodiscard]] Returned returned_part(const DsnInput& in) noexcept;

[[nodiscard]] std::string compose_dsn(const DsnInput& in);

// The header section of a message: lines up to the first empty line or
// the first line that is neither a header nor a continuation, with their
// CRLF, at most max_bytes (cut at a line end when possible).
[[nodiscard]] std::string_view header_section(std::string_view content,
                                              std::size_t max_bytes = kMaxReturnedHeaderBytes) noexcept;

// The value of the original's Message-ID header when it is a single
// "<...>" of printable ASCII; "" otherwise.
[[nodiscard]] std::string original_message_id(std::string_view headers);

// Postfix's line_wrap: lines of at most `columns` (breaking at blanks;
// a longer word stays whole), continuation lines indented by `indent`.
[[nodiscard]] std::vector<std::string> wrap_line(std::string_view text, std::size_t columns, std::size_t indent);

}  // namespace bounce
