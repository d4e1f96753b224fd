// lib/mail/queue_layout.h - the queue folders: names, owners, modes; check and create
//
// SYNOPSIS
//     std::vector<std::string> warnings;
//     tern::Status s = tern::check_queue_layout(cfg, true, warnings);  // tern check
//     for (const auto& w : warnings) tern::log_warning("%s", w.c_str());
//     tern::Status t = tern::check_queue_layout(
//         tern::QueueLayout{"/var/spool/tern", "tern", "terndrop"}, false, warnings);
// DESCRIPTION
//     The queue of DESIGN.md section 8, with the owners and modes Postfix
//     gives its own (postfix-files):
//         queue_directory  root                       0755
//         pid              root                       0755
//         maildrop         mail_owner:setgid_group    0730 (postdrop writes)
//         public           mail_owner:setgid_group    0710 (postqueue connects)
//         private, incoming, active, deferred, hold, corrupt, bounce, defer
//                          mail_owner                 0700
//     check_queue_layout creates what is missing (mkdir -p for the queue
//     directory itself), giving it its owner and mode when run as root. Like
//     Postfix's "postfix check" it only warns about an existing folder with
//     the wrong owner, group or mode, one warning each, in Postfix's words:
//         not owned by tern: /var/spool/tern/incoming
//         not owned by group terndrop: /var/spool/tern/maildrop
//         wrong mode 0755, expected 0700: /var/spool/tern/hold
//         group or other writable: /var/spool/tern/pid
//     Folders owned by mail_owner must have exactly their mode; the root-
//     owned ones (the queue directory and pid/) must only not be group or
//     other writable, as Postfix checks them.
//     Run by anyone but root it neither sets nor checks owners (a non-root
//     caller cannot chown; tests use this), only modes.
// ERRORS
//     A symbolic link or a non-directory in place of a queue folder is
//     refused (an attacker who can plant one could redirect root's chown
//     and chmod); so is an unknown mail_owner or setgid_group, or a failed
//     mkdir, chown or chmod. The error names the path or the parameter.
//     The queue directory itself may be a symbolic link (to another disk).
#pragma once

#include <sys/types.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"

namespace tern {

enum class QueueDirOwner {
    Root,                   // root:root
    MailOwner,              // mail_owner, group left as created (root)
    MailOwnerSetgidGroup,   // mail_owner:setgid_group
};

struct QueueDirSpec {
    std::string_view name;  // relative to queue_directory
    QueueDirOwner owner;
    mode_t mode;
};

// Every folder below queue_directory, in the order they are created.
inline constexpr std::array<QueueDirSpec, 11> kQueueDirs{{
    {"pid", QueueDirOwner::Root, 0755},
    {"maildrop", QueueDirOwner::MailOwnerSetgidGroup, 0730},
    {"public", QueueDirOwner::MailOwnerSetgidGroup, 0710},
    {"private", QueueDirOwner::MailOwner, 0700},
    {"incoming", QueueDirOwner::MailOwner, 0700},
    {"active", QueueDirOwner::MailOwner, 0700},
    {"deferred", QueueDirOwner::MailOwner, 0700},
    {"hold", QueueDirOwner::MailOwner, 0700},
    {"corrupt", QueueDirOwner::MailOwner, 0700},
    {"bounce", QueueDirOwner::MailOwner, 0700},
    {"defer", QueueDirOwner::MailOwner, 0700},
}};
inline constexpr mode_t kQueueDirectoryMode = 0755;

// The three main.cf values the layout depends on.
struct QueueLayout {
    std::string queue_directory;
    std::string mail_owner;
    std::string setgid_group;
};

[[nodiscard]] Status check_queue_layout(const QueueLayout& layout, bool create_missing,
                                        std::vector<std::string>& warnings);

// Same, with queue_directory, mail_owner and setgid_group from main.cf.
[[nodiscard]] inline Status check_queue_layout(const Config& cfg, bool create_missing,
                                               std::vector<std::string>& warnings) {
    return check_queue_layout(
        QueueLayout{cfg.get("queue_directory"), cfg.get("mail_owner"), cfg.get("setgid_group")},
        create_missing, warnings);
}

}  // namespace tern
