// lib/mail/smtp_data.cpp - decode the message content of SMTP DATA and BDAT
#include "lib/mail/smtp_data.h"

#include <algorithm>

namespace tern {

// Content past max_message_bytes is counted, not emitted; what is emitted
// does not depend on how the input was cut into pieces.
void DataDecoder::emit(std::string& out, std::string_view bytes) {
    const std::uint64_t before = content_bytes_;
    content_bytes_ += bytes.size();
    if (rejected_) return;
    const std::uint64_t limit = limits_.max_message_bytes;
    if (limit != 0 && content_bytes_ > limit) bytes = bytes.substr(0, before < limit ? limit - before : 0);
    out.append(bytes);
}

// CRLF ended the line: a "." line after it may end the message.
void DataDecoder::end_line_crlf(std::string& out) {
    emit(out, "\r\n");
    line_bytes_ = 0;
    state_ = State::LineStart;
    line_can_end_ = true;
}

// A bare LF ended the line: a "." line after it must not end the message,
// or "<LF>.<CR><LF>" could smuggle a second message past a filter.
void DataDecoder::end_line_bare_lf(std::string& out) {
    bare(out, "\n");
    state_ = State::LineStart;
    line_can_end_ = false;
}

// A CR not followed by LF is data; c is then read in the middle of a line.
void DataDecoder::lone_cr_then(char c, std::string& out) {
    bare(out, "\r");
    state_ = State::MidLine;
    step_mid_line(c, out);
}

// A bare LF (as_data == "\n") or a lone CR (as_data == "\r").
void DataDecoder::bare(std::string& out, std::string_view as_data) {
    ++bare_newlines_;
    const bool is_lf = as_data == "\n";
    if (is_lf) line_bytes_ = 0;
    if (limits_.bare_newline == BareNewline::Reject) {
        rejected_ = true;
        return;
    }
    // Normalize: a bare LF ends the line as CRLF would; a lone CR is data.
    if (is_lf) {
        emit(out, "\r\n");
        return;
    }
    emit(out, as_data);
    ++line_bytes_;
}

void DataDecoder::step_line_start(char c, std::string& out) {
    switch (c) {
    case '.':
        ++line_bytes_;
        state_ = State::Dot;
        return;
    case '\r': state_ = State::Cr; return;
    case '\n': end_line_bare_lf(out); return;
    default:
        ++line_bytes_;
        emit(out, std::string_view(&c, 1));
        state_ = State::MidLine;
        return;
    }
}

void DataDecoder::step_mid_line(char c, std::string& out) {
    if (c == '\r') {
        state_ = State::Cr;
        return;
    }
    if (c == '\n') {
        end_line_bare_lf(out);
        return;
    }
    if (++line_bytes_ == limits_.max_line_bytes + 1) ++long_lines_;
    emit(out, std::string_view(&c, 1));
}

void DataDecoder::step(char c, std::string& out) {
    switch (state_) {
    case State::LineStart: step_line_start(c, out); return;
    case State::MidLine: step_mid_line(c, out); return;
    case State::Cr:
        if (c == '\n') {
            end_line_crlf(out);
            return;
        }
        lone_cr_then(c, out);
        return;
    case State::Dot:
        // RFC 5321 section 4.5.2: a line that starts with "." loses that
        // first "." when more follows; "." alone may be the end.
        if (c == '\r') {
            state_ = State::DotCr;
            return;
        }
        if (c == '\n') {
            end_line_bare_lf(out);
            return;
        }
        state_ = State::MidLine;
        step_mid_line(c, out);
        return;
    case State::DotCr:
        if (c == '\n') {
            if (line_can_end_) {
                state_ = State::Done;
                return;
            }
            end_line_crlf(out);  // "." after a bare LF: an empty line, not the end
            return;
        }
        lone_cr_then(c, out);
        return;
    case State::Done: return;
    }
}

// In the middle of a line, copies bytes up to the next CR or LF at once.
std::size_t DataDecoder::copy_run(std::string_view input, std::string& out) {
    const std::size_t end = std::min(input.find_first_of("\r\n"), input.size());
    if (end == 0) return 0;
    const std::uint64_t before = line_bytes_;
    line_bytes_ += end;
    if (before <= limits_.max_line_bytes && line_bytes_ > limits_.max_line_bytes) ++long_lines_;
    emit(out, input.substr(0, end));
    return end;
}

DataFeed DataDecoder::feed(std::string_view input, std::string& out) {
    if (state_ == State::Done) return {problem() == DataProblem::None ? DataVerdict::End : DataVerdict::Error, 0};
    std::size_t pos = 0;
    while (pos < input.size()) {
        if (state_ == State::MidLine) {
            const std::size_t copied = copy_run(input.substr(pos), out);
            pos += copied;
            if (copied != 0) continue;
        }
        step(input[pos++], out);
        if (state_ == State::Done)
            return {problem() == DataProblem::None ? DataVerdict::End : DataVerdict::Error, pos};
    }
    return {DataVerdict::NeedMore, pos};
}

DataProblem DataDecoder::problem() const noexcept {
    if (rejected_) return DataProblem::BareNewline;
    if (limits_.max_message_bytes != 0 && content_bytes_ > limits_.max_message_bytes) return DataProblem::TooBig;
    return DataProblem::None;
}

bool ChunkDecoder::begin_chunk(std::uint64_t chunk_bytes, bool last) noexcept {
    in_chunk_ = true;
    last_ = last;
    remaining_ = chunk_bytes;
    const std::uint64_t limit = limits_.max_message_bytes;
    if (limit != 0 && (chunk_bytes > limit || content_bytes_ > limit - chunk_bytes)) too_big_ = true;
    return !too_big_;
}

void ChunkDecoder::check_newlines(std::string_view bytes) noexcept {
    if (limits_.bare_newline != BareNewline::Reject) return;
    for (const char c : bytes) {
        if ((c == '\n') != after_cr_) rejected_ = true;  // bare LF, or CR not followed by LF
        after_cr_ = c == '\r';
    }
}

ChunkFeed ChunkDecoder::feed(std::string_view input, std::string& out) {
    if (!in_chunk_) return {last_ ? ChunkVerdict::MessageDone : ChunkVerdict::ChunkDone, 0};
    const std::size_t taken = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
    const std::string_view bytes = input.substr(0, taken);
    check_newlines(bytes);
    content_bytes_ += taken;
    remaining_ -= taken;
    if (!too_big_ && !rejected_) out.append(bytes);
    if (remaining_ > 0) return {ChunkVerdict::NeedMore, taken};
    in_chunk_ = false;
    if (!last_) return {ChunkVerdict::ChunkDone, taken};
    if (after_cr_ && limits_.bare_newline == BareNewline::Reject) rejected_ = true;  // ends in a lone CR
    return {ChunkVerdict::MessageDone, taken};
}

DataProblem ChunkDecoder::problem() const noexcept {
    if (rejected_) return DataProblem::BareNewline;
    if (too_big_) return DataProblem::TooBig;
    return DataProblem::None;
}

std::string data_error_reply(DataProblem problem, int bare_newline_code, std::string_view myhostname) {
    switch (problem) {
    case DataProblem::None: return {};
    case DataProblem::TooBig: return "552 5.3.4 Message size exceeds fixed limit";
    case DataProblem::BareNewline:
        return std::to_string(bare_newline_code) + " 5.5.2 " + std::string(myhostname) + " Error: bare <LF> received";
    }
    return {};
}

}  // namespace tern
