// lib/mail/smtp_data.h - decode the message content of SMTP DATA and BDAT
//
// SYNOPSIS
//     DataDecoder data({.max_message_bytes = 10240000});
//     std::string content;
//     DataFeed fed = data.feed(input, content);   // appends decoded bytes
//     input.remove_prefix(fed.consumed);          // the rest is the next command
//     if (fed.verdict == DataVerdict::End)   queue(content);
//     if (fed.verdict == DataVerdict::Error) reply(data_error_reply(data.problem(), 550, myhostname));
//
//     ChunkDecoder chunks({.max_message_bytes = 10240000});
//     chunks.begin_chunk(cmd.bdat_size, cmd.bdat_last);
//     ChunkFeed got = chunks.feed(input, content);   // got.verdict: NeedMore, ChunkDone, MessageDone
// DESCRIPTION
//     DataDecoder takes what follows a 354 reply as it arrives, in pieces
//     of any size, and appends the content: dot-stuffing removed ("..x"
//     gives ".x"), line ends kept as CRLF. feed() consumes input up to and
//     including the end marker and no further.
//     The end is only CRLF "." CRLF (the line "." right after DATA counts
//     too, RFC 5321 section 4.1.1.4). "<LF>.<LF>", "<CR>.<CR>",
//     "<LF>.<CRLF>", "<CRLF>.<LF>" and the like never end DATA: SMTP
//     smuggling hides a second message behind an end marker that we would
//     read differently than the server after us.
//     With BareNewline::Reject (smtpd_forbid_bare_newline = reject, our
//     default) a bare LF, or a CR not followed by LF, marks the message
//     rejected: from there nothing more is emitted, but input is consumed
//     to the real end so the session stays in step, and that end gives
//     DataVerdict::Error with DataProblem::BareNewline. With
//     BareNewline::Normalize (Postfix's "normalize", alias "yes") a bare LF
//     is taken as CRLF and a lone CR is data; the end must still be CRLF.CRLF.
//     Past max_message_bytes content is counted but not emitted and the end
//     gives Error with DataProblem::TooBig. Lines longer than
//     max_line_bytes are only counted (long_lines()); the content is not cut.
//
//     ChunkDecoder counts BDAT chunks (RFC 3030) exactly: no dot-stuffing,
//     no end marker. Bare LF and lone CR are checked across chunk
//     boundaries with the same policy (off for BODY=BINARYMIME), and the
//     message size limit spans all chunks.
// LIMITS
//     Memory is a few counters; content goes straight to the caller's string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern {

enum class BareNewline { Reject, Normalize };
enum class DataVerdict { NeedMore, End, Error };
enum class DataProblem { None, BareNewline, TooBig };

struct DataLimits {
    std::uint64_t max_message_bytes = 10240000;  // message_size_limit; 0: no limit
    std::size_t max_line_bytes = 2048;           // line_length_limit; only reported
    BareNewline bare_newline = BareNewline::Reject;
};

struct DataFeed {
    DataVerdict verdict;
    std::size_t consumed;
};

class DataDecoder {
public:
    explicit DataDecoder(const DataLimits& limits = {}) noexcept : limits_(limits) {}

    // Appends decoded content to `out`; after End or Error consumes nothing.
    DataFeed feed(std::string_view input, std::string& out);

    [[nodiscard]] bool finished() const noexcept { return state_ == State::Done; }
    [[nodiscard]] DataProblem problem() const noexcept;
    [[nodiscard]] std::uint64_t content_bytes() const noexcept { return content_bytes_; }
    [[nodiscard]] std::uint64_t long_lines() const noexcept { return long_lines_; }
    [[nodiscard]] std::uint64_t bare_newlines() const noexcept { return bare_newlines_; }

private:
    enum class State { LineStart, Dot, DotCr, MidLine, Cr, Done };

    void emit(std::string& out, std::string_view bytes);
    void end_line_crlf(std::string& out);
    void end_line_bare_lf(std::string& out);
    void lone_cr_then(char c, std::string& out);
    void bare(std::string& out, std::string_view as_data);
    void step(char c, std::string& out);
    void step_line_start(char c, std::string& out);
    void step_mid_line(char c, std::string& out);
    std::size_t copy_run(std::string_view input, std::string& out);

    DataLimits limits_;
    State state_ = State::LineStart;
    bool line_can_end_ = true;   // this line began after a real CRLF (or is the first)
    bool rejected_ = false;      // bare LF/CR seen under BareNewline::Reject
    std::uint64_t content_bytes_ = 0;
    std::uint64_t line_bytes_ = 0;
    std::uint64_t long_lines_ = 0;
    std::uint64_t bare_newlines_ = 0;
};

enum class ChunkVerdict { NeedMore, ChunkDone, MessageDone };

struct ChunkFeed {
    ChunkVerdict verdict;
    std::size_t consumed;
};

class ChunkDecoder {
public:
    explicit ChunkDecoder(const DataLimits& limits = {}) noexcept : limits_(limits) {}

    // Starts the next BDAT chunk. False when it takes the message past
    // max_message_bytes (reply "552 5.3.4 Chunk exceeds message size
    // limit"); its bytes must still be fed, and are dropped.
    bool begin_chunk(std::uint64_t chunk_bytes, bool last) noexcept;
    // Takes at most the rest of the current chunk from `input`.
    ChunkFeed feed(std::string_view input, std::string& out);

    [[nodiscard]] std::uint64_t remaining() const noexcept { return remaining_; }
    [[nodiscard]] bool in_chunk() const noexcept { return in_chunk_; }
    [[nodiscard]] DataProblem problem() const noexcept;
    [[nodiscard]] std::uint64_t content_bytes() const noexcept { return content_bytes_; }

private:
    void check_newlines(std::string_view bytes) noexcept;

    DataLimits limits_;
    std::uint64_t remaining_ = 0;
    std::uint64_t content_bytes_ = 0;
    bool in_chunk_ = false;
    bool last_ = false;
    bool too_big_ = false;
    bool rejected_ = false;
    bool after_cr_ = false;  // the previous byte, maybe in an earlier chunk, was CR
};

// The reply for a problem at the end of DATA, in Postfix's words:
//   BareNewline: "<code> 5.5.2 <myhostname> Error: bare <LF> received"
//                (code: smtpd_forbid_bare_newline_reject_code, 550)
//   TooBig:      "552 5.3.4 Message size exceeds fixed limit"
//   None:        "" (the caller's 250 ... queued as ...)
[[nodiscard]] std::string data_error_reply(DataProblem problem, int bare_newline_code, std::string_view myhostname);

}  // namespace tern
