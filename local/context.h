// local/context.h - what one local delivery knows: the message, the recipient being tried, whose rights
//
// SYNOPSIS
//     local::MessageInfo msg{.job = &job, .delivered_to = tern::collect_delivered_to(headers)};
//     local::Attempt a;  a.address = "joe@example.com";  a.original = a.address;  a.sender = msg.sender();
//     local::Rights r = local::rights_of(account);
// DESCRIPTION
//     The state Postfix's local(8) keeps in msg_attr and usr_attr, as
//     plain values copied into each level of alias, include and .forward
//     expansion (a child never changes its parent's view):
//     Attempt::delivered is the Delivered-To: value the delivery adds,
//     sender the envelope sender (an owner- alias replaces it), owner the
//     user or owner- alias that answers for the expansion, exp_type where
//     a |command or /file came from (allow_mail_to_commands/files), rights
//     whose identity runs commands and writes files.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "lib/mail/delivered_to.h"
#include "lib/mail/delivery_agent.h"
#include "local/recipient.h"

namespace local {

enum class ExpansionType { None, Alias, Forward, Include };

struct Rights {
    uid_t uid = 0;
    gid_t gid = 0;
    std::string name;
    std::string home;
    std::string shell;
};

[[nodiscard]] inline Rights rights_of(const UserAccount& a) { return Rights{a.uid, a.gid, a.name, a.home, a.shell}; }

struct MessageInfo {
    const tern::DeliveryJob* job = nullptr;
    tern::DeliveredSet delivered_to;  // Delivered-To: values already in the message

    [[nodiscard]] const tern::DeliveryRequest& request() const { return job->request(); }
    [[nodiscard]] const std::string& queue_id() const { return job->request().queue_id; }
};

struct Attempt {
    std::string address;     // the recipient tried at this level
    RecipientParts parts;    // its folded parts
    std::string original;    // the top-level recipient (X-Original-To, ORIGINAL_RECIPIENT)
    std::string delivered;   // the Delivered-To: value
    std::string sender;      // envelope sender ("" null sender)
    std::string owner;       // who answers for this expansion ("" none)
    std::string exp_from;    // the alias name being expanded
    ExpansionType exp_type = ExpansionType::None;
    std::optional<Rights> rights;  // for |command and /file
    bool no_expand = false;  // "\user"
    int level = 0;
};

}  // namespace local
