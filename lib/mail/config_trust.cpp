// lib/mail/config_trust.cpp - may this caller pick that configuration directory? (see config_trust.h)
#include "lib/mail/config_trust.h"

#include <sys/stat.h>
#include <unistd.h>

namespace tern {

namespace {

bool root_owned_not_writable(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && st.st_uid == 0 && (st.st_mode & 022) == 0;
}

}  // namespace

Status check_config_trust(const std::string& config_dir) {
    if (::getuid() == 0 || config_dir == TERN_SYSCONFDIR) return {};
    if (root_owned_not_writable(config_dir) && root_owned_not_writable(config_dir + "/main.cf")) return {};
    return fail(Retry::Permanent,
                config_dir + ": not owned by root or writable by others: refusing this configuration");
}

}  // namespace tern
