// pickup/users.cpp - login names for submit_user (contract in users.h)
#include "pickup/users.h"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <optional>

#include "lib/base/fd.h"
#include "lib/base/text.h"

namespace pickup {

namespace {

// name:password:uid:... -> (uid, name), or nullopt for anything else.
std::optional<std::pair<uid_t, std::string_view>> parse_entry(std::string_view line) {
    const std::size_t first = line.find(':');
    if (first == 0 || first == std::string_view::npos || first > kMaxUserNameBytes) return std::nullopt;
    const std::size_t second = line.find(':', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    const std::size_t third = line.find(':', second + 1);
    if (third == std::string_view::npos) return std::nullopt;
    const std::string_view uid_text = line.substr(second + 1, third - second - 1);
    const std::optional<long long> uid = tern::parse_integer(uid_text);
    if (!uid || *uid < 0 || static_cast<unsigned long long>(*uid) >= std::numeric_limits<uid_t>::max())
        return std::nullopt;
    return std::make_pair(static_cast<uid_t>(*uid), line.substr(0, first));
}

}  // namespace

UserNames UserNames::live() {
    UserNames names;
    names.live_ = true;
    return names;
}

UserNames UserNames::parse(std::string_view passwd_text) {
    UserNames names;
    passwd_text = passwd_text.substr(0, kMaxPasswdBytes);
    while (!passwd_text.empty() && names.names_.size() < kMaxUsers) {
        const std::size_t end = passwd_text.find('\n');
        const std::string_view line = passwd_text.substr(0, end);
        passwd_text.remove_prefix(end == std::string_view::npos ? passwd_text.size() : end + 1);
        if (auto entry = parse_entry(line)) names.names_.emplace(entry->first, std::string(entry->second));
    }
    return names;
}

tern::Result<UserNames> UserNames::from_file(const std::string& path) {
    const tern::Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
    if (!fd) return tern::fail(tern::Retry::Temporary, "open " + path, errno);
    std::string text;
    char buffer[65536];
    while (text.size() < kMaxPasswdBytes) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return tern::fail(tern::Retry::Temporary, "read " + path, errno);
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return parse(text);
}

std::string UserNames::lookup(uid_t uid) const {
    if (live_) {
        errno = 0;
        const passwd* pw = ::getpwuid(uid);
        return pw != nullptr && pw->pw_name != nullptr ? std::string(pw->pw_name) : std::string(kUnknownUser);
    }
    const auto found = names_.find(uid);
    return found == names_.end() ? std::string(kUnknownUser) : found->second;
}

}  // namespace pickup
