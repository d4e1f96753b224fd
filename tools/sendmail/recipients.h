// tools/sendmail/recipients.h - addresses from header values and -t recipient extraction
//
// SYNOPSIS
//     std::vector<std::string> a = sendmail::parse_address_list("Joe <j@x>, (c) k@y, grp: l@z;");
//     sendmail::HeaderRecipients h = sendmail::extract_recipients(content);  // CRLF content
//     // h.recipients: from To/Cc/Bcc (or Resent-To/-Cc/-Bcc when present)
//     // h.content: the content without its Bcc and Resent-Bcc headers
// DESCRIPTION
//     parse_address_list reads an RFC 5322 address-list the way Postfix's
//     tok822 does for sendmail: comments (nested, with quoted pairs) and
//     display names are dropped, groups ("name: a, b;") give their
//     members, an angle address wins over the text around it, a source
//     route (<@a,@b:u@d>) is dropped, quoted strings and domain literals
//     are kept whole. Each address is returned in internal form
//     (unquote_address, lib/mail/address.h). Empty addresses ("<>",
//     "undisclosed-recipients:;") give nothing. Line folding (CRLF and
//     white space) is white space like any other.
//
//     extract_recipients reads the header section of content stored as
//     CRLF lines: it ends at the first empty line or the first line that
//     is neither a header ("name:") nor a continuation (starts with SP or
//     HT). Like Postfix, when any Resent-To, Resent-Cc or Resent-Bcc
//     header is present only the Resent- headers give recipients. Bcc and
//     Resent-Bcc headers, with their continuation lines, are removed; all
//     other bytes stay exactly as they were.
// LIMITS
//     Linear in the input; the caller bounds the content size.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sendmail {

[[nodiscard]] std::vector<std::string> parse_address_list(std::string_view text);

struct HeaderRecipients {
    std::vector<std::string> recipients;
    std::string content;
};

[[nodiscard]] HeaderRecipients extract_recipients(std::string_view content);

}  // namespace sendmail
