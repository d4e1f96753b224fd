// smtpd/restriction_address.h - the address and host name forms smtpd's restrictions look at
//
// SYNOPSIS
//     smtpd::AddressForm form{.myorigin = "example.com", .percent_hack = true, .swap_bangpath = true};
//     smtpd::ResolvedAddress r = smtpd::resolve_address("User+ext@Sub.Example.COM.", form);
//     r.address  // "User+ext@Sub.Example.COM"     r.domain // "sub.example.com"
//     r.local    // "User+ext"                     r.routed // false
//     std::string bare = smtpd::strip_extension("u+e@d", "+");    // "u@d"
//     bool ok = smtpd::is_postfix_hostname("mx.example.com");
// DESCRIPTION
//     resolve_address() is the part of Postfix's trivial-rewrite that
//     the restrictions need: an address without a domain gets
//     @$myorigin, one trailing dot of the domain goes, and the domain is
//     folded to lower case for table lookups. `routed` says the local part
//     carries sender-specified routing (user@elsewhere@domain,
//     user%elsewhere@domain with allow_percent_hack, host!user@domain
//     with swap_bangpath), which Postfix never trusts for relaying
//     unless allow_untrusted_routing is set.
//     strip_extension() removes a recipient_delimiter extension from the
//     local part (the first delimiter character up to the '@'), with the
//     exceptions of Postfix's split_addr() (tern::without_extension: never
//     postmaster, MAILER-DAEMON, double-bounce, owner-x or x-request), so
//     smtpd and qmgr strip alike.
//     is_postfix_hostname() is Postfix's valid_hostname(): labels of
//     letters, digits, '-' and '_', no label starts or ends with '-', at
//     most 63 bytes a label and 255 in all, and not all numeric.
#pragma once

#include <string>
#include <string_view>

namespace smtpd {

struct AddressForm {
    std::string myorigin;
    bool percent_hack = true;   // allow_percent_hack
    bool swap_bangpath = true;  // swap_bangpath
};

struct ResolvedAddress {
    std::string address;  // local@domain, domain as sent (no trailing dot)
    std::string local;
    std::string domain;   // lower case
    bool routed = false;
};

[[nodiscard]] ResolvedAddress resolve_address(std::string_view address, const AddressForm& form);
[[nodiscard]] std::string strip_extension(std::string_view address, std::string_view delimiters);
[[nodiscard]] bool is_postfix_hostname(std::string_view name) noexcept;
// "1.2.3.4" or an IPv6 address (no brackets).
[[nodiscard]] bool is_host_address(std::string_view text);
// One trailing dot goes ("host." -> "host"), but not from "host..".
[[nodiscard]] std::string_view drop_trailing_dot(std::string_view name) noexcept;

}  // namespace smtpd
