// lib/mail/smtp_reply.h - write SMTP replies (server) and read them (client)
//
// SYNOPSIS
//     std::string wire = format_reply(250, "2.1.0", "Ok");            // "250 2.1.0 Ok\r\n"
//     std::string wire = format_reply("501 5.1.7 Bad sender address syntax");
//     std::string wire = format_multiline(250, "", {"mx.example", "PIPELINING", "SIZE 10240000"});
//     bool bye = closes_session("421 4.4.2 mx Error: timeout exceeded");
//
//     ReplyParser parser(ReplyLimits{.max_lines = 100});
//     ReplyFeed fed = parser.feed(input);       // bytes as the server sends them
//     input.remove_prefix(fed.consumed);
//     if (fed.status == ReplyStatus::Complete) { SmtpReply r = parser.take(); r.code; r.enhanced; r.text(); }
//     if (fed.status == ReplyStatus::Error)    { log parser.error(); close; }
// DESCRIPTION
//     format_* build replies for the wire: each line "CODE-text" but the
//     last "CODE text" (RFC 5321 section 4.2.1), with the enhanced status
//     code (RFC 3463) after the code when one is given. Text is made safe
//     first: CR, LF, NUL and other control bytes become spaces, so peer or
//     table text can never end a reply line early or inject a second
//     reply; each line is cut to fit kMaxReplyLineBytes.
//
//     ReplyParser is the client side, incremental: it joins the lines of a
//     multi-line reply, requires the same code on every line, takes the
//     enhanced status code from the first line (and strips it from every
//     line that repeats it), and stops consuming at the end of one reply
//     until take() hands it out. Lines may end in CRLF or a bare LF (what
//     servers send varies; a client accepting it cannot be smuggled into).
// ERRORS
//     A line that is not three digits (first 2..5) followed by ' ', '-' or
//     its end, a code that changes within a reply, a line longer than
//     max_line_bytes, or more than max_lines lines: ReplyStatus::Error;
//     the parser stays failed.
// LIMITS
//     kMaxReplyLineBytes (512, RFC 5321 section 4.5.3.1.5) on output; a
//     parser holds at most max_line_bytes * max_lines bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

inline constexpr std::size_t kMaxReplyLineBytes = 512;  // including CRLF

[[nodiscard]] std::string sanitize_reply_text(std::string_view text);
[[nodiscard]] std::string format_reply(int code, std::string_view enhanced, std::string_view text);
// A complete reply line such as "501 5.5.4 Syntax: DATA", sanitized, with CRLF.
[[nodiscard]] std::string format_reply(std::string_view line);
[[nodiscard]] std::string format_multiline(int code, std::string_view enhanced, const std::vector<std::string>& lines);
// 421 and 521 replies end the session (RFC 5321 section 3.8, RFC 7504).
[[nodiscard]] bool closes_session(std::string_view reply) noexcept;

struct SmtpReply {
    int code = 0;
    std::string enhanced;            // "2.0.0", or "" when the reply has none
    std::vector<std::string> lines;  // text of each line, without code and enhanced code

    [[nodiscard]] std::string text() const;  // the lines joined by one space
    [[nodiscard]] bool positive() const noexcept { return code >= 200 && code < 400; }
    [[nodiscard]] bool temporary() const noexcept { return code >= 400 && code < 500; }
    [[nodiscard]] bool permanent() const noexcept { return code >= 500; }
};

struct ReplyLimits {
    std::size_t max_line_bytes = 2048;  // without the line end
    std::size_t max_lines = 100;
};

enum class ReplyStatus { NeedMore, Complete, Error };

struct ReplyFeed {
    ReplyStatus status;
    std::size_t consumed;
};

class ReplyParser {
public:
    explicit ReplyParser(const ReplyLimits& limits = {}) : limits_(limits) {}

    ReplyFeed feed(std::string_view input);
    // The finished reply; the parser then starts on the next one.
    [[nodiscard]] SmtpReply take();
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
    bool add_line(std::string_view line);  // false: error_ set
    bool pending_too_long() const noexcept;
    ReplyStatus status() const noexcept;

    ReplyLimits limits_;
    std::string pending_;  // an unfinished line
    SmtpReply reply_;
    bool complete_ = false;
    std::string error_;
};

}  // namespace tern
