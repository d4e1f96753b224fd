// virtual/recipient.cpp - one recipient: loop check, map lookups, identity switch, mailbox write (see recipient.h)
//
// SYNOPSIS
//     tern::AgentOutcome out = virt::deliver_recipient(settings, message, recipient);
// DESCRIPTION
//     Texts and status codes follow Postfix's virtual/mailbox.c,
//     virtual/maildir.c and virtual/unknown.c.
// ERRORS
//     Never fails: every problem becomes a deferred or bounced outcome,
//     configuration problems also a warning in the log.
#include "virtual/recipient.h"

#include <sys/stat.h>

#include <cerrno>

#include "lib/base/identity.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/delivered_to.h"
#include "lib/mail/mailbox.h"
#include "virtual/lookup.h"

namespace virt {

namespace {

constexpr const char* kConfigError = "mail system configuration error";
constexpr long long kMaxId = 0x7fffffff;  // uid_t/gid_t range; -1 is "no change" to the kernel

tern::AgentOutcome outcome(tern::DeliveryStatus status, std::string dsn, std::string reason) {
    tern::AgentOutcome out;
    out.status = status;
    out.dsn = std::move(dsn);
    out.reason = std::move(reason);
    out.relay = "virtual";
    return out;
}

tern::AgentOutcome config_error() { return outcome(tern::DeliveryStatus::Deferred, "4.3.5", kConfigError); }

// A uid or gid from `maps` for `user`; nullopt (after a warning) when
// missing or below `minimum`.
std::optional<long long> lookup_id(const Settings& settings, const Maps& maps, const std::string& user,
                                   long long minimum, const char* what) {
    tern::Result<std::optional<std::string>> hit = find_address(maps, user, settings.recipient_delimiter);
    if (!hit) {
        tern::log_warning("table %s: lookup %s: %s", maps.parameter.c_str(), user.c_str(),
                          hit.error().describe().c_str());
        return std::nullopt;
    }
    if (!*hit) {
        tern::log_warning("recipient %s: not found in %s", user.c_str(), maps.parameter.c_str());
        return std::nullopt;
    }
    const std::optional<long long> id = parse_id(**hit);
    if (!id || *id < minimum || *id > kMaxId) {
        tern::log_warning("recipient %s: bad %s %s in %s", user.c_str(), what, tern::printable(**hit, 100).c_str(),
                          maps.parameter.c_str());
        return std::nullopt;
    }
    return id;
}

bool has_dot_dot(std::string_view relative) {
    for (const std::string& part : tern::split_on(relative, "/"))
        if (part == "..") return true;
    return false;
}

// Creates the folders of `relative` below `base` except the last part (as the caller's identity).
tern::Status make_parents(const std::string& base, std::string_view relative) {
    while (!relative.empty() && relative.back() == '/') relative.remove_suffix(1);
    std::string path = base;
    const std::vector<std::string> parts = tern::split_on(relative, "/");
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (parts[i].empty() || parts[i] == ".") continue;
        path += "/" + parts[i];
        if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST)
            return tern::fail(tern::Retry::Temporary, "create directory " + path, errno);
    }
    return {};
}

std::string original_recipient(const tern::DeliveryRecipient& recipient) {
    const std::size_t semi = recipient.orcpt.find(';');
    if (semi != std::string::npos && semi + 1 < recipient.orcpt.size()) return recipient.orcpt.substr(semi + 1);
    return recipient.address;
}

tern::AgentOutcome write_failed(const tern::Error& error, std::string reason_prefix) {
    const bool too_big = error.errno_value == EFBIG || error.errno_value == EDQUOT;
    return outcome(too_big ? tern::DeliveryStatus::Bounced : tern::DeliveryStatus::Deferred, too_big ? "5.2.2" : "4.2.0",
                   std::move(reason_prefix) + error.describe());
}

// Step 4 and 5 of recipient.h, as the user.
tern::AgentOutcome write_mailbox(const Settings& settings, const Message& message,
                                 const tern::DeliveryRecipient& recipient, const std::string& relative,
                                 uid_t uid, gid_t gid) {
    const std::string path = settings.mailbox_base + "/" + relative;
    const bool maildir = relative.back() == '/';
    const std::string failed_prefix = maildir ? "maildir delivery failed: " : "delivery failed to mailbox " + path + ": ";
    tern::ScopedIdentity as_user(uid, gid);
    if (!as_user.ok()) return write_failed(as_user.error(), failed_prefix);
    if (tern::Status s = make_parents(settings.mailbox_base, relative); !s) return write_failed(s.error(), failed_prefix);
    tern::ContentReader reader(message.queue_fd, *message.file, message.queue_path);
    const tern::MailboxMessage mail{
        .sender = message.file->sender,
        .arrival = message.file->arrival,
        .prefix = tern::delivery_prefix(message.file->sender, original_recipient(recipient), recipient.address),
        .content = &reader,
    };
    if (maildir) {
        tern::Result<std::string> name = tern::deliver_maildir(path, mail);
        if (!name) return write_failed(name.error(), failed_prefix);
        return outcome(tern::DeliveryStatus::Sent, "2.0.0", "delivered to maildir");
    }
    tern::Status s = tern::deliver_mbox(path, mail, settings.locking);
    if (!s) return write_failed(s.error(), failed_prefix);
    return outcome(tern::DeliveryStatus::Sent, "2.0.0", "delivered to mailbox");
}

}  // namespace

tern::AgentOutcome deliver_recipient(const Settings& settings, const Message& message,
                                     const tern::DeliveryRecipient& recipient) {
    const std::string user = tern::to_lower(recipient.address);
    if (message.delivered_to.contains(user))
        return outcome(tern::DeliveryStatus::Bounced, "5.4.6", "mail forwarding loop for " + recipient.address);
    tern::Result<std::optional<std::string>> mailbox =
        find_address(settings.mailbox_maps, user, settings.recipient_delimiter);
    if (!mailbox) {
        tern::log_warning("table %s: lookup %s: %s", settings.mailbox_maps.parameter.c_str(), user.c_str(),
                          mailbox.error().describe().c_str());
        return config_error();
    }
    if (!*mailbox) return outcome(tern::DeliveryStatus::Bounced, "5.1.1", "unknown user: \"" + user + "\"");
    const std::string relative(tern::trim(**mailbox));
    if (relative.empty() || has_dot_dot(relative)) {
        tern::log_warning("recipient %s: bad mailbox path \"%s\" in %s", user.c_str(),
                          tern::printable(relative, 200).c_str(), settings.mailbox_maps.parameter.c_str());
        return config_error();
    }
    const std::optional<long long> uid = lookup_id(settings, settings.uid_maps, user, settings.minimum_uid, "uid");
    if (!uid) return config_error();
    const std::optional<long long> gid = lookup_id(settings, settings.gid_maps, user, 1, "gid");
    if (!gid) return config_error();
    return write_mailbox(settings, message, recipient, relative, static_cast<uid_t>(*uid), static_cast<gid_t>(*gid));
}

}  // namespace virt
