// smtp/dot_stuff.cpp - dot-stuffing of the DATA stream; see dot_stuff.h
#include "smtp/dot_stuff.h"

namespace smtp {

void DotStuffer::feed(std::string_view input, std::string& out) {
    out.reserve(out.size() + input.size() + input.size() / 64 + 2);
    for (char c : input) {
        if (line_start_ && c == '.') out.push_back('.');
        if (c == '\n' && !after_cr_) out.push_back('\r');
        out.push_back(c);
        line_start_ = c == '\n';
        after_cr_ = c == '\r';
    }
}

void DotStuffer::finish(std::string& out) {
    if (after_cr_) out.push_back('\n');
    else if (!line_start_) out += "\r\n";
    out += ".\r\n";
    line_start_ = true;
    after_cr_ = false;
}

}  // namespace smtp
