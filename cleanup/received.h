// cleanup/received.h - the Received: header that tern's cleanup writes
//
// SYNOPSIS
//     std::string h = cleanup::received_header({.helo = "client", .client_name = "c.example",
//         .client_address = "192.0.2.1", .protocol = "ESMTP", .myhostname = "mx.example",
//         .queue_id = id, .recipient = "a@example.com", .when = now});
// DESCRIPTION
//     The header Postfix's smtpd and pickup write, with "tern" (mail_name)
//     where Postfix says "Postfix":
//       Received: from HELO (NAME [ADDR])\r\n\tby MYHOSTNAME (tern) with ESMTP id ID\r\n\tfor <RCPT>; DATE
//     HELO is the client's name when it sent none; an IPv6 address is
//     written "IPv6:..." as Postfix does; "for <RCPT>" only when the
//     message has exactly one recipient (recipient non-empty; never in
//     the local form). A local
//     submission (no client address):
//       Received: by MYHOSTNAME (tern, from userid UID)\r\n\tid ID; DATE
//     and mail tern makes itself (no client, no user: bounce notices,
//     forwarded copies), as Postfix's bounce notices:
//       Received: by MYHOSTNAME (tern)\r\n\tid ID; DATE
//     TLS: when tls_info is non-empty (the source said the session was
//     encrypted) it is written as its own line "\t(using TLS...)" after
//     the from part, where Postfix puts it; smtpd does not send it yet.
//     DATE is lib/mail/mail_date.h's rfc5322_date.
// LIMITS
//     Peer text (HELO, names) is made printable and cut (HELO at 255
//     bytes), so the header is at most about 2 KB.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace cleanup {

struct ReceivedInfo {
    std::string_view helo{};
    std::string_view client_name{};
    std::string_view client_address{};  // empty: local submission
    std::string_view protocol{};        // "ESMTP", ...
    std::string_view myhostname{};
    std::string_view mail_name = "tern";
    std::string_view queue_id{};
    std::string_view recipient{};       // internal form; empty: not exactly one
    std::string_view submit_uid{};      // local submissions
    std::string_view tls_info{};        // "(using TLS ...)"; empty: none
    std::time_t when = 0;
};

[[nodiscard]] std::string received_header(const ReceivedInfo& info);

}  // namespace cleanup
