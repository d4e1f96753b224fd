// local/mailbox.cpp - mailbox and /file deliveries (see mailbox.h)
#include "local/mailbox.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/fd.h"
#include "lib/base/identity.h"
#include "lib/base/log.h"
#include "lib/mail/delivered_to.h"

namespace local {

namespace {

struct SpoolIdentity {
    uid_t uid;
    gid_t gid;
    bool precreate;  // root makes the empty mailbox; no dotlock possible
};

SpoolIdentity spool_identity(const std::string& dir, const UserAccount& account) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) < 0 || (st.st_mode & S_IWOTH)) return {account.uid, account.gid, false};
    if (st.st_mode & S_IWGRP) return {account.uid, st.st_gid, false};
    return {account.uid, account.gid, true};
}

// As root: an empty mailbox owned by the user, when there is none yet.
tern::Status precreate_mailbox(const std::string& path, const UserAccount& account) {
    tern::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) {
        if (errno == EEXIST) return {};
        return tern::fail(tern::Retry::Temporary, "create mailbox " + path, errno);
    }
    if (::fchown(fd.get(), account.uid, account.gid) < 0)
        return tern::fail(tern::Retry::Temporary, "chown mailbox " + path, errno);
    return {};
}

tern::MailboxMessage message_for(const MessageInfo& msg, const Attempt& attempt, tern::ContentReader* reader) {
    tern::MailboxMessage m;
    m.sender = attempt.sender;
    m.arrival = msg.request().arrival;
    m.prefix = tern::delivery_prefix(attempt.sender, attempt.original, attempt.delivered);
    m.content = reader;
    return m;
}

tern::DeliveryStatus status_of(const tern::Error& e) {
    return e.temporary() ? tern::DeliveryStatus::Deferred : tern::DeliveryStatus::Bounced;
}

tern::AgentOutcome write_maildir(const std::string& dir, const tern::MailboxMessage& m, uid_t uid, gid_t gid) {
    tern::ScopedIdentity as_user(uid, gid);
    if (!as_user.ok())
        return local_outcome(tern::DeliveryStatus::Deferred, "4.3.0", "maildir delivery failed: " + as_user.error().describe());
    tern::Result<std::string> name = tern::deliver_maildir(dir, m);
    if (!name)
        return local_outcome(status_of(name.error()), name.error().temporary() ? "4.2.0" : "5.2.0",
                             "maildir delivery failed: " + name.error().describe());
    return local_outcome(tern::DeliveryStatus::Sent, "2.0.0", "delivered to maildir");
}

tern::Status write_mbox(const std::string& path, const tern::MailboxMessage& m, uid_t uid, gid_t gid,
                        const tern::MboxLocking& locking) {
    tern::ScopedIdentity as_user(uid, gid);
    if (!as_user.ok()) return tl::unexpected(as_user.error());
    return tern::deliver_mbox(path, m, locking);
}

}  // namespace

tern::AgentOutcome local_outcome(tern::DeliveryStatus status, std::string dsn, std::string reason) {
    tern::AgentOutcome o;
    o.status = status;
    o.dsn = std::move(dsn);
    o.reason = std::move(reason);
    o.relay = "local";
    return o;
}

MailboxTarget mailbox_target(const Settings& settings, const UserAccount& account) {
    const std::string& home_mailbox = settings.home_mailbox;
    if (!home_mailbox.empty())
        return {account.home + "/" + home_mailbox, home_mailbox.back() == '/', false};
    std::string spool = settings.mail_spool_directory;
    const bool maildir = !spool.empty() && spool.back() == '/';
    while (spool.size() > 1 && spool.back() == '/') spool.pop_back();
    return {spool + "/" + account.name + (maildir ? "/" : ""), maildir, true};
}

tern::AgentOutcome deliver_user_mailbox(const Settings& settings, const MessageInfo& msg, const Attempt& attempt,
                                        const UserAccount& account) {
    const MailboxTarget target = mailbox_target(settings, account);
    tern::ContentReader reader = msg.job->content();
    const tern::MailboxMessage m = message_for(msg, attempt, &reader);
    if (target.maildir) return write_maildir(target.path, m, account.uid, account.gid);
    SpoolIdentity who{account.uid, account.gid, false};
    tern::MboxLocking locking = settings.locking;
    if (target.in_spool) {
        who = spool_identity(settings.mail_spool_directory, account);
        if (who.precreate) {
            if (tern::Status made = precreate_mailbox(target.path, account); !made)
                return local_outcome(tern::DeliveryStatus::Deferred, "4.2.0",
                                     "cannot update mailbox " + target.path + " for user " + account.name + ". " +
                                         made.error().describe());
        }
    }
    tern::Status written = write_mbox(target.path, m, who.uid, who.gid, locking);
    if (!written)
        return local_outcome(status_of(written.error()), written.error().temporary() ? "4.2.0" : "5.2.0",
                             "cannot update mailbox " + target.path + " for user " + account.name + ". " +
                                 written.error().describe());
    return local_outcome(tern::DeliveryStatus::Sent, "2.0.0", "delivered to mailbox");
}

tern::AgentOutcome deliver_file(const Settings& settings, const MessageInfo& msg, const Attempt& attempt,
                                const std::string& path, const Rights& rights) {
    const Rights who = rights.uid == 0 ? rights_of(settings.default_privs) : rights;
    tern::ContentReader reader = msg.job->content();
    const tern::MailboxMessage m = message_for(msg, attempt, &reader);
    if (!path.empty() && path.back() == '/') return write_maildir(path, m, who.uid, who.gid);
    tern::Status written = write_mbox(path, m, who.uid, who.gid, settings.locking);
    if (!written)
        return local_outcome(status_of(written.error()), written.error().temporary() ? "4.2.0" : "5.2.0",
                             "cannot append message to file " + path + ": " + written.error().describe());
    return local_outcome(tern::DeliveryStatus::Sent, "2.0.0", "delivered to file: " + path);
}

}  // namespace local
