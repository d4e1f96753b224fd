// lib/mail/dsn_text.h - split "5.1.1 User unknown" into a status code and its text (Postfix dsn_split)
//
// SYNOPSIS
//     tern::DsnText t = tern::split_dsn_text("5.1.1 User unknown", "5.0.0");  // {"5.1.1", "User unknown"}
//     tern::DsnText u = tern::split_dsn_text("User unknown", "5.0.0");        // {"5.0.0", "User unknown"}
// DESCRIPTION
//     The error, retry and discard transports take their reason from the
//     next hop, which may start with an RFC 3463 status code as Postfix
//     allows ("error:5.1.1 User unknown" in transport_maps). A leading
//     code X.Y.Z (X of 2, 4 or 5; Y and Z of 1..3 digits) followed by
//     white space or the end is split off; white space around the text
//     is dropped. Without such a code, default_code is used. A code of
//     another class than default_code (a "4.x.x" given to a transport that
//     bounces) is replaced by default_code, as Postfix's bounce_append,
//     defer_append and sent do.
// LIMITS
//     Pure; the text is returned as given (the agent skeleton cleans and
//     cuts reasons).
#pragma once

#include <string>
#include <string_view>

namespace tern {

struct DsnText {
    std::string dsn;
    std::string text;
    bool operator==(const DsnText&) const = default;
};

// True for X.Y.Z: X one of 2, 4, 5; Y and Z 1..3 digits.
[[nodiscard]] bool is_dsn_code(std::string_view code) noexcept;
[[nodiscard]] DsnText split_dsn_text(std::string_view text, std::string_view default_code);

}  // namespace tern
