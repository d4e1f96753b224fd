// smtpd/restrictions.h - smtpd's access policy: smtpd_*_restrictions as Postfix evaluates them
//
// SYNOPSIS
//     tern::Result<smtpd::Restrictions> r = smtpd::Restrictions::load(tern::config());  // before chroot
//     smtpd::Verdict v = r->check(smtpd::Stage::Recipient, ctx);
//     if (v.kind == smtpd::VerdictKind::Reject) send(v.reply); log "reject: RCPT from ...: " + v.reply ...
// DESCRIPTION
//     load() reads smtpd_client_restrictions, smtpd_helo_restrictions,
//     smtpd_sender_restrictions, smtpd_relay_restrictions,
//     smtpd_recipient_restrictions, smtpd_data_restrictions,
//     smtpd_end_of_data_restrictions, smtpd_delay_reject, mynetworks,
//     the domain lists (mydestination, relay_domains, virtual_alias_domains,
//     virtual_mailbox_domains), local_recipient_maps, and opens every
//     table the restrictions name (check_*_access type:name); a missing
//     table or an unknown restriction is a configuration error naming the
//     parameter.
//
//     check() evaluates what Postfix evaluates at that stage:
//       Stage::Client     smtpd_client_restrictions (connect; skipped when
//                         smtpd_delay_reject = yes, then done at RCPT)
//       Stage::Helo       smtpd_helo_restrictions (HELO/EHLO; delayed likewise)
//       Stage::Sender     smtpd_sender_restrictions (MAIL; delayed likewise)
//       Stage::Recipient  with delay: client, helo, sender restrictions first,
//                         then smtpd_relay_restrictions, then
//                         smtpd_recipient_restrictions (RCPT)
//       Stage::Data       smtpd_data_restrictions (DATA/first BDAT)
//       Stage::EndOfData  smtpd_end_of_data_restrictions
//     Each list stops at its first permit/reject/defer; "permit" ends the
//     list only (the next list still runs); a reject or defer ends all.
//     The verdict's reply is a full SMTP reply line without CRLF, as
//     Postfix words it, e.g.
//       "554 5.7.1 <a@b>: Relay access denied"
//       "550 5.1.1 <u@here>: Recipient address rejected: User unknown in local recipient table"
//       "554 5.7.1 <c[1.2.3.4]>: Client host rejected: Access denied"
//     and `log_detail` what the reject log line adds (e.g. "from=<s> to=<r> proto=ESMTP helo=<h>"
//     is added by smtpd; restrictions give only the reply).
//
//     The domain classes (mydestination, virtual and relay domains) come
//     from lib/mail/domain_class.h; reject_unlisted_recipient asks
//     lib/mail/resolver.h, the Resolver qmgr uses, for the class and the
//     transport, so both always agree: a recipient that resolves to the
//     error transport (a virtual alias domain address no table knows,
//     "error:5.x.x text" in transport_maps or a *_transport) is refused
//     with that text, 550 (unknown_virtual_alias_reject_code for virtual
//     alias domains). mynetworks from lib/mail/net_list.h.
//
//     load() refuses, as Postfix does, relay and recipient restrictions
//     that hold none of reject_unauth_destination, defer_unauth_destination,
//     reject, defer, defer_if_permit before a permit: an open relay is
//     never a default. Restrictions tern cannot evaluate yet (those that
//     need DNS: reject_unknown_*, RBLs, *_mx_access; TLS client
//     certificates; policy services; address verification) load with one
//     warning each and are skipped. The pieces: restriction_list (parse),
//     restriction_eval and restriction_checks (evaluate), access_map
//     (access(5) lookup order), restriction_maps (recipient tables),
//     restriction_reply (codes and texts), restriction_address (forms).
//     man/man5/access.5 is the long form.
// SECURITY
//     Every table is opened by load(), before chroot. Client, HELO and
//     address text reaches replies and logs only made printable and cut
//     to 510 bytes. Recipients with sender-specified routing
//     (user@host@our.domain, user%host@our.domain) never count as our
//     destination unless allow_untrusted_routing = yes.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/config.h"

namespace smtpd {

enum class Stage { Client, Helo, Sender, Recipient, Data, EndOfData };

enum class VerdictKind { Accept, Reject, Defer };

struct Verdict {
    VerdictKind kind = VerdictKind::Accept;
    std::string reply;  // set for Reject and Defer: "5xx x.y.z text" / "4xx x.y.z text"
};

// What smtpd knows about the session when it asks.
struct PolicyContext {
    std::string_view client_name;     // "unknown" when no reverse name
    std::string_view client_address;  // "192.0.2.1" or "2001:db8::1"
    std::string_view helo_name;       // empty before HELO/EHLO
    std::string_view sender;          // internal form, "" = null sender; valid from MAIL on
    bool sender_given = false;        // MAIL FROM has been accepted
    std::string_view recipient;       // internal form; for Stage::Recipient
    std::string_view protocol;        // "SMTP" or "ESMTP"
    bool sasl_authenticated = false;  // for permit_sasl_authenticated (AUTH comes later)
};

class Restrictions {
public:
    [[nodiscard]] static tern::Result<Restrictions> load(const tern::Config& config);

    [[nodiscard]] Verdict check(Stage stage, const PolicyContext& context) const;

    Restrictions(Restrictions&&) noexcept;
    Restrictions& operator=(Restrictions&&) noexcept;
    ~Restrictions();

private:
    struct State;
    explicit Restrictions(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace smtpd
