// tools/postqueue/format.h - the mailq text layout and the postqueue -j JSON lines (pure)
//
// SYNOPSIS
//     postqueue::TextListing text;
//     std::string out;
//     text.add(message, out);              // for each tern::ListedMessage
//     text.finish(out);                    // "-- 0 Kbytes in 1 Request." / "Mail queue is empty"
//     std::string line = postqueue::json_line(message);   // one object and "\n"
// DESCRIPTION
//     The text is Postfix's showq_compat layout, byte for byte:
//         -Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
//         AFFE0A9A28*     133 Tue Nov 24 06:52:06  sender@example.com
//                                                    (reason, right-aligned to column 78)
//                                                  rcpt@example.com
//         <blank line>
//         -- 0 Kbytes in 1 Request.
//     The ID is followed by '*' in the active queue, '!' in hold, and
//     printed with its mark "%-11s"; the size "%8ld", the arrival time as the first 20
//     bytes of asctime(3) in local time, the null sender as
//     MAILER-DAEMON. A recipient's "(reason)" line is printed when the
//     reason differs from the one before it; in the deferred queue a
//     recipient without one gets "(reason unavailable)", as Postfix 3.7
//     prints it. The total is in Kbytes
//     rounded down, "Request" gets an "s" unless there is one.
//     Control characters in addresses and reasons print as '?'.
//     json_line prints Postfix's postqueue -j object: queue_name,
//     queue_id, arrival_time, message_size, forced_expire, sender,
//     recipients [{address, delay_reason only when there is one}];
//     strings are JSON-quoted (control characters as \uXXXX, bytes that
//     are not UTF-8 as \u00XX, so every line is valid JSON).
#pragma once

#include <string>

#include "lib/mail/queue_listing.h"

namespace postqueue {

class TextListing {
public:
    void add(const tern::ListedMessage& message, std::string& out);
    // The totals line, or "Mail queue is empty" when nothing was added.
    void finish(std::string& out) const;

private:
    long long messages_ = 0;
    long long total_bytes_ = 0;
};

[[nodiscard]] std::string json_line(const tern::ListedMessage& message);
// text as a JSON string literal, quotes included.
[[nodiscard]] std::string json_quote(std::string_view text);
// The 20 bytes of asctime(3) that mailq shows ("Tue Nov 24 06:00:00 ").
[[nodiscard]] std::string arrival_text(long long arrival_time);

}  // namespace postqueue
