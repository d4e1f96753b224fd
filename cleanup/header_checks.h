// cleanup/header_checks.h - Postfix's header_checks: look a header up, parse the action, log it
//
// SYNOPSIS
//     tern::Result<cleanup::HeaderVerdict> v = cleanup::check_header(settings().header_checks, header);
//     cleanup::HeaderVerdict a = cleanup::parse_header_action("REJECT no spam please");
//     std::string reply = cleanup::reject_reply(a.text);    // "550 5.7.1 no spam please"
//     tern::log_info("%s", cleanup::header_log_line(id, "reject", header, who, "5.7.1 no").c_str());
// DESCRIPTION
//     The lookup key is the logical header without its final line end,
//     folded lines joined by "\n" (CRs dropped), as Postfix hands headers
//     to regexp tables. The first table with an answer decides. Actions
//     (header_checks(5)): REJECT [text], DISCARD [text], HOLD [text],
//     IGNORE (drop the header), WARN [text] (log only), REDIRECT address,
//     PREPEND header (a header line inserted before this one), REPLACE
//     header (this header replaced), DUNNO and OK (nothing). Others
//     (FILTER, BCC, ...) are logged as unsupported and ignored.
//     header_log_line gives Postfix's log text:
//       "ID: reject: header Subject: xxx from NAME[ADDR]; from=<s> to=<r>
//        proto=ESMTP helo=<h>: 5.7.1 text"
//     ("from local" without a client; helo=<...> only when known).
// LIMITS
//     The header in a log line is made printable and cut at 200 bytes.
// ERRORS
//     A table that cannot be read is a Temporary error (defer the mail).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/tables/table.h"

namespace cleanup {

enum class HeaderAction { None, Reject, Discard, Hold, Ignore, Warn, Redirect, Prepend, Replace, Unsupported };

struct HeaderVerdict {
    HeaderAction action = HeaderAction::None;
    std::string text;  // reason, address or header line; the action word when unsupported
};

// Who sent the message, for log lines.
struct LogContext {
    std::string client_name;
    std::string client_address;
    std::string sender;
    std::string recipient;  // the first one
    std::string protocol;
    std::string helo;
};

[[nodiscard]] HeaderVerdict parse_header_action(std::string_view value);
[[nodiscard]] std::string header_lookup_key(std::string_view header);
[[nodiscard]] tern::Result<HeaderVerdict> check_header(const std::vector<tern::TablePtr>& tables,
                                                       std::string_view header);
// "550 5.7.1 TEXT" (a leading "d.d.d " in text is kept as the status code).
[[nodiscard]] std::string reject_reply(std::string_view text);
[[nodiscard]] std::string header_log_line(std::string_view queue_id, std::string_view action,
                                          std::string_view header, const LogContext& who,
                                          std::string_view detail);

}  // namespace cleanup
