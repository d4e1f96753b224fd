// tests/fuzz/fuzz_main_cf.cpp - libFuzzer target for main.cf parsing and $name expansion
//
// SYNOPSIS
//     fuzz_main_cf [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/main_cf)
// DESCRIPTION
//     The input is main.cf text. Config::parse must either fail with a
//     "FILE, line N: " message or give a Config in which every name that
//     is set, and every parameter of the table, can be expanded and typed
//     without crashing, hanging or growing past kMaxExpandedBytes;
//     validate() and unknown_entries() must finish too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lib/mail/config.h"

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto cfg = tern::Config::parse(text, "main.cf");
    if (!cfg) {
        check(cfg.error().text.starts_with("main.cf, line ") || cfg.error().text.starts_with("main.cf: "));
        return 0;
    }
    for (const tern::ConfigEntry& entry : cfg->entries()) {
        check(!entry.name.empty());
        auto value = cfg->expanded(entry.name);
        if (value) check(value->size() <= tern::kMaxExpandedBytes);
        (void)cfg->list(entry.name);
    }
    for (const tern::ParamSpec& spec : tern::all_params()) {
        if (!cfg->is_set(spec.name)) continue;
        (void)cfg->integer(spec.name);
        (void)cfg->seconds(spec.name);
        (void)cfg->boolean(spec.name);
    }
    (void)cfg->validate();
    (void)cfg->unknown_entries();
    return 0;
}
