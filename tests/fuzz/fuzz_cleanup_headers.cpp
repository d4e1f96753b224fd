// tests/fuzz/fuzz_cleanup_headers.cpp - libFuzzer target for cleanup's header-section parser (cleanup/headers.h)
//
// SYNOPSIS
//     fuzz_cleanup_headers [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/cleanup_headers)
// DESCRIPTION
//     Input: byte 0 sets header_size_limit (2..257), byte 1 the size of
//     the pieces (1..256) in which the rest is fed. Checks:
//       - whole and in pieces give the same headers, flags and body;
//       - on_end_of_headers comes exactly once, before any body byte;
//       - no header is longer than the limit;
//       - without truncation nothing is lost or changed: the headers and
//         the body put together are the input;
//       - the body is always a suffix of the input (body bytes are never
//         dropped).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cleanup/headers.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

struct Collect final : cleanup::HeaderSink {
    std::vector<std::string> headers;
    std::vector<bool> truncated;
    std::string body;
    int ends = 0;
    void on_header(std::string_view h, bool t) override {
        check(ends == 0);
        headers.emplace_back(h);
        truncated.push_back(t);
    }
    void on_end_of_headers() override { ++ends; }
    void on_body(std::string_view b) override {
        check(ends == 1);
        body.append(b);
    }
};

Collect run(std::string_view input, std::size_t limit, std::size_t step) {
    cleanup::HeaderParser parser({.header_size_limit = limit});
    Collect c;
    for (std::size_t i = 0; i < input.size(); i += step) parser.feed(input.substr(i, step), c);
    parser.finish(c);
    check(c.ends == 1);
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t limit = 2 + data[0];
    const std::size_t step = 1 + data[1];
    const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
    const Collect whole = run(input, limit, input.size() + 1);
    const Collect pieces = run(input, limit, step);
    check(whole.headers == pieces.headers && whole.truncated == pieces.truncated && whole.body == pieces.body);
    bool any_truncated = false;
    std::string joined;
    for (std::size_t i = 0; i < whole.headers.size(); ++i) {
        check(whole.headers[i].size() <= limit);
        any_truncated = any_truncated || whole.truncated[i];
        joined += whole.headers[i];
    }
    check(whole.body.size() <= input.size() && input.substr(input.size() - whole.body.size()) == whole.body);
    if (!any_truncated) check(joined + whole.body == input);
    return 0;
}
