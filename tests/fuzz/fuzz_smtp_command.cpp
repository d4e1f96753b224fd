// tests/fuzz/fuzz_smtp_command.cpp - libFuzzer target for SMTP command lines, commands and paths
//
// SYNOPSIS
//     fuzz_smtp_command [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/smtp_command)
// DESCRIPTION
//     Input: byte 0 holds CommandOptions flags; the rest is a client's byte
//     stream, cut into lines by scan_smtp_line (limit 512) as smtpd would.
//     Every complete line goes to parse_smtp_command and to parse_path.
//     Checks:
//       - every refusal is one well-formed reply line: "ddd " or "ddd x.y.z ",
//         no CR, LF or NUL, and format_reply gives exactly one line;
//       - an accepted path survives quote_address and parses back to the
//         same internal address (when the quoted form parses at all);
//       - decoded ENVID is printable ASCII and survives xtext encoding;
//       - the line scanner always makes progress and never reads past a
//         line it reports.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/mail/address.h"
#include "lib/mail/smtp_command.h"
#include "lib/mail/smtp_line.h"
#include "lib/mail/smtp_reply.h"
#include "lib/mail/xtext.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void check_reply(std::string_view reply) {
    check(reply.size() >= 4 && reply[0] >= '2' && reply[0] <= '5' && reply[3] == ' ');
    check(reply.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
    const std::string wire = tern::format_reply(reply);
    check(wire.find("\r\n") == wire.size() - 2 && wire.find('\n') == wire.size() - 1);
}

void check_round_trip(const tern::Path& path, bool allow_empty) {
    if (path.address.empty()) {
        check(allow_empty);
        return;
    }
    const std::string external = tern::quote_address(path.address);
    auto again = tern::parse_path("<" + external + ">", {.allow_empty = allow_empty, .allow_8bit = true});
    // "a@" as an internal address (from <"a@">) quotes to "a@", which has
    // an empty domain: Postfix's internal form cannot say which '@' splits.
    if (again) check(again->address == path.address);
    check(tern::unquote_address(external) == path.address || path.address.find('@') != std::string::npos);
}

void check_command(std::string_view line, const tern::CommandOptions& options) {
    auto cmd = tern::parse_smtp_command(line, options);
    if (!cmd) {
        check_reply(cmd.error().text);
        return;
    }
    if (cmd->verb == tern::SmtpVerb::Mail || cmd->verb == tern::SmtpVerb::Rcpt)
        check_round_trip(cmd->path, cmd->verb == tern::SmtpVerb::Mail);
    if (cmd->mail.envid) {
        for (char c : *cmd->mail.envid) check(c >= 32 && c <= 126);
        check(tern::decode_xtext(tern::encode_xtext(*cmd->mail.envid)) == *cmd->mail.envid);
    }
    if (cmd->verb == tern::SmtpVerb::Bdat) check(cmd->bdat_size > 0 || cmd->bdat_last);
}

void check_path(std::string_view text, bool allow_8bit) {
    for (const bool allow_empty : {false, true}) {
        auto path = tern::parse_path(text, {.allow_empty = allow_empty, .allow_8bit = allow_8bit});
        if (!path) continue;
        check(!path->address.empty() || allow_empty);
        check_round_trip(*path, allow_empty);
        // Without quotes the last '@' is the real one, so its domain was checked.
        const std::string_view domain = tern::domain_of(path->address);
        if (text.find('"') == std::string_view::npos && path->address.find('@') != std::string::npos)
            check(tern::is_valid_domain(domain, allow_8bit));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t flags = bytes[0];
    const tern::CommandOptions options{
        .strict_rfc821_envelopes = (flags & 1) != 0,
        .smtputf8_enable = (flags & 2) == 0,
        .dsn_enable = (flags & 4) == 0,
        .auth_enable = (flags & 8) != 0,
        .binarymime_enable = (flags & 16) != 0,
        .smtputf8_declared = (flags & 32) != 0,
        .strict_smtputf8 = (flags & 128) != 0,
    };
    std::string_view input(reinterpret_cast<const char*>(bytes + 1), size - 1);
    constexpr std::size_t kMaxLine = 512;
    while (!input.empty()) {
        const tern::LineScan scan = tern::scan_smtp_line(input, kMaxLine);
        switch (scan.status) {
        case tern::LineStatus::NeedMore: check(input.size() < kMaxLine + 2); return 0;
        case tern::LineStatus::TooLong: {
            const tern::LineSkip skip = tern::skip_line(input);
            check(skip.consumed > kMaxLine);
            input.remove_prefix(skip.consumed);
            continue;
        }
        case tern::LineStatus::BareLf:
        case tern::LineStatus::BareCr:
            check(scan.consumed > 0 && scan.consumed <= kMaxLine + 2 && input[scan.consumed - 1] == '\n');
            input.remove_prefix(scan.consumed);
            continue;
        case tern::LineStatus::Complete:
            check(scan.line.size() <= kMaxLine && scan.consumed == scan.line.size() + 2);
            check(scan.line.find_first_of("\r\n") == std::string_view::npos);
            check_command(scan.line, options);
            check_path(scan.line, (flags & 64) != 0);
            input.remove_prefix(scan.consumed);
            continue;
        }
    }
    return 0;
}
