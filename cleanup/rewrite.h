// cleanup/rewrite.h - envelope address rewriting: myorigin, canonical maps, virtual aliases
//
// SYNOPSIS
//     cleanup::Rewriter rw(cleanup::settings());
//     std::string a = rw.complete("root");                   // "root@$myorigin"
//     tern::Result<std::string> s = rw.rewrite_sender("root");
//     tern::Result<std::string> r = rw.rewrite_recipient("info@example.com");
//     tern::Result<std::vector<std::string>> v = rw.expand_virtual(*r);
//     cleanup::RecipientSet seen;  bool fresh = seen.insert(address, orcpt, notify);
// DESCRIPTION
//     complete(): an envelope address without '@' gets "@$myorigin"
//     (Postfix's append_at_myorigin, done by trivial-rewrite in the "local"
//     context that Postfix uses for every envelope address); the null
//     address stays empty.
//     rewrite_sender(): complete, then sender_canonical_maps, then
//     canonical_maps; rewrite_recipient(): complete, then
//     recipient_canonical_maps, then canonical_maps (Postfix's order).
//     A canonical lookup tries "user@domain", then "user" when the domain
//     is $myorigin or in $mydestination, then "@domain"; regexp tables see
//     only the full address (as Postfix's pattern tables). The first
//     table with an answer wins; an answer without '@' is completed.
//     expand_virtual(): virtual_alias_maps, one address to many: each
//     result (a list split on commas and white space) is looked up again;
//     an address that maps to itself, or that was already expanded on
//     this message (a loop), is kept as a final recipient, as Postfix does.
//     Results are de-duplicated in order.
//     RecipientSet: Postfix's duplicate filter: the same address with the
//     same ORCPT and NOTIFY is written once.
// ERRORS
//     A table that cannot be read is a Temporary error. Nesting deeper
//     than virtual_alias_recursion_limit or more than
//     virtual_alias_expansion_limit results is a Temporary error (Postfix
//     defers such mail: "unreasonable virtual_alias_maps map nesting").
// LIMITS
//     Work per address is bounded by the two virtual alias limits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "cleanup/settings.h"
#include "lib/base/result.h"

namespace cleanup {

class Rewriter {
public:
    explicit Rewriter(const Settings& settings) noexcept : settings_(settings) {}

    [[nodiscard]] std::string complete(std::string_view address) const;
    [[nodiscard]] tern::Result<std::string> rewrite_sender(std::string_view sender) const;
    [[nodiscard]] tern::Result<std::string> rewrite_recipient(std::string_view recipient) const;
    [[nodiscard]] tern::Result<std::vector<std::string>> expand_virtual(std::string_view recipient) const;
    // True for $myorigin and the domains of $mydestination (case-insensitive).
    [[nodiscard]] bool is_local_domain(std::string_view domain) const;

private:
    [[nodiscard]] tern::Result<std::optional<std::string>> lookup(const std::vector<tern::TablePtr>& maps,
                                                                  std::string_view address) const;
    [[nodiscard]] tern::Result<std::string> map_one(const std::vector<tern::TablePtr>& maps,
                                                    std::string address) const;

    const Settings& settings_;
};

class RecipientSet {
public:
    // False when this (address, orcpt, notify) was inserted before.
    bool insert(std::string_view address, std::string_view orcpt, unsigned notify);
    [[nodiscard]] std::size_t size() const noexcept { return seen_.size(); }

private:
    std::unordered_set<std::string> seen_;
};

}  // namespace cleanup
