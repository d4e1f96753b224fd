// tests/fuzz/fuzz_smtpd_session.cpp - libFuzzer target for smtpd's protocol state machine (smtpd/protocol)
//
// SYNOPSIS
//     fuzz_smtpd_session [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/smtpd_session)
// DESCRIPTION
//     Input: byte 0 holds flags (bit 0: the cleanup fails to open, bit 1:
//     cleanup fails after opening, bit 2: cleanup answers 5xx at the end,
//     bit 3: small limits); byte 1 is the size (1..256) of the pieces in
//     which the rest is fed, as a client sending in bursts would. The fake
//     cleanup answers at once whenever the protocol waits. Checks:
//       - feed() never consumes more than it is given, and stops only when
//         it needs more input, waits, or closes;
//       - every reply line is CODE SP/- TEXT CRLF with a 2..5 first digit;
//       - content reaches cleanup in pieces of at most kCleanupMaxChunkBytes;
//       - nothing is sent to cleanup after an abort or a finish.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/base/log.h"
#include "lib/mail/cleanup_protocol.h"
#include "smtpd/protocol.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

struct NoPolicy final : smtpd::Policy {
    smtpd::Verdict check(smtpd::Stage stage, const smtpd::PolicyContext& ctx) const override {
        if (stage == smtpd::Stage::Recipient && ctx.recipient.starts_with("relay"))
            return {smtpd::VerdictKind::Reject, "554 5.7.1 <relay>: Relay access denied"};
        return {};
    }
};

struct FakeCleanup final : smtpd::CleanupHost {
    bool fail_open = false;
    bool open = false;
    bool open_cleanup(const tern::AttrList&) override {
        if (fail_open) return false;
        open = true;
        return true;
    }
    void send_cleanup(const tern::AttrList& m) override {
        check(open);
        const std::string_view data = m.get(tern::kCleanupData).value_or("");
        check(data.size() <= tern::kCleanupMaxChunkBytes);
    }
    void finish_cleanup() override { check(open); }
    void abort_cleanup() override { open = false; }
};

void check_replies(std::string_view out) {
    while (!out.empty()) {
        const std::size_t end = out.find("\r\n");
        check(end != std::string_view::npos && end >= 3);
        check(out[0] >= '2' && out[0] <= '5');
        check(end == 3 || out[3] == ' ' || out[3] == '-');
        out.remove_prefix(end + 2);
    }
}

// Answers what the protocol waits for, as cleanup would.
void answer(smtpd::Protocol& p, FakeCleanup& cleanup, std::uint8_t flags, bool& opened) {
    if (!p.waiting()) return;
    if (!opened) {
        opened = true;
        if ((flags & 2) != 0) return p.cleanup_failed("fuzz: gone");
        return p.cleanup_opened("FUZZID");
    }
    cleanup.open = false;
    if ((flags & 4) != 0) return p.cleanup_replied({.status = 550, .queue_id = "FUZZID", .reason = "550 5.7.1 no"});
    p.cleanup_replied({.status = 0, .queue_id = "FUZZID", .reason = "250 2.0.0 Ok: queued as FUZZID"});
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

    smtpd::Settings settings;
    if ((flags & 8) != 0) {
        settings.message_size_limit = 64;
        settings.line_length_limit = 16;
        settings.recipient_limit = 2;
        settings.hard_error_limit = 5;
    }
    NoPolicy policy;
    FakeCleanup cleanup;
    cleanup.fail_open = (flags & 1) != 0;
    smtpd::Protocol p(settings, policy, cleanup, smtpd::ClientInfo{.name = "fuzz", .address = "192.0.2.1", .port = "1"});
    p.greet();
    std::string pending;
    bool opened = false;
    for (std::size_t at = 0; at < input.size() && !p.closing(); at += piece) {
        pending.append(input.substr(at, piece));
        for (int rounds = 0; rounds < 4 && !p.closing(); ++rounds) {
            const std::size_t used = p.feed(pending);
            check(used <= pending.size());
            pending.erase(0, used);
            check_replies(p.take_output());
            if (!p.waiting()) break;
            answer(p, cleanup, flags, opened);
            if (!p.waiting()) opened = cleanup.open;
        }
        check(pending.size() <= settings.line_length_limit + 2 + piece || p.waiting() || p.closing());
    }
    p.lost_connection();
    p.finish();
    check_replies(p.take_output());
    return 0;
}
