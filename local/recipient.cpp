// local/recipient.cpp - recipient splitting, user lookup, local(8) macro expansion
#include "local/recipient.h"

#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <vector>

#include "lib/base/text.h"

namespace local {

namespace {

// Postfix's split_addr: owner-foo and foo-request keep their '-'.
bool keeps_dash(std::string_view local_part) {
    return local_part.starts_with("owner-") || local_part.ends_with("-request");
}

std::size_t delimiter_position(std::string_view local_part, std::string_view delimiters) {
    for (std::size_t i = 0; i < local_part.size(); ++i) {
        if (delimiters.find(local_part[i]) == std::string_view::npos) continue;
        if (local_part[i] == '-' && keeps_dash(local_part)) continue;
        return i;
    }
    return std::string_view::npos;
}

tern::Result<std::optional<UserAccount>> account_from(int rc, passwd* result) {
    if (result == nullptr) {
        if (rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) return std::nullopt;
        return tern::fail(tern::Retry::Temporary, "user lookup error", rc);
    }
    return UserAccount{result->pw_name, result->pw_uid, result->pw_gid, result->pw_dir ? result->pw_dir : "",
                       result->pw_shell ? result->pw_shell : ""};
}

// One macro reference starting after "$"; returns the bytes consumed.
std::size_t expand_one(std::string_view rest, const MacroValues& values, std::string& out) {
    auto value_of = [&](std::string_view name) -> std::string {
        auto it = values.find(name);
        return it == values.end() ? std::string() : it->second;
    };
    if (!rest.empty() && rest[0] == '{') {
        const std::size_t close = rest.find('}');
        if (close == std::string_view::npos) {
            out += '$';
            return 0;
        }
        const std::string_view inner = rest.substr(1, close - 1);
        const std::size_t op = inner.find_first_of("?:");
        if (op == std::string_view::npos) {
            out += value_of(inner);
            return close + 1;
        }
        const std::string value = value_of(inner.substr(0, op));
        const bool use_text = inner[op] == '?' ? !value.empty() : value.empty();
        if (use_text) out += expand_local_macros(inner.substr(op + 1), values);
        else if (inner[op] == ':') out += value;
        return close + 1;
    }
    std::size_t n = 0;
    while (n < rest.size() && (std::isalnum(static_cast<unsigned char>(rest[n])) || rest[n] == '_')) ++n;
    if (n == 0) {
        out += '$';
        return 0;
    }
    out += value_of(rest.substr(0, n));
    return n;
}

}  // namespace

RecipientParts split_recipient(std::string_view address, std::string_view delimiters) {
    RecipientParts parts;
    parts.address = tern::to_lower(address);
    const std::size_t at = parts.address.rfind('@');
    parts.local = at == std::string::npos ? parts.address : parts.address.substr(0, at);
    parts.domain = at == std::string::npos ? std::string() : parts.address.substr(at + 1);
    parts.user = parts.local;
    if (delimiters.empty()) return parts;
    const std::size_t split = delimiter_position(parts.local, delimiters);
    if (split == std::string::npos) return parts;
    parts.user = parts.local.substr(0, split);
    parts.delimiter = parts.local.substr(split, 1);
    parts.extension = parts.local.substr(split + 1);
    if (parts.extension.find('/') != std::string::npos) {
        // Postfix drops an extension that could name a path, and the
        // local part loses it too.
        parts.extension.clear();
        parts.delimiter.clear();
        parts.local = parts.user;
    }
    return parts;
}

tern::Result<std::optional<UserAccount>> find_user(const std::string& name) {
    if (name.empty()) return std::nullopt;
    passwd entry{};
    passwd* result = nullptr;
    std::vector<char> buffer(16384);
    const int rc = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result);
    return account_from(rc, result);
}

tern::Result<std::optional<UserAccount>> find_user(uid_t uid) {
    passwd entry{};
    passwd* result = nullptr;
    std::vector<char> buffer(16384);
    const int rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result);
    return account_from(rc, result);
}

std::string expand_local_macros(std::string_view text, const MacroValues& values) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && out.size() < kMaxExpansionBytes; ++i) {
        if (text[i] != '$') {
            out += text[i];
            continue;
        }
        i += expand_one(text.substr(i + 1), values, out);
    }
    if (out.size() > kMaxExpansionBytes) out.resize(kMaxExpansionBytes);
    return out;
}

}  // namespace local
