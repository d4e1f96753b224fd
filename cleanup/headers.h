// cleanup/headers.h - split a message's header section into logical headers, incrementally
//
// SYNOPSIS
//     class Out : public cleanup::HeaderSink { ... };   // on_header, on_end_of_headers, on_body
//     cleanup::HeaderParser parser({.header_size_limit = 102400});
//     parser.feed(chunk, out);          // content as it arrives, split anywhere
//     parser.finish(out);               // end of content
// DESCRIPTION
//     The content is the message as the queue file keeps it: lines ending
//     in CRLF (a bare LF also ends a line; its bytes are kept as given).
//     The header section is the lines up to the first empty line (RFC 5322
//     section 2.1). A line that starts with SP or HT continues the header
//     before it (folding); a header line is a name of printable ASCII
//     without ':' (white space allowed before the colon, as Postfix's
//     is_header() does), then ':'. The first line that is neither ends
//     the header section, as in Postfix: it and everything after it is
//     body; no empty line is inserted.
//
//     on_header gets each logical header once it is complete (the next
//     line is seen), with its line ends and folding exactly as received.
//     on_end_of_headers comes exactly once, before the first body byte
//     (before the empty line that separates header and body), or at
//     finish() when the content ended inside the header section. on_body
//     gets the rest, in pieces as they arrive.
// LIMITS
//     Postfix's header_size_limit: a logical header longer than the limit
//     is truncated there (the excess, including later continuation lines,
//     is discarded, the header ends in CRLF) and on_header says so; the
//     message is kept, as Postfix does. Memory: at most one header of
//     header_size_limit bytes plus one unclassified line prefix of the
//     same bound; body bytes are never buffered.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cleanup {

class HeaderSink {
public:
    virtual ~HeaderSink() = default;
    virtual void on_header(std::string_view header, bool truncated) = 0;
    virtual void on_end_of_headers() = 0;
    virtual void on_body(std::string_view bytes) = 0;
};

struct HeaderLimits {
    std::size_t header_size_limit = 102400;
};

class HeaderParser {
public:
    explicit HeaderParser(HeaderLimits limits = {}) noexcept : limits_(limits) {}

    void feed(std::string_view bytes, HeaderSink& sink);
    void finish(HeaderSink& sink);
    [[nodiscard]] bool in_body() const noexcept { return mode_ == Mode::Body; }

private:
    enum class Mode { LineStart, InHeaderLine, Body };
    enum class LineKind { NeedMore, Header, Continuation, Blank, Other };

    [[nodiscard]] LineKind classify() const noexcept;
    std::size_t feed_line_start(std::string_view bytes, HeaderSink& sink);
    std::size_t feed_header_line(std::string_view bytes);
    void append_to_header(std::string_view bytes);
    void flush_header(HeaderSink& sink);
    void enter_body(HeaderSink& sink);

    HeaderLimits limits_;
    Mode mode_ = Mode::LineStart;
    std::string prefix_;   // start of a line not yet classified
    std::string header_;   // the logical header being collected
    bool have_header_ = false;
    bool truncated_ = false;
};

}  // namespace cleanup
