// smtpd/restriction_list.h - parse smtpd_*_restrictions lists and restriction classes
//
// SYNOPSIS
//     smtpd::RestrictionParser parser(config);
//     tern::Status s = parser.load_classes();                   // smtpd_restriction_classes
//     tern::Result<smtpd::RestrictionList> l = parser.parse("smtpd_recipient_restrictions");
//     bool safe = smtpd::has_required(relay, recipient, parser.classes());
// DESCRIPTION
//     A list is split as main.cf lists are (commas, white space, "{...}"
//     kept whole). Each name is looked up case-insensitively; those that
//     take an argument consume the next word (check_client_access
//     type:table, reject_rbl_client domain, ...). Every table is opened
//     now, before chroot, and shared between lists that name it. A bare
//     "type:table" stands for the list's own check_*_access. A name
//     listed in smtpd_restriction_classes expands to that parameter's
//     list.
//     Restrictions Postfix has but tern cannot evaluate yet (DNS lookups:
//     reject_unknown_*, RBLs, *_mx_access/*_ns_access; TLS client
//     certificates; policy services; address verification) are kept as
//     Unsupported: load logs one warning per name, and evaluation skips
//     them, as if they found nothing.
//     has_required() is Postfix's guard against an open relay: the relay
//     or recipient restrictions must hold reject_unauth_destination,
//     defer_unauth_destination, reject, defer or defer_if_permit
//     (looking into classes; a "permit" ends the search). Postfix also
//     counts check_relay_domains, which tern does not evaluate.
// ERRORS
//     parse(): Permanent error naming the parameter for an unknown
//     restriction, a missing argument, or a table that cannot be opened.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "smtpd/access_map.h"

namespace smtpd {

enum class RestrictionKind {
    Permit, Reject, Defer, DeferIfPermit, DeferIfReject, WarnIfReject,
    PermitMynetworks, PermitInetInterfaces, PermitSaslAuthenticated,
    PermitAuthDestination, RejectUnauthDestination, DeferUnauthDestination,
    RejectUnlistedRecipient, RejectUnlistedSender,
    RejectNonFqdnSender, RejectNonFqdnRecipient, RejectNonFqdnHelo, RejectInvalidHelo,
    CheckClientAccess, CheckHeloAccess, CheckSenderAccess, CheckRecipientAccess,
    BareTable,    // "type:table" alone: the list's default check_*_access
    Class,        // a smtpd_restriction_classes name
    Unsupported,  // needs what tern does not have yet; skipped
};

struct Restriction {
    RestrictionKind kind = RestrictionKind::Permit;
    std::string name;                 // as written, lower case
    std::shared_ptr<AccessMap> map;   // check_*_access and BareTable
    std::size_t class_index = 0;      // Class
};

using RestrictionList = std::vector<Restriction>;

class RestrictionParser {
public:
    explicit RestrictionParser(const tern::Config& config);

    // Parses every class named in smtpd_restriction_classes.
    [[nodiscard]] tern::Status load_classes();
    [[nodiscard]] tern::Result<RestrictionList> parse(std::string_view param);
    [[nodiscard]] tern::Result<RestrictionList> parse_words(std::string_view param,
                                                            const std::vector<std::string>& words);
    [[nodiscard]] std::vector<RestrictionList>& classes() noexcept { return classes_; }
    [[nodiscard]] const std::vector<std::string>& class_names() const noexcept { return class_names_; }

private:
    [[nodiscard]] tern::Result<std::shared_ptr<AccessMap>> open_map(std::string_view param, std::string_view spec);

    const tern::Config& config_;
    bool parent_style_ = true;
    std::vector<std::string> class_names_;
    std::vector<RestrictionList> classes_;
    std::map<std::string, std::shared_ptr<AccessMap>> maps_;
    std::set<std::string> warned_;
};

// An access table's right-hand side used as a restriction list ("permit",
// "reject_unauth_destination, reject"...): no tables (Postfix opens tables
// before chroot only), so check_*_access and "type:table" are errors.
[[nodiscard]] tern::Result<RestrictionList> parse_action_list(std::string_view value,
                                                              const std::vector<std::string>& class_names);

[[nodiscard]] bool has_required(const RestrictionList& relay, const RestrictionList& recipient,
                                const std::vector<RestrictionList>& classes);

// The restriction names a main.cf list may use, for messages and tests.
[[nodiscard]] bool is_known_restriction(std::string_view name);

}  // namespace smtpd
