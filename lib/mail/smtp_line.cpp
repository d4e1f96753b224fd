// lib/mail/smtp_line.cpp - find one CRLF-terminated SMTP command line in input bytes
#include "lib/mail/smtp_line.h"

namespace tern {

LineSkip skip_line(std::string_view input) noexcept {
    const std::size_t lf = input.find('\n');
    if (lf == std::string_view::npos) return {input.size(), false};
    return {lf + 1, true};
}

}  // namespace tern
