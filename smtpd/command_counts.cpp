// smtpd/command_counts.cpp - per-session command counters (see command_counts.h)
#include "smtpd/command_counts.h"

#include <limits>

namespace smtpd {

namespace {

constexpr std::array<const char*, 14> kNames = {
    "helo", "ehlo", "starttls", "auth", "mail", "rcpt", "data",
    "bdat", "rset", "noop", "vrfy", "etrn", "quit", "unknown",
};

void bump(std::uint32_t& counter) noexcept {
    if (counter < std::numeric_limits<std::uint32_t>::max()) ++counter;
}

void append_pair(std::string& out, const char* name, std::uint64_t ok, std::uint64_t total) {
    out += ' ';
    out += name;
    out += '=';
    out += std::to_string(ok);
    if (ok != total) {
        out += '/';
        out += std::to_string(total);
    }
}

}  // namespace

void CommandCounts::record(Counted command, bool ok) noexcept {
    const auto index = static_cast<std::size_t>(command);
    bump(total_[index]);
    if (ok) bump(ok_[index]);
}

std::uint32_t CommandCounts::total() const noexcept {
    std::uint64_t sum = 0;
    for (std::uint32_t n : total_) sum += n;
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(sum, std::numeric_limits<std::uint32_t>::max()));
}

std::string CommandCounts::summary() const {
    static_assert(kNames.size() == kKinds);
    std::string out;
    std::uint64_t all_ok = 0;
    std::uint64_t all = 0;
    for (std::size_t i = 0; i < kKinds; ++i) {
        if (total_[i] == 0) continue;
        append_pair(out, kNames[i], ok_[i], total_[i]);
        all_ok += ok_[i];
        all += total_[i];
    }
    append_pair(out, "commands", all_ok, all);
    return out;
}

}  // namespace smtpd
