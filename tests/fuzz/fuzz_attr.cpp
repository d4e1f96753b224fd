// tests/fuzz/fuzz_attr.cpp - libFuzzer target for the attribute decoder (lib/mail/attr)
//
// SYNOPSIS
//     fuzz_attr [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/attr)
// DESCRIPTION
//     Input: byte 0 says how many chunk-size bytes follow (1..8); those
//     bytes, cycled, are the sizes (1..256) of the pieces in which the rest
//     of the input is fed to an AttrDecoder, as a socket might deliver it.
//     Every decoded message must re-encode to exactly the bytes it was
//     decoded from (the encoding is canonical) and decode again to the same
//     list. The decoder must always make progress and never read past a
//     message it has not handed out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/mail/attr.h"

namespace {

// Small limits so the fuzzer reaches every limit check quickly.
constexpr tern::AttrLimits kLimits{
    .max_attributes = 16, .max_name_bytes = 100, .max_value_bytes = 4096, .max_message_bytes = 16384};

void check(bool ok) {
    if (!ok) std::abort();
}

void check_message(const tern::AttrList& message, std::string_view wire) {
    const std::string again = tern::encode(message);
    check(again == wire);
    tern::AttrDecoder decoder(kLimits);
    auto used = decoder.feed(again);
    check(used.has_value() && *used == again.size());
    auto decoded = decoder.take_message();
    check(decoded.has_value() && *decoded == message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t table_size = bytes[0] % 8 + 1;
    if (size < 1 + table_size) return 0;
    const std::uint8_t* chunk_sizes = bytes + 1;
    const std::string_view stream(reinterpret_cast<const char*>(bytes + 1 + table_size), size - 1 - table_size);

    tern::AttrDecoder decoder(kLimits);
    std::size_t offset = 0;         // bytes of stream consumed
    std::size_t message_start = 0;  // where the current message began
    for (std::size_t chunk = 0; offset < stream.size(); ++chunk) {
        std::string_view piece = stream.substr(offset, std::size_t{chunk_sizes[chunk % table_size]} + 1);
        while (!piece.empty()) {
            check(decoder.want() >= 1);
            auto used = decoder.feed(piece);
            if (!used) {
                check(decoder.failed() && decoder.want() == 0 && !decoder.feed("x"));
                return 0;
            }
            check(*used <= piece.size());
            piece.remove_prefix(*used);
            offset += *used;
            auto message = decoder.take_message();
            if (message) {
                check_message(*message, stream.substr(message_start, offset - message_start));
                message_start = offset;
            } else {
                check(piece.empty());  // without a finished message, feed takes everything
            }
        }
    }
    return 0;
}
