// tools/postconf/print_master.cpp - postconf -M output (see print_master.h)
#include "tools/postconf/print_master.h"

#include <array>

#include "lib/base/text.h"

namespace postconf {
namespace {

constexpr std::array<std::size_t, 8> kColumnStart = {0, 11, 17, 25, 33, 41, 49, 57};

std::string flag(bool value) { return value ? "y" : "n"; }

bool is_group(std::string_view word) { return word.size() >= 2 && word.front() == '{' && word.back() == '}'; }

// "{ name = value }" -> "{name=value}"
std::string normalized_override(std::string_view word) {
    const std::string_view inner = tern::trim(word.substr(1, word.size() - 2));
    const std::size_t eq = inner.find('=');
    if (eq == std::string_view::npos) return std::string(word);
    return "{" + std::string(tern::trim(inner.substr(0, eq))) + "=" + std::string(tern::trim(inner.substr(eq + 1))) +
           "}";
}

std::string written_args(const tern::MasterService& s) {
    std::string out;
    bool after_dash_o = false;
    for (const std::string& word : s.args_written) {
        std::string shown = word;
        if (is_group(word)) shown = after_dash_o ? normalized_override(word) : std::string(tern::trim(word.substr(1, word.size() - 2)));
        after_dash_o = word == "-o";
        out += " " + shown;
    }
    return out;
}

}  // namespace

std::string format_master_entry(const tern::MasterService& s) {
    // Columns as written where "-" is the default, so a Postfix file prints back unchanged.
    const bool inet = s.type == tern::ServiceType::Inet;
    const std::array<std::string, 8> fields = {
        s.name,
        std::string(tern::service_type_name(s.type)),
        s.private_written.empty() ? flag(inet ? false : s.private_access) : s.private_written,
        s.unpriv_written.empty() ? flag(s.unprivileged) : s.unpriv_written,
        s.chroot_written.empty() ? flag(s.chroot) : s.chroot_written,
        s.wakeup_written.empty() ? std::to_string(s.wakeup_s) : s.wakeup_written,
        s.maxproc_written.empty() ? std::to_string(s.max_processes) : s.maxproc_written,
        s.command,
    };
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) line.append(std::max(kColumnStart[i], line.size() + 1) - line.size(), ' ');
        line += fields[i];
    }
    return line + written_args(s);
}

bool matches_request(const tern::MasterService& s, std::string_view request) {
    if (request.find('/') == std::string_view::npos) return s.name == request;
    return s.key() == request;
}

}  // namespace postconf
