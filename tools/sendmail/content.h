// tools/sendmail/content.h - turn sendmail's standard input into queue-file content
//
// SYNOPSIS
//     sendmail::ContentBuilder b(options.dot_ends_input, message_size_limit);
//     while (!b.done() && (n = read(0, buf, sizeof buf)) > 0)
//         if (!b.feed({buf, n})) fail("message too large");
//     if (!b.finish()) fail(...);  std::string content = b.take();
// DESCRIPTION
//     The queue file keeps content as SMTP-style lines: every line ends in
//     CRLF, with no dot-stuffing (lib/mail/queue_file.h stores content
//     bytes exactly as given, and smtpd stores DATA unstuffed the same
//     way). Input lines end in LF; a CR just before that LF is taken as
//     part of the line end, so LF and CRLF input give the same content.
//     Every other byte (a CR elsewhere, NUL, 8-bit) is kept. A last line
//     without LF gets a CRLF. Unless -i, a line holding only "." ends the
//     input (done() becomes true; what follows is not read).
// LIMITS
//     feed() and finish() fail once the content would exceed max_bytes
//     (message_size_limit); a partial line is counted as it arrives, so
//     memory stays bounded by max_bytes plus one read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sendmail {

class ContentBuilder {
public:
    ContentBuilder(bool dot_ends_input, std::size_t max_bytes)
        : dot_ends_(dot_ends_input), max_bytes_(max_bytes) {}

    // False when the content became too large; bytes after a dot line are ignored.
    [[nodiscard]] bool feed(std::string_view bytes);
    // Ends a last line without LF. False when that makes it too large.
    [[nodiscard]] bool finish();
    [[nodiscard]] bool done() const noexcept { return done_; }
    [[nodiscard]] std::string take() { return std::move(content_); }

private:
    void end_line();

    bool dot_ends_;
    std::size_t max_bytes_;
    std::string content_;
    std::size_t line_start_ = 0;  // where the current line starts in content_
    bool done_ = false;
};

}  // namespace sendmail
