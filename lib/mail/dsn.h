// lib/mail/dsn.h - RFC 3461 delivery status notification request values: RET and NOTIFY
//
// SYNOPSIS
//     tern::DsnRet ret = tern::DsnRet::Full;                 // MAIL FROM ... RET=FULL
//     unsigned notify = tern::kDsnNotifyFailure | tern::kDsnNotifyDelay;  // RCPT TO ... NOTIFY=
// DESCRIPTION
//     One definition for everything that carries DSN requests: the SMTP
//     parsers, queue files, sendmail, pickup, cleanup. DsnRet::None means
//     no RET was given. NOTIFY is a bit mask; NEVER is never combined with
//     another bit, and 0 means no NOTIFY was given.
#pragma once

namespace tern {

enum class DsnRet { None, Full, Headers };

inline constexpr unsigned kDsnNotifyNever = 1;
inline constexpr unsigned kDsnNotifySuccess = 2;
inline constexpr unsigned kDsnNotifyFailure = 4;
inline constexpr unsigned kDsnNotifyDelay = 8;
inline constexpr unsigned kDsnNotifyAll = 15;

}  // namespace tern
