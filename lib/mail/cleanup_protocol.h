// lib/mail/cleanup_protocol.h - the conversation between a message source (smtpd, pickup) and cleanup
//
// SYNOPSIS
//     #include "lib/mail/cleanup_protocol.h"
//     AttrList env;
//     env.add(kCleanupRequest, kCleanupRequestEnvelope).add(kCleanupSender, "a@example.com") ...
// DESCRIPTION
//     cleanup listens on the UNIX socket public/cleanup (master.cf
//     "cleanup unix n - n - 0 cleanup"). One connection carries one
//     message; every message on it is an attribute list (lib/mail/attr.h):
//
//     1. cleanup -> source, at once after accept:
//          status=0  queue_id=ID
//        The queue ID is final: the source logs "ID: client=..." with it.
//        When cleanup cannot take mail (queue file not creatable), it
//        sends status=4xx reason="451 4.3.0 Error: queue file write error"
//        instead and closes.
//     2. source -> cleanup, exactly once:
//          request=envelope  sender=ADDR ("" = null sender)  flags=N
//          [envid=XTEXT-DECODED] [ret=FULL|HDRS] [smtputf8=1] [body=7BIT|8BITMIME|BINARYMIME]
//          [client_name=] [client_address=] [client_port=] [helo_name=]
//          [protocol=SMTP|ESMTP|ESMTPS|...|local] [reverse_client_name=]
//          [submit_uid=N] [submit_user=NAME] [full_name=TEXT] (pickup, from the maildrop file)
//          [arrival=SECONDS.MICROS] (pickup: the maildrop file's time)
//     3. source -> cleanup, zero or more (at least one before end):
//          request=recipient  address=ADDR  [orcpt=TYPE;ADDR] [notify=1..15]
//     4. source -> cleanup, zero or more, in order:
//          request=content  data=BYTES (1..kCleanupMaxChunkBytes)
//        The message as the queue file keeps it: lines ending in CRLF,
//        dot-unstuffed, without the end-of-data line. Chunks may split
//        lines anywhere.
//     5. source -> cleanup, exactly once:
//          request=end  [abort=1]
//        abort=1 (client went away, message refused by smtpd after DATA
//        began): cleanup removes its temp file, answers nothing, closes.
//     6. cleanup -> source, exactly once after end (when not aborted),
//        sent only after the queue file is durable in incoming/:
//          status=0     queue_id=ID  reason="250 2.0.0 Ok: queued as ID"
//          status=0     queue_id=ID  discarded=1 reason="250 2.0.0 Ok: queued as ID" (header_checks DISCARD)
//          status=4xx   reason="451 4.3.0 Error: queue file write error"
//          status=5xx   reason="550 5.7.1 TEXT" (header_checks REJECT; "552 5.3.4 Message
//                       size exceeds fixed limit" when content passed message_size_limit)
//        reason is a complete SMTP reply line without CRLF, ready to send.
//     Anything else (an unknown request, a missing sender, a recipient
//     after content ended, a bad attribute) makes cleanup log a warning,
//     remove the temp file and close without a reply; the source tells its
//     client 451 4.3.0. A source that closes before end is an abort.
//
//     flags is a bit set of kCleanupFlag*. Source of each attribute and
//     meaning follow Postfix's cleanup(8) where one exists.
// LIMITS
//     Messages are at most kCleanupMaxMessageBytes; cleanup stops reading
//     content into the file past message_size_limit but keeps reading to
//     the end request, then answers 552.
#pragma once

#include <cstddef>
#include <string_view>

namespace tern {

inline constexpr std::string_view kCleanupService = "cleanup";  // public/cleanup
inline constexpr std::string_view kCleanupSocketPath = "public/cleanup";

inline constexpr std::string_view kCleanupRequest = "request";
inline constexpr std::string_view kCleanupRequestEnvelope = "envelope";
inline constexpr std::string_view kCleanupRequestRecipient = "recipient";
inline constexpr std::string_view kCleanupRequestContent = "content";
inline constexpr std::string_view kCleanupRequestEnd = "end";

inline constexpr std::string_view kCleanupStatus = "status";
inline constexpr std::string_view kCleanupQueueId = "queue_id";
inline constexpr std::string_view kCleanupReason = "reason";
inline constexpr std::string_view kCleanupDiscarded = "discarded";
inline constexpr std::string_view kCleanupAbort = "abort";

inline constexpr std::string_view kCleanupSender = "sender";
inline constexpr std::string_view kCleanupFlags = "flags";
inline constexpr std::string_view kCleanupEnvid = "envid";
inline constexpr std::string_view kCleanupRet = "ret";
inline constexpr std::string_view kCleanupSmtputf8 = "smtputf8";
inline constexpr std::string_view kCleanupBody = "body";
inline constexpr std::string_view kCleanupClientName = "client_name";
inline constexpr std::string_view kCleanupReverseClientName = "reverse_client_name";
inline constexpr std::string_view kCleanupClientAddress = "client_address";
inline constexpr std::string_view kCleanupClientPort = "client_port";
inline constexpr std::string_view kCleanupHeloName = "helo_name";
inline constexpr std::string_view kCleanupProtocol = "protocol";
inline constexpr std::string_view kCleanupSubmitUid = "submit_uid";
inline constexpr std::string_view kCleanupSubmitUser = "submit_user";
inline constexpr std::string_view kCleanupFullName = "full_name";
inline constexpr std::string_view kCleanupArrival = "arrival";
inline constexpr std::string_view kCleanupAddress = "address";
inline constexpr std::string_view kCleanupOrcpt = "orcpt";
inline constexpr std::string_view kCleanupNotify = "notify";
inline constexpr std::string_view kCleanupData = "data";

// flags
inline constexpr unsigned kCleanupFlagHeaderChecks = 1u << 0;   // apply header_checks
inline constexpr unsigned kCleanupFlagAddressMaps = 1u << 1;    // canonical and virtual alias maps
inline constexpr unsigned kCleanupFlagAddHeaders = 1u << 2;     // add missing From/Date/Message-ID
inline constexpr unsigned kCleanupFlagHold = 1u << 3;           // put the message on hold/
inline constexpr unsigned kCleanupFlagsDefault =
    kCleanupFlagHeaderChecks | kCleanupFlagAddressMaps | kCleanupFlagAddHeaders;

inline constexpr std::size_t kCleanupMaxChunkBytes = 64 * 1024;
inline constexpr std::size_t kCleanupMaxMessageBytes = kCleanupMaxChunkBytes + 4096;

// qmgr's trigger: cleanup writes this byte to public/qmgr after new mail.
inline constexpr std::string_view kQmgrSocketPath = "public/qmgr";
inline constexpr char kQmgrRequestScanIncoming = 'I';

}  // namespace tern
