// virtual/headers.h - Delivered-To: loop detection and the header lines virtual(8) puts in front
//
// SYNOPSIS
//     tern::Result<virt::DeliveredSet> seen = virt::read_delivered_to(reader);
//     if (seen->contains("b@example.com")) bounce 5.4.6 "mail forwarding loop for b@example.com";
//     std::string prefix = virt::delivery_prefix("a@example.com", "b@example.com", "b@example.com");
// DESCRIPTION
//     read_delivered_to reads the stored content up to the end of the
//     header block (the first empty line) and returns the values of every
//     Delivered-To: header, folded lines joined, trimmed and lower-cased.
//     delivery_prefix gives the lines Postfix's virtual writes on top
//     (mail_copy's order): "Return-Path: <SENDER>" (<> for the null
//     sender), "X-Original-To: ORIGINAL" when there is one, and
//     "Delivered-To: RECIPIENT", each LF-ended.
// LIMITS
//     At most kMaxHeaderScanBytes of content are read; headers past that
//     are not seen. At most kMaxDeliveredHeaders values are kept.
// ERRORS
//     The content reader's error (a damaged queue file).
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/queue_file.h"

namespace virt {

inline constexpr std::size_t kMaxHeaderScanBytes = 1024 * 1024;
inline constexpr std::size_t kMaxDeliveredHeaders = 1000;

using DeliveredSet = std::set<std::string, std::less<>>;

[[nodiscard]] DeliveredSet collect_delivered_to(std::string_view headers);
[[nodiscard]] tern::Result<DeliveredSet> read_delivered_to(tern::ContentReader& reader);
[[nodiscard]] std::string delivery_prefix(std::string_view sender, std::string_view original_recipient,
                                          std::string_view recipient);

}  // namespace virt
