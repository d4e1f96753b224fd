// tests/fuzz/fuzz_smtp_client.cpp - libFuzzer target for the smtp/lmtp client engine fed by a hostile server
//
// SYNOPSIS
//     fuzz_smtp_client [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/smtp_client)
// DESCRIPTION
//     Byte 0 holds flags: bit 0 LMTP, bit 1 smtp_skip_5xx_greeting, bit 2 a
//     recipient with a UTF-8 address, bit 3 BODY=8BITMIME, bit 4 DSN
//     NOTIFY/ORCPT/RET/ENVID, bit 5 a 5000-byte message (over small SIZE
//     limits), bit 6 next hop and dot-stuffing mode (the rest is a next
//     hop text, then content). Byte 1 is the size (1..256) of the pieces
//     in which the rest, the server's bytes, reaches the ReplyParser, as
//     a session reads them. The driver plays smtp/session.cpp: each reply
//     goes to the Protocol while it awaits one (a reply nobody asked for
//     ends the session, as does a parser error), content is "sent" at
//     once, a finished transaction is followed by another one (up to 3,
//     connection reuse) and then QUIT; the end of the input is a timeout.
//     Checks:
//       - every command the client writes is one CRLF-ended line of at
//         most 2 KiB with no other CR or LF, so a server cannot inject;
//       - after Done every recipient is settled, and each result's DSN
//         class matches its status (2 sent, 4 deferred, 5 bounced);
//       - failures are deferrals or bounces with a DSN of that class;
//       - no call ever hits the engine in the wrong state (that panics);
//       - dot-stuffed content ends in CRLF.CRLF, has no bare LF, and no
//         line of it is a lone "." before the end.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/base/log.h"
#include "lib/mail/smtp_reply.h"
#include "smtp/dot_stuff.h"
#include "smtp/nexthop.h"
#include "smtp/protocol.h"

namespace {

using smtp::Protocol;
using tern::DeliveryStatus;

constexpr int kMaxTransactions = 3;

void check(bool ok) {
    if (!ok) std::abort();
}

void check_commands(std::string_view out) {
    while (!out.empty()) {
        const std::size_t end = out.find("\r\n");
        check(end != std::string_view::npos && end <= 2048);
        const std::string_view line = out.substr(0, end);
        check(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos);
        out.remove_prefix(end + 2);
    }
}

char dsn_class(DeliveryStatus status) {
    switch (status) {
    case DeliveryStatus::Sent: return '2';
    case DeliveryStatus::Deferred: return '4';
    case DeliveryStatus::Bounced: return '5';
    }
    return '?';
}

void check_failure(const smtp::Failure& f) {
    check(f.status != DeliveryStatus::Sent);
    check(!f.dsn.empty() && f.dsn[0] == dsn_class(f.status));
    check(!f.reason.empty());
}

void check_results(const Protocol& p, std::size_t recipients) {
    check(p.results().size() == recipients);
    for (const smtp::RcptResult& r : p.results()) {
        check(r.settled);
        check(!r.dsn.empty() && r.dsn[0] == dsn_class(r.status));
        check(r.reason.size() <= 2 * tern::kMaxDeliveryReasonBytes);
    }
}

smtp::Transaction make_transaction(std::uint8_t flags) {
    smtp::Transaction tx;
    tx.sender = "sender@example.org";
    tx.recipients = {{"a@example.com", "", 0}, {"b@example.com", "", 0}, {"c@example.com", "", 0}};
    if ((flags & 4) != 0) tx.recipients[1].address = "j\xc3\xb6rg@example.com";
    tx.eightbitmime = (flags & 8) != 0;
    if ((flags & 16) != 0) {
        tx.ret = tern::DsnRet::Headers;
        tx.envid = "env id+1";
        tx.recipients[0].notify = tern::kDsnNotifySuccess | tern::kDsnNotifyDelay;
        tx.recipients[0].orcpt = "rfc822;A@example.com";
        tx.recipients[2].notify = tern::kDsnNotifyNever;
    }
    tx.size = (flags & 32) != 0 ? 5000 : 100;
    return tx;
}

struct Driver {
    Protocol protocol;
    smtp::Transaction tx;
    int transactions = 0;
    bool over = false;

    // Acts on one engine event as smtp/session.cpp and smtp/delivery.cpp would.
    void handle(Protocol::Event event) {
        while (!over) {
            check_commands(protocol.take_output());
            switch (event) {
            case Protocol::Event::None: return;
            case Protocol::Event::Ready:
                event = protocol.begin(tx);
                continue;
            case Protocol::Event::SendContent:
                check(protocol.stage() == smtp::Stage::Content);
                protocol.content_sent();
                return;
            case Protocol::Event::Done:
                check_results(protocol, tx.recipients.size());
                ++transactions;
                if (!protocol.reusable()) {
                    over = true;
                    return;
                }
                if (transactions < kMaxTransactions) {
                    event = protocol.begin(tx);
                    continue;
                }
                protocol.quit();
                return;
            case Protocol::Event::Failed:
                check_failure(protocol.failure());
                over = true;
                return;
            case Protocol::Event::Closed: over = true; return;
            }
        }
    }

    void feed(std::string_view input, std::size_t piece) {
        tern::ReplyParser parser;
        std::string pending;
        for (std::size_t at = 0; at < input.size() && !over; at += piece) {
            pending.append(input.substr(at, piece));
            while (!over && !pending.empty()) {
                const tern::ReplyFeed fed = parser.feed(pending);
                check(fed.consumed <= pending.size());
                pending.erase(0, fed.consumed);
                if (fed.status == tern::ReplyStatus::Error || (fed.status == tern::ReplyStatus::Complete &&
                                                              !protocol.awaiting())) {
                    check_failure(protocol.lost(false));
                    over = true;
                    return;
                }
                if (fed.status == tern::ReplyStatus::NeedMore) break;
                handle(protocol.on_reply(parser.take()));
            }
        }
        if (!over) check_failure(protocol.lost(true));
    }
};

void fuzz_nexthop_and_content(std::string_view input) {
    const std::size_t split = input.find('\0');
    const std::string_view hop = input.substr(0, split);
    for (smtp::Dialect d : {smtp::Dialect::Smtp, smtp::Dialect::Lmtp}) {
        tern::Result<smtp::NextHop> h = smtp::parse_nexthop(hop, d, d == smtp::Dialect::Lmtp ? "24" : "smtp");
        if (!h) continue;
        if (h->kind == smtp::HopKind::Inet) check(h->port >= 1 && h->port <= 65535 && !h->host.empty());
        else check(!h->path.empty());
        check(!h->key().empty());
    }
    if (split == std::string_view::npos) return;
    const std::string_view content = input.substr(split + 1);
    smtp::DotStuffer stuffer;
    std::string wire;
    const std::size_t half = content.size() / 2;
    stuffer.feed(content.substr(0, half), wire);
    stuffer.feed(content.substr(half), wire);
    stuffer.finish(wire);
    check(wire.size() >= 3 && wire.ends_with(".\r\n"));
    check(wire.size() == 3 || wire.ends_with("\r\n.\r\n"));
    const std::string_view body(wire.data(), wire.size() - 3);
    for (std::size_t lf = body.find('\n'); lf != std::string_view::npos; lf = body.find('\n', lf + 1)) {
        check(lf > 0 && body[lf - 1] == '\r');
        if (lf + 1 < body.size() && body[lf + 1] == '.') check(lf + 2 < body.size() && body[lf + 2] == '.');
    }
    if (!body.empty() && body[0] == '.') check(body.size() > 1 && body[1] == '.');
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    static bool quiet = [] {
        tern::log_use_stderr(false);
        return true;
    }();
    (void)quiet;
    const std::uint8_t flags = data[0];
    const std::size_t piece = static_cast<std::size_t>(data[1]) + 1;
    const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
    if ((flags & 64) != 0) {
        fuzz_nexthop_and_content(input);
        return 0;
    }
    const smtp::Dialect dialect = (flags & 1) != 0 ? smtp::Dialect::Lmtp : smtp::Dialect::Smtp;
    Driver driver{Protocol(dialect, {.helo_name = "client.example", .skip_5xx_greeting = (flags & 2) != 0, .my_hostname = "loop.example"},
                           "mx.example[192.0.2.7]"),
                  make_transaction(flags)};
    driver.feed(input, piece);
    return 0;
}
