// smtpd/restriction_reply.h - reply codes and texts of smtpd's restrictions, worded as Postfix
//
// SYNOPSIS
//     tern::Result<smtpd::ReplyCodes> codes = smtpd::load_reply_codes(config);
//     std::string r = smtpd::format_reply(554, "5.7.1", "<a@b>: Relay access denied", false);
//     smtpd::DsnText d = smtpd::split_dsn("5.7.1", "5.7.0 no spam here");  // {"5.7.0", "no spam here"}
//     std::string dsn = smtpd::fix_dsn("5.1.1", smtpd::ReplyClass::Sender);   // "5.1.0"
// DESCRIPTION
//     format_reply() does what Postfix's smtpd_check_reject() does with a
//     reply: a code outside 400..599 or a malformed enhanced status code
//     is logged as a configuration error and replaced with "450 4.7.1
//     Service unavailable"; soft_bounce turns 5xx into 4xx; the enhanced
//     code's class is made to agree with the reply code; the text is made
//     printable (other bytes become spaces) and the line cut at 510 bytes.
//     ReplyClass names what was rejected ("Client host", "Helo command",
//     "Sender address", "Recipient address", "Data command",
//     "End-of-data"), as in "<name>: Sender address rejected: text".
//     fix_dsn() maps address status codes X.1.Y to what suits the class,
//     as Postfix's smtpd_dsn_fix() does.
// ERRORS
//     load_reply_codes: Permanent error naming the parameter when a code
//     is not a number.
// LIMITS
//     A reply is at most kMaxReplyBytes bytes.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/config.h"

namespace smtpd {

inline constexpr std::size_t kMaxReplyBytes = 510;

enum class ReplyClass { Client, Helo, Sender, Recipient, Data, EndOfData };

[[nodiscard]] std::string_view reply_class_text(ReplyClass reply_class) noexcept;

// The main.cf reply codes the restrictions use (Postfix names and defaults).
struct ReplyCodes {
    int reject = 554;                   // reject_code
    int defer = 450;                    // defer_code
    int access_reject = 554;            // access_map_reject_code
    int access_defer = 450;             // access_map_defer_code
    int relay = 554;                    // relay_domains_reject_code
    int non_fqdn = 504;                 // non_fqdn_reject_code
    int invalid_hostname = 501;         // invalid_hostname_reject_code
    int unknown_local = 550;            // unknown_local_recipient_reject_code
    int unknown_virtual_alias = 550;    // unknown_virtual_alias_reject_code
    int unknown_virtual_mailbox = 550;  // unknown_virtual_mailbox_reject_code
    int unknown_relay = 550;            // unknown_relay_recipient_reject_code
    bool soft_bounce = false;           // soft_bounce
    bool show_table = true;             // show_user_unknown_table_name
};

[[nodiscard]] tern::Result<ReplyCodes> load_reply_codes(const tern::Config& config);

// "X.Y.Z" with X in 2, 4, 5 and Y, Z of 1 to 3 digits.
[[nodiscard]] bool is_valid_dsn(std::string_view dsn) noexcept;

struct DsnText {
    std::string dsn;
    std::string_view text;
};
// Takes a leading enhanced status code off text (access map "REJECT 5.7.0 text"),
// or uses default_dsn.
[[nodiscard]] DsnText split_dsn(std::string_view default_dsn, std::string_view text);

[[nodiscard]] std::string fix_dsn(std::string_view dsn, ReplyClass reply_class);

[[nodiscard]] std::string format_reply(int code, std::string_view dsn, std::string_view text, bool soft_bounce);

}  // namespace smtpd
