// tests/fuzz/fuzz_mailbox_content.cpp - libFuzzer target for the mailbox line filter (lib/mail/mailbox_content)
//
// SYNOPSIS
//     fuzz_mailbox_content [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/mailbox_content)
// DESCRIPTION
//     Input: byte 0 is a split step (1..256), the rest the stored content.
//     The content is filtered whole and in pieces of that size, with and
//     without "From " quoting; both results must be equal, and (quoting
//     on) no line may start with "From ". Output grows by at most one
//     byte per "From " line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/mail/mailbox_content.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

std::string run(std::string_view input, std::size_t step, bool quote) {
    tern::MailboxLineFilter filter(quote);
    std::string out;
    for (std::size_t at = 0; at < input.size(); at += step) filter.feed(input.substr(at, step), out);
    filter.finish(out);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t step = static_cast<std::size_t>(data[0]) + 1;
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    for (const bool quote : {false, true}) {
        const std::string whole = run(input, input.size() + 1, quote);
        check(run(input, step, quote) == whole);
        check(whole.size() <= input.size() * 2 + 1);
        if (quote) check(whole.rfind("From ", 0) != 0 && whole.find("\nFrom ") == std::string::npos);
    }
    return 0;
}
