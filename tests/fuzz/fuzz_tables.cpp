// tests/fuzz/fuzz_tables.cpp - libFuzzer target: regexp, cidr and inline table parsers and lookups
//
// DESCRIPTION
//     The first byte picks the parser (regexp, cidr, inline, texthash);
//     the rest, up to the first "\n---\n", is the table text, and each
//     line after it is a key to look up. With no keys a few fixed ones are
//     used. Seeds: tests/fuzz/corpus/tables/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/mail/tables/table.h"

namespace {

constexpr std::string_view kFixedKeys[] = {"", "a", "10.1.2.3", "2001:db8::1", "User@Example.COM", "foo bar"};
// glibc's regexec costs grow faster than linearly with the key (see
// posix_regex.h), so keys stay short here; the parsers are the target.
constexpr std::size_t kMaxKeys = 8;
constexpr std::size_t kMaxFuzzKeyBytes = 64;

void look_up(const tern::LookupTable& table, std::string_view key) {
    auto value = table.lookup(key);
    if (value && *value) (void)(*value)->size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
    const std::size_t split = input.find("\n---\n");
    const std::string_view text = input.substr(0, split);
    std::string_view keys = split == std::string_view::npos ? std::string_view() : input.substr(split + 5);
    tern::TableOptions options;
    options.log_warnings = false;
    options.max_key_bytes = kMaxFuzzKeyBytes;
    tern::Result<tern::TablePtr> table;
    switch (data[0] % 4) {
        case 0: table = tern::parse_regexp_table(text, "fuzz", options); break;
        case 1: table = tern::parse_cidr_table(text, "fuzz", options); break;
        case 2: table = tern::parse_inline_table(text, options); break;
        default: table = tern::parse_texthash_table(text, "fuzz", options); break;
    }
    if (!table) return 0;
    (void)(*table)->for_each([](std::string_view, std::string_view) { return true; });
    if (keys.empty()) {
        for (const std::string_view key : kFixedKeys) look_up(**table, key);
        return 0;
    }
    for (std::size_t n = 0; n < kMaxKeys && !keys.empty(); ++n) {
        const std::size_t newline = keys.find('\n');
        look_up(**table, keys.substr(0, newline));
        keys.remove_prefix(newline == std::string_view::npos ? keys.size() : newline + 1);
    }
    return 0;
}
