// tests/fuzz/fuzz_showq.cpp - libFuzzer target for what postqueue reads from showq, and alias lines
//
// SYNOPSIS
//     fuzz_showq [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/showq)
// DESCRIPTION
//     Byte 0 picks the parser. Even: the rest is a showq answer; attribute
//     messages are decoded (lib/mail/attr.h) and fed to ListingAssembler
//     (lib/mail/queue_listing.h), and each message it hands out is printed
//     as mailq text and as a JSON line (tools/postqueue/format.h); a
//     message must survive encode -> assemble unchanged. Odd: the rest is
//     one aliases(5) line for parse_alias_line (tools/postalias/aliases.h);
//     a parsed value must already be in normal form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/mail/attr.h"
#include "lib/mail/queue_listing.h"
#include "tools/postalias/aliases.h"
#include "tools/postqueue/format.h"

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void check_round_trip(const tern::ListedMessage& message) {
    std::string wire;
    tern::encode_listed_message(message, wire);
    tern::AttrDecoder decoder;
    tern::ListingAssembler assembler;
    std::string_view input = wire;
    while (!input.empty()) {
        tern::Result<std::size_t> used = decoder.feed(input);
        check(used.has_value());
        input.remove_prefix(*used);
        std::optional<tern::AttrList> record = decoder.take_message();
        if (!record) continue;
        tern::Result<std::optional<tern::ListedMessage>> back = assembler.feed(*record);
        check(back.has_value());
        if (*back) check(**back == message);
    }
}

void fuzz_listing(std::string_view input) {
    tern::AttrDecoder decoder({.max_attributes = 16, .max_value_bytes = 4096, .max_message_bytes = 16384});
    tern::ListingAssembler assembler({.max_recipients = 64});
    postqueue::TextListing text(postqueue::IdLayout::Long);  // the layout postqueue prints
    std::string out;
    while (!input.empty() && !assembler.done()) {
        tern::Result<std::size_t> used = decoder.feed(input);
        if (!used) return;
        input.remove_prefix(*used);
        std::optional<tern::AttrList> record = decoder.take_message();
        if (!record) continue;
        tern::Result<std::optional<tern::ListedMessage>> message = assembler.feed(*record);
        if (!message) return;
        if (!*message) continue;
        text.add(**message, out);
        check(postqueue::json_line(**message).back() == '\n');
        check_round_trip(**message);
        out.clear();
    }
    text.finish(out);
}

void fuzz_alias(std::string_view line) {
    const postalias::AliasLine parsed = postalias::parse_alias_line(line, true);
    if (!parsed.entry) {
        check(!parsed.problem.empty());
        return;
    }
    check(!parsed.entry->name.empty() && !parsed.entry->value.empty());
    check(postalias::normalize_alias_value(parsed.entry->value) == parsed.entry->value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 2 == 0) fuzz_listing(input);
    else fuzz_alias(input);
    return 0;
}
