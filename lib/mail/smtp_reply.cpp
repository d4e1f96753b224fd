// lib/mail/smtp_reply.cpp - write SMTP replies (server) and read them (client)
#include "lib/mail/smtp_reply.h"

#include <algorithm>

namespace tern {
namespace {

// Room for "CODE-" and CRLF.
constexpr std::size_t kMaxReplyTextBytes = kMaxReplyLineBytes - 6;

void append_line(std::string& out, int code, char separator, std::string_view enhanced, std::string_view text) {
    std::string body;
    if (!enhanced.empty()) {
        body = sanitize_reply_text(enhanced);
        if (!text.empty()) body.push_back(' ');
    }
    body += sanitize_reply_text(text);
    if (body.size() > kMaxReplyTextBytes) body.resize(kMaxReplyTextBytes);
    out += std::to_string(code);
    out.push_back(separator);
    out += body;
    out += "\r\n";
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// "X.Y.Z" at the start of `text`, X the reply's class (RFC 3463 section 2);
// returns its length, 0 if none.
std::size_t enhanced_code_length(std::string_view text, int code) noexcept {
    if (text.size() < 5 || text[0] != static_cast<char>('0' + code / 100) || text[1] != '.') return 0;
    std::size_t pos = 2;
    for (int part = 0; part < 2; ++part) {
        const std::size_t start = pos;
        while (pos < text.size() && is_digit(text[pos]) && pos - start < 3) ++pos;
        if (pos == start) return 0;
        if (part == 0) {
            if (pos >= text.size() || text[pos] != '.') return 0;
            ++pos;
        }
    }
    if (pos < text.size() && text[pos] != ' ') return 0;
    return pos;
}

}  // namespace

std::string sanitize_reply_text(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) c = ' ';
    }
    return out;
}

std::string format_reply(int code, std::string_view enhanced, std::string_view text) {
    std::string out;
    append_line(out, code, ' ', enhanced, text);
    return out;
}

std::string format_reply(std::string_view line) {
    std::string out = sanitize_reply_text(line);
    if (out.size() > kMaxReplyLineBytes - 2) out.resize(kMaxReplyLineBytes - 2);
    out += "\r\n";
    return out;
}

std::string format_multiline(int code, std::string_view enhanced, const std::vector<std::string>& lines) {
    if (lines.empty()) return format_reply(code, enhanced, "");
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i)
        append_line(out, code, i + 1 == lines.size() ? ' ' : '-', enhanced, lines[i]);
    return out;
}

bool closes_session(std::string_view reply) noexcept {
    return reply.substr(0, 3) == "421" || reply.substr(0, 3) == "521";
}

std::string SmtpReply::text() const {
    std::string out;
    for (const std::string& line : lines) {
        if (!out.empty()) out.push_back(' ');
        out += line;
    }
    return out;
}

bool ReplyParser::add_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool shaped = line.size() >= 3 && line[0] >= '2' && line[0] <= '5' && is_digit(line[1]) &&
                        is_digit(line[2]) && (line.size() == 3 || line[3] == ' ' || line[3] == '-');
    if (!shaped) {
        error_ = "malformed reply line";
        return false;
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!reply_.lines.empty() && code != reply_.code) {
        error_ = "reply code changes within a multi-line reply";
        return false;
    }
    if (reply_.lines.size() >= limits_.max_lines) {
        error_ = "too many reply lines";
        return false;
    }
    std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
    if (reply_.lines.empty()) {
        reply_.code = code;
        reply_.enhanced = std::string(text.substr(0, enhanced_code_length(text, code)));
    }
    if (!reply_.enhanced.empty() && text.substr(0, reply_.enhanced.size()) == reply_.enhanced &&
        enhanced_code_length(text, code) == reply_.enhanced.size()) {
        text.remove_prefix(std::min(text.size(), reply_.enhanced.size() + 1));
    }
    reply_.lines.emplace_back(text);
    complete_ = line.size() == 3 || line[3] == ' ';
    return true;
}

ReplyStatus ReplyParser::status() const noexcept {
    if (!error_.empty()) return ReplyStatus::Error;
    return complete_ ? ReplyStatus::Complete : ReplyStatus::NeedMore;
}

// A line may hold max_line_bytes and its CR: more, and it is too long
// whether or not its end has arrived.
bool ReplyParser::pending_too_long() const noexcept {
    if (pending_.size() <= limits_.max_line_bytes) return false;
    return pending_.size() > limits_.max_line_bytes + 1 || pending_.back() != '\r';
}

ReplyFeed ReplyParser::feed(std::string_view input) {
    std::size_t pos = 0;
    while (error_.empty() && !complete_ && pos < input.size()) {
        const std::size_t lf = input.find('\n', pos);
        const std::size_t end = lf == std::string_view::npos ? input.size() : lf;
        // Never hold more than one byte past the limit.
        pending_.append(input.substr(pos, std::min(end - pos, limits_.max_line_bytes + 2)));
        if (pending_too_long()) {
            error_ = "reply line too long";
            break;
        }
        if (lf == std::string_view::npos) {
            pos = input.size();
            break;
        }
        pos = lf + 1;
        const bool ok = add_line(pending_);
        pending_.clear();
        if (!ok) break;
    }
    return {status(), pos};
}

SmtpReply ReplyParser::take() {
    SmtpReply out = std::move(reply_);
    reply_ = {};
    complete_ = false;
    return out;
}

}  // namespace tern
