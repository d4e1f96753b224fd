// pickup/request.h - the cleanup requests for one maildrop file (pure)
//
// SYNOPSIS
//     pickup::Submitter who{.uid = *pickup::submit_uid(file, st.st_uid), .user = names.lookup(uid)};
//     tern::AttrList env = pickup::envelope_request(file, who, st.st_mtim);
//     for (const tern::AttrList& r : pickup::recipient_requests(file)) send(r);
//     std::string text = pickup::arrival_text(st.st_mtim);   // "1732356000.123456"
// DESCRIPTION
//     Turns a parsed maildrop file (lib/mail/queue_file.h) into the
//     envelope and recipient requests of lib/mail/cleanup_protocol.h.
//     Only what a local user may decide is taken from the file: the
//     sender, recipients with ORCPT and NOTIFY, ENVID and RET, and the
//     attributes full_name (sendmail -F, the From: full name) and
//     body_type (sendmail -B, sent as body= when it is 7BIT or 8BITMIME).
//     submit_uid comes from postdrop (the kernel's uid of the caller);
//     every other attribute in the file is dropped, as Postfix's pickup
//     drops what a user could forge. protocol is "local", submit_user is
//     the caller's login name, arrival the maildrop file's mtime, flags
//     kCleanupFlagsDefault.
// LIMITS
//     The file was read with QueueFileLimits, so every string is bounded
//     there; full_name is cut to kMaxFullNameBytes.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "lib/mail/attr.h"
#include "lib/mail/queue_file.h"

namespace pickup {

inline constexpr std::size_t kMaxFullNameBytes = 1000;

struct Submitter {
    uid_t uid = 0;
    std::string user;  // "unknown" when the uid has no passwd entry
};

// The file's submit_uid attribute when it is a whole number that fits a
// uid_t, else `owner` (the file's owner: postdrop creates it as the caller).
[[nodiscard]] uid_t submit_uid(const tern::QueueFile& file, uid_t owner) noexcept;

// "SECONDS.MICROS" (6 digits) of a file time, for arrival=.
[[nodiscard]] std::string arrival_text(const timespec& when);

[[nodiscard]] tern::AttrList envelope_request(const tern::QueueFile& file, const Submitter& who,
                                              const timespec& arrival);
[[nodiscard]] std::vector<tern::AttrList> recipient_requests(const tern::QueueFile& file);

}  // namespace pickup
