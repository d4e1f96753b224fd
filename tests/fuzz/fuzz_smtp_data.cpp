// tests/fuzz/fuzz_smtp_data.cpp - libFuzzer target for the DATA and BDAT decoders (lib/mail/smtp_data)
//
// SYNOPSIS
//     fuzz_smtp_data [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/smtp_data)
// DESCRIPTION
//     Input: byte 0 holds flags (bit 0: BareNewline::Normalize, bit 1: a
//     64-byte message size limit, bit 2: an 8-byte line limit); byte 1 says
//     how many chunk-size bytes follow (1..8); those bytes, cycled, are the
//     sizes (1..256) of the pieces in which the rest is fed. Checks:
//       - whole and in pieces give the same content, verdict, end and counts;
//       - DATA ends exactly at the first CRLF "." CRLF (with a CRLF assumed
//         before the first byte), and never anywhere else;
//       - with nothing wrong, the content is the dot-unstuffed lines;
//       - under Reject, a clean verdict means no bare LF or lone CR was sent;
//       - the BDAT decoder, given the same bytes as one chunk, passes them
//         through unchanged and flags bare newlines exactly when present.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/mail/smtp_data.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

struct Run {
    tern::DataVerdict verdict = tern::DataVerdict::NeedMore;
    std::size_t consumed = 0;
    std::string content;
    tern::DataProblem problem = tern::DataProblem::None;
    std::uint64_t long_lines = 0;
    std::uint64_t content_bytes = 0;
};

Run run(std::string_view stream, const tern::DataLimits& limits, const std::uint8_t* sizes, std::size_t table) {
    tern::DataDecoder decoder(limits);
    Run result;
    for (std::size_t chunk = 0; result.consumed < stream.size(); ++chunk) {
        const std::size_t size = table == 0 ? stream.size() : std::size_t{sizes[chunk % table]} + 1;
        const std::string_view piece = stream.substr(result.consumed, size);
        const tern::DataFeed fed = decoder.feed(piece, result.content);
        check(fed.consumed <= piece.size());
        result.consumed += fed.consumed;
        result.verdict = fed.verdict;
        if (fed.verdict != tern::DataVerdict::NeedMore) break;
        check(fed.consumed == piece.size());
    }
    result.problem = decoder.problem();
    result.long_lines = decoder.long_lines();
    result.content_bytes = decoder.content_bytes();
    return result;
}

bool has_bare_newline(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) return true;
        if (bytes[i] == '\r' && (i + 1 == bytes.size() || bytes[i + 1] != '\n')) return true;
    }
    return false;
}

// The content of clean DATA up to its end: lines split at CRLF, one
// leading dot removed from each (RFC 5321 section 4.5.2).
std::string unstuff(std::string_view body) {
    std::string out;
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = body.find("\r\n", pos);
        end = end == std::string_view::npos ? body.size() : end + 2;
        std::string_view line = body.substr(pos, end - pos);
        if (!line.empty() && line.front() == '.') line.remove_prefix(1);
        out.append(line);
        pos = end;
    }
    return out;
}

void check_data(std::string_view stream, const tern::DataLimits& limits, const std::uint8_t* sizes, std::size_t table) {
    const Run whole = run(stream, limits, sizes, 0);
    const Run pieces = run(stream, limits, sizes, table);
    check(whole.verdict == pieces.verdict && whole.consumed == pieces.consumed);
    check(whole.content == pieces.content && whole.problem == pieces.problem);
    check(whole.long_lines == pieces.long_lines && whole.content_bytes == pieces.content_bytes);

    const std::string framed = "\r\n" + std::string(stream);
    const std::size_t marker = framed.find("\r\n.\r\n");
    if (whole.verdict == tern::DataVerdict::NeedMore) {
        check(marker == std::string::npos && whole.consumed == stream.size());
        return;
    }
    check(marker != std::string::npos && marker + 5 == whole.consumed + 2);
    check((whole.verdict == tern::DataVerdict::End) == (whole.problem == tern::DataProblem::None));
    const std::string_view body = stream.substr(0, whole.consumed >= 3 ? whole.consumed - 3 : 0);
    if (limits.bare_newline == tern::BareNewline::Reject)
        check((whole.problem == tern::DataProblem::BareNewline) == has_bare_newline(body));
    if (whole.problem == tern::DataProblem::None && limits.bare_newline == tern::BareNewline::Reject)
        check(whole.content == unstuff(body));
    if (limits.max_message_bytes != 0) check(whole.content.size() <= limits.max_message_bytes);
}

void check_bdat(std::string_view stream, const tern::DataLimits& limits, const std::uint8_t* sizes, std::size_t table) {
    tern::ChunkDecoder chunks(limits);
    const bool fits = chunks.begin_chunk(stream.size(), true);
    std::string out;
    std::size_t consumed = 0;
    tern::ChunkVerdict verdict = tern::ChunkVerdict::NeedMore;
    for (std::size_t chunk = 0; verdict == tern::ChunkVerdict::NeedMore; ++chunk) {
        const tern::ChunkFeed fed = chunks.feed(stream.substr(consumed, std::size_t{sizes[chunk % table]} + 1), out);
        consumed += fed.consumed;
        verdict = fed.verdict;
    }
    check(consumed == stream.size() && verdict == tern::ChunkVerdict::MessageDone);
    const bool bare = limits.bare_newline == tern::BareNewline::Reject && has_bare_newline(stream);
    check((chunks.problem() == tern::DataProblem::BareNewline) == bare);
    if (!bare) check(fits == (chunks.problem() == tern::DataProblem::None));
    if (chunks.problem() == tern::DataProblem::None) check(out == stream);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t flags = bytes[0];
    const std::size_t table = bytes[1] % 8 + 1;
    if (size < 2 + table) return 0;
    const std::uint8_t* sizes = bytes + 2;
    const std::string_view stream(reinterpret_cast<const char*>(bytes + 2 + table), size - 2 - table);
    const tern::DataLimits limits{
        .max_message_bytes = (flags & 2) != 0 ? 64u : 0u,
        .max_line_bytes = (flags & 4) != 0 ? 8u : 2048u,
        .bare_newline = (flags & 1) != 0 ? tern::BareNewline::Normalize : tern::BareNewline::Reject,
    };
    check_data(stream, limits, sizes, table);
    check_bdat(stream, limits, sizes, table);
    return 0;
}
