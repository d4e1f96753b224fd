// lib/mail/delivered_to.h - Delivered-To: loop detection and the lines a mailbox delivery puts in front
//
// SYNOPSIS
//     tern::Result<tern::DeliveredSet> seen = tern::read_delivered_to(reader);   // the queue file content
//     if (seen->contains("joe@example.com")) bounce 5.4.6 "mail forwarding loop for joe@example.com";
//     tern::DeliveredSet s = tern::collect_delivered_to("Delivered-To: b@x\r\n\r\n");
//     std::string p = tern::delivery_prefix("a@example.com", "Root@example.com", "Joe@example.com");
// DESCRIPTION
//     Postfix's local(8) and virtual(8) stop forwarding loops with the
//     Delivered-To: header: every delivery adds "Delivered-To: RECIPIENT"
//     on top of the message, and a message that already carries that
//     header for the recipient it is about to be delivered to is bounced
//     with 5.4.6 (Postfix's delivered_hdr).
//     collect_delivered_to reads a header block (up to the first empty
//     line; CRLF or LF lines; a line that starts with a blank continues
//     the one before and is joined with one space) and returns the values
//     of every Delivered-To: header, trimmed and lower-cased. As Postfix's
//     is_header, blanks between the name and the colon are allowed
//     ("Delivered-To : x").
//     read_delivered_to reads the stored content up to the end of the
//     header block and collects from it.
//     delivery_prefix builds the lines a mailbox, file or command
//     delivery puts in front, in Postfix's order (mail_copy): Return-Path
//     (<> for the null sender), X-Original-To when there is an original
//     recipient (enable_original_recipient), and Delivered-To, each
//     LF-ended. As mail_copy, the addresses are written as given (no case
//     change); only forwarding through cleanup lower-cases Delivered-To.
// LIMITS
//     read_delivered_to reads at most kMaxHeaderScanBytes of content;
//     headers past that are not seen (Postfix also stops at its record
//     limits). At most kMaxDeliveredHeaders values are kept (Postfix's
//     DELIVERED_HDR_LIMIT). Local parts are not quoted (quote_822_local).
// ERRORS
//     read_delivered_to returns the content reader's error (a damaged or
//     unreadable queue file).
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/queue_file.h"

namespace tern {

inline constexpr std::size_t kMaxHeaderScanBytes = 1024 * 1024;
inline constexpr std::size_t kMaxDeliveredHeaders = 1000;

using DeliveredSet = std::set<std::string, std::less<>>;

[[nodiscard]] DeliveredSet collect_delivered_to(std::string_view headers);
[[nodiscard]] Result<DeliveredSet> read_delivered_to(ContentReader& reader);
[[nodiscard]] std::string delivery_prefix(std::string_view sender, std::string_view original_recipient,
                                          std::string_view delivered_to);

}  // namespace tern
