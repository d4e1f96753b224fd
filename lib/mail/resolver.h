// lib/mail/resolver.h - which transport and next hop deliver a recipient (Postfix's trivial-rewrite resolve)
//
// SYNOPSIS
//     tern::Result<tern::Resolver> r = tern::Resolver::load(config);   // before chroot: opens tables
//     tern::Result<tern::Resolution> to = r->resolve("b+tag@example.com");
//     if (!to) { to.error().temporary() ? defer : bounce; }
//     to->transport;  // "smtp"      to->nexthop;  // "example.com" or "[relay.example]:587"
// DESCRIPTION
//     Decides as Postfix's trivial-rewrite does (ADDRESS_CLASS_README,
//     transport(5)), one address at a time, in process:
//       - the address class comes from lib/mail/domain_class.h; an
//         address without a domain is local;
//       - Local          -> local_transport     (default "local:$myhostname")
//         VirtualAlias   -> error:5.1.1 "User unknown in virtual alias table"
//                           (cleanup rewrites what the table knows)
//         VirtualMailbox -> virtual_transport   (default "virtual")
//         Relay          -> relay_transport     (default "relay")
//         Other          -> default_transport   (default "smtp")
//         a "transport:nexthop" value is split at the first ':'; an empty
//         nexthop is myhostname for Local (as Postfix, so one queue
//         serves all local domains), relayhost for Relay and Other when
//         relayhost is set, else the recipient's domain (lower case);
//       - transport_maps override that (except for VirtualAlias, as
//         Postfix), looked up in Postfix's order:
//         the full address, the address without its extension
//         (recipient_delimiter), the domain, then its parent domains as
//         ".parent" (or "parent" with parent_domain_matches_subdomains
//         naming transport_maps; not Postfix's default), then "*";
//         regexp/pcre/cidr tables see only the full address and "*".
//         As transport(5): ":" keeps transport and nexthop, ":nexthop"
//         keeps the transport, "transport:" resets the nexthop to the
//         recipient domain ("Address is undeliverable" for error/retry);
//         a result "error:TEXT" or "discard:TEXT" keeps TEXT as nexthop.
//     The same Resolver answers smtpd's recipient checks and qmgr's
//     scheduling, so both always agree.
//     extension_of() and without_extension() split "user+ext@domain" at
//     the first recipient_delimiter character (Postfix 2.11+: any of its
//     characters), never for the owner- and -request special names.
// ERRORS
//     load(): Permanent error naming the parameter (bad table, bad value).
//     resolve(): Temporary when a table cannot be read; Permanent for an
//     address it cannot parse.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/domain_class.h"

namespace tern {

struct Resolution {
    std::string transport;   // master.cf service name: "local", "virtual", "smtp", "relay", "lmtp", "error", ...
    std::string nexthop;     // "example.com", "[192.0.2.1]:25", "unix:private/dovecot-lmtp", error text ...
    DomainClass address_class = DomainClass::Other;
    bool operator==(const Resolution&) const = default;
};

class Resolver {
public:
    [[nodiscard]] static Result<Resolver> load(const Config& config);
    [[nodiscard]] Result<Resolution> resolve(std::string_view address) const;

    // The address classes it resolves with (smtpd's relay check uses them too).
    [[nodiscard]] const DomainClassifier& domains() const noexcept;
    // recipient_delimiter characters ("" when none).
    [[nodiscard]] const std::string& delimiters() const noexcept { return delimiters_; }

private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;
    std::string delimiters_;
};

// "user+ext@domain" -> "ext" (delimiters "+"); "" when there is none.
[[nodiscard]] std::string extension_of(std::string_view address, std::string_view delimiters);
// "user+ext@domain" -> "user@domain"; the address itself when there is no extension.
[[nodiscard]] std::string without_extension(std::string_view address, std::string_view delimiters);

}  // namespace tern
