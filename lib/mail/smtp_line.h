// lib/mail/smtp_line.h - find one CRLF-terminated SMTP command line in input bytes
//
// SYNOPSIS
//     LineScan scan = scan_smtp_line(input, max_line_bytes);
//     switch (scan.status) {
//     case LineStatus::Complete: handle(scan.line); input.remove_prefix(scan.consumed); break;
//     case LineStatus::NeedMore: read more; break;
//     case LineStatus::TooLong:  reply error; input.remove_prefix(skip_line(input).consumed); break;
//     case LineStatus::BareLf:   // fall through
//     case LineStatus::BareCr:   reply error; input.remove_prefix(scan.consumed); break;
//     }
// DESCRIPTION
//     scan_smtp_line looks at most max_line + 2 bytes into `input` for one
//     line ended by CRLF (RFC 5321 section 2.3.8). `line` excludes the CRLF.
//     A line ended by a bare LF, or holding a CR that is not part of its
//     CRLF, is reported (BareLf, BareCr) with `line` set to the bytes before
//     the LF and `consumed` covering the LF: SMTP smuggling needs servers
//     that accept either as a line end, so a session refuses such a command.
//     skip_line drops the rest of an overlong line: up to and including the
//     next LF, or everything when none has arrived yet (ended == false:
//     keep skipping what arrives next).
// LIMITS
//     A line longer than max_line bytes (CRLF not counted) is TooLong, with
//     consumed == 0; nothing past max_line + 2 bytes is ever examined.
#pragma once

#include <cstddef>
#include <string_view>

namespace tern {

enum class LineStatus { Complete, NeedMore, TooLong, BareLf, BareCr };

struct LineScan {
    LineStatus status;
    std::string_view line;
    std::size_t consumed;
};

// Looks at most max_line + 2 bytes into `input` for one CRLF line. A bare
// LF is reported, never accepted: SMTP smuggling needs servers that do.
constexpr LineScan scan_smtp_line(std::string_view input, std::size_t max_line) noexcept {
    const std::string_view window = input.substr(0, max_line + 2);
    const std::size_t lf = window.find('\n');
    if (lf == std::string_view::npos)
        return {input.size() >= max_line + 2 ? LineStatus::TooLong : LineStatus::NeedMore, {}, 0};
    if (lf == 0 || window[lf - 1] != '\r') return {LineStatus::BareLf, window.substr(0, lf), lf + 1};
    const std::string_view line = window.substr(0, lf - 1);
    if (line.find('\r') != std::string_view::npos) return {LineStatus::BareCr, line, lf + 1};
    // Only a window of max_line + 2 is searched, so line.size() <= max_line here.
    return {LineStatus::Complete, line, lf + 1};
}

struct LineSkip {
    std::size_t consumed;  // bytes to drop from the input
    bool ended;            // true when those bytes included the line's LF
};

[[nodiscard]] LineSkip skip_line(std::string_view input) noexcept;

}  // namespace tern
