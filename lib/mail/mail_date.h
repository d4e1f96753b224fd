// lib/mail/mail_date.h - dates in message headers, as Postfix's mail_date()
//
// SYNOPSIS
//     std::string d = tern::rfc5322_date(time(nullptr));  // "Tue, 24 Nov 2026 05:55:25 +0000 (UTC)"
// DESCRIPTION
//     Local time as "%a, %d %b %Y %H:%M:%S %z (%Z)" with English day and
//     month names whatever the locale: the Date:, Received: and DSN
//     Arrival-Date: stamps cleanup and bounce write.
#pragma once

#include <ctime>
#include <string>

namespace tern {

[[nodiscard]] std::string rfc5322_date(std::time_t when);

}  // namespace tern
