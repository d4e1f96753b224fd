// cleanup/headers.cpp - incremental header-section parser (see headers.h)
#include "cleanup/headers.h"

#include <algorithm>

namespace cleanup {
namespace {

bool is_name_byte(unsigned char c) noexcept { return c >= 33 && c <= 126 && c != ':'; }

}  // namespace

HeaderParser::LineKind HeaderParser::classify() const noexcept {
    if (prefix_.empty()) return LineKind::NeedMore;
    const char first = prefix_[0];
    if (first == ' ' || first == '\t') return have_header_ ? LineKind::Continuation : LineKind::Other;
    if (first == '\n') return LineKind::Blank;
    if (first == '\r') {
        if (prefix_.size() < 2) return LineKind::NeedMore;
        return prefix_[1] == '\n' ? LineKind::Blank : LineKind::Other;
    }
    std::size_t i = 0;
    while (i < prefix_.size() && is_name_byte(static_cast<unsigned char>(prefix_[i]))) ++i;
    while (i < prefix_.size() && (prefix_[i] == ' ' || prefix_[i] == '\t')) ++i;
    // A name longer than the limit is no header: decided by the bytes up
    // to the limit alone, so the verdict never depends on how input is split.
    if (i > limits_.header_size_limit) return LineKind::Other;
    if (i == prefix_.size()) return LineKind::NeedMore;
    return prefix_[i] == ':' ? LineKind::Header : LineKind::Other;
}

void HeaderParser::append_to_header(std::string_view bytes) {
    if (truncated_) return;
    const std::size_t limit = limits_.header_size_limit;
    if (header_.size() + bytes.size() <= limit) {
        header_.append(bytes);
        return;
    }
    // Cut so that the header plus its new CRLF stays within the limit.
    const std::size_t keep = limit >= 2 ? limit - 2 : 0;
    if (header_.size() < keep) header_.append(bytes.substr(0, keep - header_.size()));
    if (header_.size() > keep) header_.resize(keep);
    while (!header_.empty() && (header_.back() == '\r' || header_.back() == '\n')) header_.pop_back();
    header_.append("\r\n");
    truncated_ = true;
}

void HeaderParser::flush_header(HeaderSink& sink) {
    if (!have_header_) return;
    sink.on_header(header_, truncated_);
    header_.clear();
    have_header_ = false;
    truncated_ = false;
}

void HeaderParser::enter_body(HeaderSink& sink) {
    flush_header(sink);
    mode_ = Mode::Body;
    sink.on_end_of_headers();
    if (!prefix_.empty()) sink.on_body(prefix_);
    prefix_.clear();
    prefix_.shrink_to_fit();
    header_.shrink_to_fit();
}

// Collects the start of a line until it can be classified; returns bytes used.
std::size_t HeaderParser::feed_line_start(std::string_view bytes, HeaderSink& sink) {
    const std::size_t lf = bytes.find('\n');
    std::size_t take = lf == std::string_view::npos ? bytes.size() : lf + 1;
    const std::size_t room = limits_.header_size_limit + 2 - std::min(prefix_.size(), limits_.header_size_limit + 2);
    take = std::min(take, std::max<std::size_t>(room, 1));
    prefix_.append(bytes.substr(0, take));
    const bool line_done = prefix_.back() == '\n';
    LineKind kind = classify();
    if (kind == LineKind::NeedMore && line_done) kind = LineKind::Other;
    switch (kind) {
    case LineKind::NeedMore:
        return take;
    case LineKind::Header:
        flush_header(sink);
        have_header_ = true;
        append_to_header(prefix_);
        break;
    case LineKind::Continuation:
        append_to_header(prefix_);
        break;
    case LineKind::Blank:
    case LineKind::Other:
        enter_body(sink);
        return take;
    }
    prefix_.clear();
    mode_ = line_done ? Mode::LineStart : Mode::InHeaderLine;
    return take;
}

// The rest of a header line, up to and including its LF.
std::size_t HeaderParser::feed_header_line(std::string_view bytes) {
    const std::size_t lf = bytes.find('\n');
    const std::size_t take = lf == std::string_view::npos ? bytes.size() : lf + 1;
    append_to_header(bytes.substr(0, take));
    if (lf != std::string_view::npos) mode_ = Mode::LineStart;
    return take;
}

void HeaderParser::feed(std::string_view bytes, HeaderSink& sink) {
    while (!bytes.empty()) {
        switch (mode_) {
        case Mode::Body:
            sink.on_body(bytes);
            return;
        case Mode::LineStart:
            bytes.remove_prefix(feed_line_start(bytes, sink));
            break;
        case Mode::InHeaderLine:
            bytes.remove_prefix(feed_header_line(bytes));
            break;
        }
    }
}

void HeaderParser::finish(HeaderSink& sink) {
    if (mode_ == Mode::Body) return;
    if (mode_ == Mode::LineStart && !prefix_.empty()) {
        const LineKind kind = classify();
        if (kind == LineKind::Header || kind == LineKind::Continuation) {
            if (kind == LineKind::Header) flush_header(sink);
            have_header_ = true;
            append_to_header(prefix_);
            prefix_.clear();
        }
    }
    enter_body(sink);
}

}  // namespace cleanup
