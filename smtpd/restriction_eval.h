// smtpd/restriction_eval.h - evaluate loaded restriction lists for one SMTP command (internal)
//
// SYNOPSIS
//     smtpd::PolicyState state;  ... filled by Restrictions::load()
//     smtpd::Verdict v = smtpd::Evaluation(state, context).run(smtpd::Stage::Recipient);
// DESCRIPTION
//     Postfix's generic_checks() and the smtpd_check_*() drivers around
//     it. An Evaluation lives for one check() call and holds what Postfix
//     keeps in the session for that call: the defer_if_permit and
//     defer_if_reject deferrals (the first reason of each is kept),
//     warn_if_reject, the recursion depth of restriction classes and
//     access-table right-hand sides, and whether the recipient and sender
//     tables were already consulted.
//       - reject/defer end everything; permit ends its list only;
//       - a 5xx reject while defer_if_reject is raised becomes that 4xx;
//       - a permitted recipient while defer_if_permit is raised gets that 4xx;
//       - warn_if_reject makes the next restriction's reject a log line
//         ("reject_warning: ...") instead;
//       - after the relay and recipient lists, reject_unlisted_recipient
//         runs implicitly when smtpd_reject_unlisted_recipient = yes (and
//         the sender check likewise with smtpd_reject_unlisted_sender).
//     With smtpd_delay_reject = no a defer_if_permit raised by an earlier
//     stage (client, helo, sender) is not carried into RCPT, because
//     check() keeps no state between calls; Postfix carries it.
// LIMITS
//     Restriction classes and access-table right-hand sides nest at most
//     kMaxRestrictionDepth deep; deeper is "451 4.3.5 Server configuration error".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/mail/domain_class.h"
#include "lib/mail/net_list.h"
#include "lib/mail/resolver.h"
#include "smtpd/restriction_address.h"
#include "smtpd/restriction_list.h"
#include "smtpd/restriction_maps.h"
#include "smtpd/restriction_reply.h"
#include "smtpd/restrictions.h"

namespace smtpd {

inline constexpr int kMaxRestrictionDepth = 100;

// Everything load() prepares; read-only while sessions run.
struct PolicyState {
    ReplyCodes codes;
    tern::NetList mynetworks;
    std::vector<tern::IpNet> interface_addresses;
    tern::Resolver resolver;                 // the address class and transport, as qmgr sees them
    RecipientMaps recipient_maps;
    AddressForm form;
    std::string delimiters;                  // recipient_delimiter
    std::string null_key = "<>";             // smtpd_null_access_lookup_key
    std::string double_bounce = "double-bounce";
    bool allow_untrusted_routing = false;
    bool delay_reject = true;
    bool reject_unlisted_recipient = true;
    bool reject_unlisted_sender = false;
    RestrictionList client, helo, sender, relay, recipient, data, end_of_data;
    std::vector<RestrictionList> classes;
    std::vector<std::string> class_names;
};

class Evaluation {
public:
    Evaluation(const PolicyState& state, const PolicyContext& context) : state_(state), context_(context) {}
    [[nodiscard]] Verdict run(Stage stage);

private:
    enum class Status { Dunno, Permit, Reject };  // Reject carries 4xx and 5xx replies
    struct Deferral {
        bool active = false;
        int code = 0;
        std::string dsn;
        std::string text;
    };
    using DefaultAccess = std::optional<RestrictionKind>;

    // Drivers, one per protocol stage (restriction_eval.cpp).
    Status client_stage();
    Status helo_stage();
    Status sender_stage();
    Status recipient_stage();
    Status data_stage(const RestrictionList& list, std::string_view name, ReplyClass reply_class);
    void reset();
    Status generic(const RestrictionList& list, std::string_view reply_name, ReplyClass reply_class,
                   DefaultAccess default_access);
    Status apply(const Restriction& item, std::string_view reply_name, ReplyClass reply_class,
                 DefaultAccess default_access);
    Status apply_access(RestrictionKind kind, const AccessMap& map, std::string_view reply_name,
                        ReplyClass reply_class, DefaultAccess default_access);

    // Outcomes.
    Status reject(int code, std::string_view dsn, const std::string& text, bool always = false);
    Status defer_if(Deferral& deferral, int code, std::string_view dsn, std::string text);
    Status defer_if_permit(int code, std::string_view dsn, std::string text);
    Status server_error();
    Status lookup_failure(std::string_view name);
    void log_whatsup(std::string_view what, std::string_view text) const;

    // The checks themselves (restriction_checks.cpp).
    Status table_result(const AccessMap& map, const std::string& value, std::string_view reply_name,
                        ReplyClass reply_class, DefaultAccess default_access);
    std::optional<Status> keyword_result(const AccessMap& map, const std::string& command, std::string_view text,
                                         std::string_view reply_name, ReplyClass reply_class);
    Status table_code_result(const std::string& value, std::string_view reply_name, ReplyClass reply_class);
    Status check_mail_access(const AccessMap& map, std::string_view address, std::string_view reply_name,
                             ReplyClass reply_class, DefaultAccess default_access);
    Status access_found(const AccessMap& map, const AccessResult& hit, std::string_view key,
                        std::string_view reply_name, ReplyClass reply_class, DefaultAccess default_access);
    Status permit_auth_destination(std::string_view recipient);
    Status unauth_destination(std::string_view recipient, int code, std::string_view dsn);
    Status check_rcpt_maps(std::string_view address, ReplyClass reply_class);
    Status error_transport(std::string_view address, const tern::Resolution& resolution, ReplyClass reply_class);
    Status unlisted_recipient();
    Status unlisted_sender();
    Status non_fqdn_address(std::string_view address, ReplyClass reply_class);
    Status helo_check(RestrictionKind kind);
    Status client_in(const tern::NetList& list);
    Status client_on_interface();

    const PolicyState& state_;
    const PolicyContext& context_;
    std::string_view where_ = "CONNECT";
    Deferral defer_if_permit_;
    Deferral defer_if_reject_;
    int warn_if_reject_ = 0;
    int recursion_ = 0;
    bool recipient_checked_ = false;
    bool sender_checked_ = false;
    std::string reply_;
};

}  // namespace smtpd
