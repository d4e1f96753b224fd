// tools/sendmail/content.cpp - LF input to CRLF queue content (see content.h)
#include "tools/sendmail/content.h"

namespace sendmail {

void ContentBuilder::end_line() {
    if (content_.size() > line_start_ && content_.back() == '\r') content_.pop_back();
    if (dot_ends_ && content_.size() - line_start_ == 1 && content_.back() == '.') {
        content_.resize(line_start_);
        done_ = true;
        return;
    }
    content_ += "\r\n";
    line_start_ = content_.size();
}

bool ContentBuilder::feed(std::string_view bytes) {
    while (!bytes.empty() && !done_) {
        const std::size_t lf = bytes.find('\n');
        const std::string_view part = bytes.substr(0, lf);
        content_.append(part);
        if (lf == std::string_view::npos) {
            bytes = {};
        } else {
            bytes.remove_prefix(lf + 1);
            end_line();
        }
        // A line still open may yet lose a CR or be a lone dot: allow 1 byte slack for the CR.
        const bool open = !done_ && content_.size() > line_start_;
        if (content_.size() > max_bytes_ + (open ? 1 : 0)) return false;
    }
    return true;
}

bool ContentBuilder::finish() {
    if (!done_ && content_.size() > line_start_) end_line();
    return content_.size() <= max_bytes_;
}

}  // namespace sendmail
