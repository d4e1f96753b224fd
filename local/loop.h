// local/loop.h - Delivered-To: loop detection and the header lines each delivery adds
//
// SYNOPSIS
//     local::DeliveredSet seen = local::collect_delivered_to(headers);   // the message's header block
//     if (seen.contains("joe@example.com")) bounce 5.4.6 "mail forwarding loop for joe@example.com";
//     std::string p = local::delivery_prefix("a@example.com", "root@example.com", "joe@example.com");
//     tern::Result<std::string> h = local::read_header_block(reader);
// DESCRIPTION
//     Postfix's local(8) stops forwarding loops with the Delivered-To:
//     header: every delivery adds "Delivered-To: RECIPIENT" on top of the
//     message, and a message that already carries that header for the
//     recipient it is about to be delivered to is bounced with 5.4.6.
//     collect_delivered_to reads the header block (up to the first empty
//     line, CRLF or LF lines, folded lines joined) and returns the values
//     of every Delivered-To: header, trimmed and lower-cased.
//     delivery_prefix builds the lines a mailbox, file or command
//     delivery puts in front, in Postfix's order (mail_copy): Return-Path
//     (<> for the null sender), X-Original-To (enable_original_recipient),
//     Delivered-To, each LF-ended.
//     read_header_block reads the stored content up to the end of the
//     header block.
// LIMITS
//     read_header_block stops at kMaxHeaderScanBytes; headers past it are
//     not seen (Postfix also scans a bounded amount). At most
//     kMaxDeliveredHeaders values are kept.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/queue_file.h"

namespace local {

inline constexpr std::size_t kMaxHeaderScanBytes = 1024 * 1024;
inline constexpr std::size_t kMaxDeliveredHeaders = 1000;

using DeliveredSet = std::set<std::string, std::less<>>;

[[nodiscard]] DeliveredSet collect_delivered_to(std::string_view headers);
[[nodiscard]] std::string delivery_prefix(std::string_view sender, std::string_view original_recipient,
                                          std::string_view delivered_to);
[[nodiscard]] tern::Result<std::string> read_header_block(tern::ContentReader& reader);

}  // namespace local
