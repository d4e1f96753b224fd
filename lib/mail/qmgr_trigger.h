// lib/mail/qmgr_trigger.h - the request bytes qmgr and pickup accept on their public sockets
//
// SYNOPSIS
//     tern::Status sent = tern::send_trigger("public/qmgr", tern::kQmgrFlushRequest, 1000);
//     if (!sent) ... "mail system is down" ...
// DESCRIPTION
//     qmgr listens on public/qmgr and pickup on public/pickup; a trigger
//     is a connect, a few request bytes and a close. The bytes are
//     Postfix's (qmgr.h): 'F' forget dead destinations, 'D' scan the
//     deferred queue, 'I' scan incoming/ (kQmgrRequestScanIncoming, which
//     cleanup sends, lives in lib/mail/cleanup_protocol.h), 'A' ignore
//     the backoff times; pickup wakes up on any byte ('W').
//     postqueue -f sends kQmgrFlushRequest ("FADI": forget dead
//     destinations, scan deferred/ ignoring the next-attempt times, then
//     incoming/) to qmgr and kPickupWakeupRequest to pickup, as Postfix's
//     mail_flush_deferred() and mail_flush_maildrop() do.
//     postqueue -i ID sends "Q" followed by the queue ID (a tern
//     extension: Postfix asks its flush daemon): qmgr makes deferred/ID
//     due now and scans deferred/. A trigger that starts with 'Q' is only
//     that request; an invalid ID is ignored.
// ERRORS
//     send_trigger: a connect or write failure (nobody listens, timeout)
//     is a Temporary error naming the socket.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace tern {

inline constexpr std::string_view kPickupSocketPath = "public/pickup";
inline constexpr char kQmgrRequestFlush = 'F';         // forget dead destinations
inline constexpr char kQmgrRequestScanDeferred = 'D';  // scan deferred/ now
inline constexpr char kQmgrRequestScanAll = 'A';       // ignore backoff times
inline constexpr char kQmgrRequestMessage = 'Q';      // tern: "Q" ID, that deferred message now
inline constexpr char kPickupRequestWakeup = 'W';
inline constexpr std::string_view kQmgrFlushRequest = "FADI";
inline constexpr std::string_view kPickupWakeupRequest = "W";

// Connects to the UNIX socket at `path`, writes `request` and closes.
[[nodiscard]] Status send_trigger(const std::string& path, std::string_view request, int timeout_ms);

}  // namespace tern
