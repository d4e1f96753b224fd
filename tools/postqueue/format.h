// tools/postqueue/format.h - the mailq text layout and the postqueue -j JSON lines (pure)
//
// SYNOPSIS
//     postqueue::TextListing text(postqueue::IdLayout::Long);
//     std::string out;
//     text.add(message, out);              // for each tern::ListedMessage
//     text.finish(out);                    // "-- 0 Kbytes in 1 Request." / "Mail queue is empty"
//     std::string line = postqueue::json_line(message);   // one object and "\n"
// DESCRIPTION
//     The text is Postfix 3.7's mailq layout, byte for byte (measured with
//     its postqueue -p). Postfix has two: IdLayout::Short for its default
//     short queue IDs, and IdLayout::Long, which it prints with
//     enable_long_queue_ids = yes and which postqueue uses, since tern's
//     queue IDs are always long ones:
//         ----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------
//         4jYYyM2CSKz1cmy8*      105 Tue Nov 24 07:16:27 s@example.com
//                                                                        (short)
//                                                        r@example.com
//         <blank line>
//         -- 0 Kbytes in 1 Request.
//     ("%-17s %8ld %19.19s %s" for the first line of a message, recipients
//     indented 47), and the short one:
//         -Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
//         AFFE0A9A28*     133 Tue Nov 24 06:52:06  sender@example.com
//                                                  rcpt@example.com
//     ("%-11s%8ld %20.20s %s", recipients indented 41). The ID is
//     followed by '*' in the active queue and '!' in hold; the arrival
//     time is asctime(3) in local time; the null sender is MAILER-DAEMON.
//     A "(reason)" line, right-aligned to column 78 when it fits, comes
//     before a recipient whose reason differs from the one before; in
//     the deferred queue a recipient without one gets "(reason
//     unavailable)". The total is in Kbytes rounded down; "Request"
//     gets an "s" unless there is one. Control characters in addresses
//     and reasons print as '?'.
//     json_line prints Postfix's postqueue -j object: queue_name,
//     queue_id, arrival_time, message_size, forced_expire, sender,
//     recipients [{address, delay_reason only when there is one}];
//     strings are JSON-quoted (control characters as \uXXXX, bytes that
//     are not UTF-8 as \u00XX, so every line is valid JSON).
#pragma once

#include <string>

#include "lib/mail/queue_listing.h"

namespace postqueue {

enum class IdLayout { Short, Long };

class TextListing {
public:
    explicit TextListing(IdLayout layout) : layout_(layout) {}
    void add(const tern::ListedMessage& message, std::string& out);
    // The totals line, or "Mail queue is empty" when nothing was added.
    void finish(std::string& out) const;

private:
    IdLayout layout_;
    long long messages_ = 0;
    long long total_bytes_ = 0;
};

[[nodiscard]] std::string json_line(const tern::ListedMessage& message);
// text as a JSON string literal, quotes included.
[[nodiscard]] std::string json_quote(std::string_view text);
// The 20 bytes of asctime(3) that mailq shows ("Tue Nov 24 06:00:00 ").
[[nodiscard]] std::string arrival_text(long long arrival_time);

}  // namespace postqueue
