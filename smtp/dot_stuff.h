// smtp/dot_stuff.h - turn stored message content into the SMTP DATA stream (RFC 5321 section 4.5.2)
//
// SYNOPSIS
//     smtp::DotStuffer stuffer;
//     std::string wire;
//     stuffer.feed(chunk1, wire);  stuffer.feed(chunk2, wire);   // chunks split lines anywhere
//     stuffer.finish(wire);        // CRLF if the content did not end with one, then ".\r\n"
// DESCRIPTION
//     The queue keeps content with CRLF line ends and without dot-stuffing.
//     feed() doubles a '.' at the start of every line and writes a bare LF
//     as CRLF, so the peer never sees a bare LF (SMTP smuggling); a bare CR
//     is passed on as it is. State carries across chunk boundaries.
// LIMITS
//     The output grows by at most one byte per input byte plus 5 at the end.
#pragma once

#include <string>
#include <string_view>

namespace smtp {

class DotStuffer {
public:
    void feed(std::string_view input, std::string& out);
    void finish(std::string& out);

private:
    bool line_start_ = true;
    bool after_cr_ = false;
};

}  // namespace smtp
