// tools/sendmail/recipients.cpp - address lists and -t extraction (see recipients.h)
#include "tools/sendmail/recipients.h"

#include <cstddef>

#include "lib/base/text.h"
#include "lib/mail/address.h"

namespace sendmail {
namespace {

// Collects one address-list, character by character.
class ListParser {
public:
    explicit ListParser(std::string_view text) : text_(text) {}

    std::vector<std::string> run() {
        while (pos_ < text_.size()) step(text_[pos_++]);
        flush();
        return std::move(out_);
    }

private:
    std::string& target() { return in_angle_ ? angle_ : plain_; }

    void step(char c) {
        switch (c) {
            case '(': skip_comment(); return;
            case '"': copy_until('"'); return;
            case '[': copy_until(']'); return;
            case '\\': copy_pair(); return;
            case '<': in_angle_ = true; have_angle_ = true; angle_.clear(); return;
            case '>': in_angle_ = false; return;
            case ',':
                if (in_angle_) angle_ += c;
                else flush();
                return;
            case ':':
                if (in_angle_) angle_ += c;
                else if (!have_angle_) plain_.clear();  // a group's display name
                return;
            case ';':
                if (!in_angle_) flush();
                return;
            case ' ': case '\t': case '\r': case '\n': return;
            default: target() += c; return;
        }
    }

    void skip_comment() {
        int depth = 1;
        while (pos_ < text_.size() && depth > 0) {
            const char c = text_[pos_++];
            if (c == '\\') ++pos_;
            else if (c == '(') ++depth;
            else if (c == ')') --depth;
        }
    }

    // Copies a quoted string or a domain literal, delimiters included.
    void copy_until(char close) {
        std::string& t = target();
        t += text_[pos_ - 1];
        while (pos_ < text_.size()) {
            const char c = text_[pos_++];
            if (c == '\r' || c == '\n') continue;  // folding inside quotes
            t += c;
            if (c == '\\' && pos_ < text_.size()) t += text_[pos_++];
            else if (c == close) return;
        }
    }

    void copy_pair() {
        std::string& t = target();
        t += '\\';
        if (pos_ < text_.size()) t += text_[pos_++];
    }

    void flush() {
        std::string_view a = have_angle_ ? angle_ : plain_;
        if (!a.empty() && a.front() == '@') {  // source route
            const std::size_t colon = a.find(':');
            a = colon == std::string_view::npos ? std::string_view() : a.substr(colon + 1);
        }
        if (!a.empty()) out_.push_back(tern::unquote_address(a));
        plain_.clear();
        angle_.clear();
        in_angle_ = have_angle_ = false;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::string plain_, angle_;
    bool in_angle_ = false, have_angle_ = false;
    std::vector<std::string> out_;
};

enum class Kind { Other, To, Bcc, ResentTo, ResentBcc };

struct Header {
    std::size_t start = 0, end = 0;  // whole header incl. continuation lines and final CRLF
    std::size_t value = 0;           // first byte after the colon
    Kind kind = Kind::Other;
};

Kind classify(std::string_view name) {
    if (tern::iequals(name, "to") || tern::iequals(name, "cc")) return Kind::To;
    if (tern::iequals(name, "bcc")) return Kind::Bcc;
    if (tern::iequals(name, "resent-to") || tern::iequals(name, "resent-cc")) return Kind::ResentTo;
    if (tern::iequals(name, "resent-bcc")) return Kind::ResentBcc;
    return Kind::Other;
}

// The length of a header name at the start of line (followed by optional
// WSP and ':'), or 0 when the line is not a header.
std::size_t header_name_length(std::string_view line, std::size_t& colon) {
    std::size_t n = 0;
    while (n < line.size() && line[n] > ' ' && line[n] < 127 && line[n] != ':') ++n;
    std::size_t k = n;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    if (n == 0 || k >= line.size() || line[k] != ':') return 0;
    colon = k;
    return n;
}

std::size_t line_end(std::string_view content, std::size_t from) {
    const std::size_t lf = content.find("\r\n", from);
    return lf == std::string_view::npos ? content.size() : lf + 2;
}

std::vector<Header> scan_headers(std::string_view content) {
    std::vector<Header> headers;
    std::size_t pos = 0;
    while (pos < content.size()) {
        const std::size_t end = line_end(content, pos);
        const std::string_view line = content.substr(pos, end - pos);
        const char first = line.front();
        if ((first == ' ' || first == '\t') && !headers.empty()) {
            headers.back().end = end;
        } else {
            std::size_t colon = 0;
            const std::size_t n = header_name_length(line, colon);
            if (n == 0) break;  // empty line or body text: the headers are over
            headers.push_back({pos, end, pos + colon + 1, classify(line.substr(0, n))});
        }
        pos = end;
    }
    return headers;
}

}  // namespace

std::vector<std::string> parse_address_list(std::string_view text) {
    return ListParser(text).run();
}

HeaderRecipients extract_recipients(std::string_view content) {
    const std::vector<Header> headers = scan_headers(content);
    bool resent = false;
    for (const Header& h : headers) resent = resent || h.kind == Kind::ResentTo || h.kind == Kind::ResentBcc;
    HeaderRecipients out;
    std::size_t copied = 0;
    for (const Header& h : headers) {
        const bool wanted = resent ? (h.kind == Kind::ResentTo || h.kind == Kind::ResentBcc)
                                   : (h.kind == Kind::To || h.kind == Kind::Bcc);
        if (wanted)
            for (std::string& a : parse_address_list(content.substr(h.value, h.end - h.value)))
                out.recipients.push_back(std::move(a));
        if (h.kind == Kind::Bcc || h.kind == Kind::ResentBcc) {
            out.content.append(content.substr(copied, h.start - copied));
            copied = h.end;
        }
    }
    out.content.append(content.substr(copied));
    return out;
}

}  // namespace sendmail
