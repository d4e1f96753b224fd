// lib/mail/domain_class.h - which of our address classes a domain belongs to
//
// SYNOPSIS
//     tern::Result<tern::DomainClassifier> dc = tern::DomainClassifier::load(config);  // before chroot
//     tern::Result<tern::DomainClass> c = dc->classify("example.com");   // Temporary: table trouble
//     if (*c == tern::DomainClass::Other) ...  // not ours: relaying
//     tern::Result<tern::DomainList> l = tern::DomainList::parse({"example.com"}, "relay_domains", true);
//     tern::Result<bool> hit = l->matches("sub.example.com");
// DESCRIPTION
//     Postfix's address classes (ADDRESS_CLASS_README), decided as
//     trivial-rewrite does, in this order:
//       Local           mydestination, or an address literal [a.b.c.d] of
//                       inet_interfaces or proxy_interfaces
//       VirtualAlias    virtual_alias_domains
//       VirtualMailbox  virtual_mailbox_domains
//       Relay           relay_domains
//       Other           anything else (default_transport)
//     A DomainList is a Postfix domain match list: entries are tried in
//     order and the first match decides; "!entry" makes a match fail the
//     list; "type:table" looks the domain up (found = match); "/file/name"
//     reads more entries; a name matches itself, ".example.com" matches
//     its subdomains, and with match_subdomains (the parameter is named
//     in parent_domain_matches_subdomains, as relay_domains is by default)
//     "example.com" matches its subdomains too, and table lookups try the
//     parent domains "sub.example.com" -> "example.com" -> "com"
//     (without it they try ".example.com", ".com"). Domains compare
//     without case and with one trailing dot removed.
//     Shared by smtpd (reject_unauth_destination) and qmgr's resolver, so
//     both always agree; knows nothing of either.
// ERRORS
//     load()/parse(): Permanent error naming the parameter for a table
//     that cannot be opened or a bad entry. classify()/matches(): a
//     Temporary error when a table cannot be read.
// LIMITS
//     A domain longer than kMaxDomainBytes never matches; /file/name
//     entries nest at most kMaxMatchListFileDepth deep.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/match_list.h"
#include "lib/mail/net_list.h"
#include "lib/mail/tables/table.h"

namespace tern {

enum class DomainClass { Local, VirtualAlias, VirtualMailbox, Relay, Other };

[[nodiscard]] std::string_view domain_class_name(DomainClass value) noexcept;

class DomainList {
public:
    [[nodiscard]] static Result<DomainList> parse(const std::vector<std::string>& entries, std::string_view param,
                                                  bool match_subdomains);
    [[nodiscard]] Result<bool> matches(std::string_view domain) const;
    [[nodiscard]] bool empty() const noexcept { return entries_.empty(); }

private:
    struct Entry {
        bool negated = false;
        std::string name;                    // lower case; empty for tables
        std::shared_ptr<LookupTable> table;  // set for type:table entries
    };
    Status add_plain(std::string_view entry, bool negated, std::string_view param);
    [[nodiscard]] Result<bool> entry_matches(const Entry& entry, std::string_view domain) const;
    std::vector<Entry> entries_;
    bool match_subdomains_ = false;
};

// True when NAME (e.g. "relay_domains", "smtpd_access_maps") is listed in
// parent_domain_matches_subdomains (Postfix's default when not set).
[[nodiscard]] bool parent_matches_subdomains(const Config& config, std::string_view name);

// The local interface addresses inet_interfaces and proxy_interfaces name.
[[nodiscard]] std::vector<IpNet> local_interface_addresses(const Config& config);

class DomainClassifier {
public:
    [[nodiscard]] static Result<DomainClassifier> load(const Config& config);
    [[nodiscard]] Result<DomainClass> classify(std::string_view domain) const;
    // mydestination or one of our address literals.
    [[nodiscard]] Result<bool> is_local(std::string_view domain) const;

private:
    DomainList mydestination_;
    DomainList virtual_alias_domains_;
    DomainList virtual_mailbox_domains_;
    DomainList relay_domains_;
    std::vector<IpNet> interface_addresses_;
};

}  // namespace tern
