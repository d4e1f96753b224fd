// smtpd/command_counts.h - per-session command counters for the "disconnect from" log line
//
// SYNOPSIS
//     smtpd::CommandCounts counts;
//     counts.record(smtpd::Counted::Rcpt, false);
//     log_info("disconnect from %s%s", client, counts.summary().c_str());
//     // " ehlo=1 mail=1 rcpt=1/2 data=1 quit=1 commands=5/6"
// DESCRIPTION
//     Postfix 3.x ends a session with one counter per command that was
//     used, in its command table's order, as "name=ok" when every use
//     succeeded, else "name=ok/total", then "commands=" over all of them.
//     Unrecognized commands (HELP, EXPN, junk) count as "unknown".
// LIMITS
//     Counters are 32-bit and saturate; a session is bounded far below that.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace smtpd {

// In Postfix's smtpd_cmd_table order.
enum class Counted { Helo, Ehlo, Starttls, Auth, Mail, Rcpt, Data, Bdat, Rset, Noop, Vrfy, Etrn, Quit, Unknown };

class CommandCounts {
public:
    void record(Counted command, bool ok) noexcept;
    [[nodiscard]] std::string summary() const;
    [[nodiscard]] std::uint32_t total() const noexcept;

private:
    static constexpr std::size_t kKinds = static_cast<std::size_t>(Counted::Unknown) + 1;
    std::array<std::uint32_t, kKinds> ok_{};
    std::array<std::uint32_t, kKinds> total_{};
};

}  // namespace smtpd
