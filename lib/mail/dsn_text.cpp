// lib/mail/dsn_text.cpp - split a leading RFC 3463 status code off a reason text
//
// SYNOPSIS
//     See lib/mail/dsn_text.h.
#include "lib/mail/dsn_text.h"

#include "lib/base/text.h"

namespace tern {
namespace {

bool digits(std::string_view part) noexcept {
    if (part.empty() || part.size() > 3) return false;
    for (char c : part)
        if (c < '0' || c > '9') return false;
    return true;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

}  // namespace

bool is_dsn_code(std::string_view code) noexcept {
    if (code.size() < 5 || (code[0] != '2' && code[0] != '4' && code[0] != '5') || code[1] != '.') return false;
    const std::size_t dot = code.find('.', 2);
    if (dot == std::string_view::npos) return false;
    return digits(code.substr(2, dot - 2)) && digits(code.substr(dot + 1));
}

DsnText split_dsn_text(std::string_view text, std::string_view default_code) {
    text = trim(text);
    std::size_t end = 0;
    while (end < text.size() && !is_space(text[end])) ++end;
    const std::string_view first = text.substr(0, end);
    if (!is_dsn_code(first)) return {std::string(default_code), std::string(text)};
    const std::string_view rest = trim(text.substr(end));
    const bool same_class = !default_code.empty() && first[0] == default_code[0];
    return {std::string(same_class ? first : default_code), std::string(rest)};
}

}  // namespace tern
