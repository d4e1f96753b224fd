// local/delivery.h - deliver one recipient of a request: loops, aliases, .forward, mailbox
//
// SYNOPSIS
//     local::Delivery d(settings, msg, request_recipient);
//     tern::AgentOutcome outcome = d.run();     // the recipient's combined fate
// DESCRIPTION
//     Postfix's local(8) delivery switch, per recipient and recursively
//     for what aliases and .forward files expand to:
//       1. more than kMaxNestingLevel levels: bounce 5.4.6 "recipient
//          nesting limit exceeded"; a recipient already tried at the same
//          level is skipped (duplicate filter);
//       2. the message carries "Delivered-To: RCPT": bounce 5.4.6 "mail
//          forwarding loop for RCPT";
//       3. alias_maps, with the full local part, then without the
//          extension; an alias naming itself delivers to the user;
//          owner-ALIAS becomes the envelope sender of the expansion;
//       4. an address expanded from an alias with an owner, from a
//          :include: file, or another user's .forward is forwarded as a
//          new message (forwarder.h); other local addresses recurse here;
//          remote addresses are forwarded;
//       5. ~/.forward (forward_path), unless this is the user's own
//          .forward expansion or "\user";
//       6. mailbox_transport, else the user's mailbox (mailbox.h);
//       7. unknown user: fallback_transport, else bounce 5.1.1
//          "unknown user: \"NAME\"".
//     |command and /file destinations need allow_mail_to_commands /
//     allow_mail_to_files for where they came from (alias, forward,
//     include), else bounce 5.7.1 "mail to command is restricted".
//     With one final delivery, run() returns its outcome; with several,
//     each is logged as "to=<DEST>, orig_to=<RCPT>" and run() returns
//     the worst: any deferral defers the recipient (it is retried whole,
//     as in Postfix), else any bounce bounces it.
// LIMITS
//     kMaxNestingLevel levels; kMaxFinalDeliveries deliveries per recipient.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "lib/mail/delivery_agent.h"
#include "local/context.h"
#include "local/destinations.h"
#include "local/forwarder.h"
#include "local/settings.h"

namespace local {

inline constexpr int kMaxNestingLevel = 100;
inline constexpr std::size_t kMaxFinalDeliveries = 1000;

class Delivery {
public:
    Delivery(const Settings& settings, const MessageInfo& msg, const tern::DeliveryRecipient& recipient);
    [[nodiscard]] tern::AgentOutcome run();

private:
    struct Final {
        std::string address;
        tern::AgentOutcome outcome;
    };

    void deliver_recipient(Attempt a);
    void deliver_switch(Attempt& a);
    bool deliver_alias(Attempt& a, const std::string& name);
    void deliver_destinations(const Attempt& a, const DestinationList& list);
    void deliver_address(const Attempt& parent, const std::string& address, bool no_expand);
    void deliver_include(const Attempt& parent, const std::string& path);
    void deliver_command(const Attempt& a, const std::string& command);
    void deliver_to_file(const Attempt& a, const std::string& path);
    bool deliver_dotforward(Attempt& a, const UserAccount& user);
    bool deliver_mailbox(Attempt& a);
    void deliver_unknown(Attempt& a);
    void deliver_indirect(const Attempt& a);
    void flush_forwards();
    void record(const Attempt& a, tern::AgentOutcome outcome);
    [[nodiscard]] std::string canonical(const std::string& address) const;
    [[nodiscard]] Rights privileged_default(const Rights& r) const;
    [[nodiscard]] tern::AgentOutcome combine();

    const Settings& settings_;
    const MessageInfo& msg_;
    const tern::DeliveryRecipient& recipient_;
    std::vector<Final> finals_;
    std::vector<ForwardBatch> forwards_;
    std::set<std::string> seen_;
};

}  // namespace local
