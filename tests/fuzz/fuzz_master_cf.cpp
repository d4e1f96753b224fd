// tests/fuzz/fuzz_master_cf.cpp - libFuzzer target for master.cf parsing
//
// SYNOPSIS
//     fuzz_master_cf [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/master_cf)
// DESCRIPTION
//     The input is master.cf text, parsed against a small main.cf that
//     defines a few parameters (so $name in arguments expands). The parse
//     either fails with a "FILE, line N: " message or returns services
//     whose fields keep the documented invariants: eight columns, unique
//     name/type keys, every -o override also present in args.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string_view>

#include "lib/mail/master_cf.h"

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}

const tern::Config& main_cf() {
    static const tern::Config cfg = *tern::Config::parse(
        "myhostname = mx.example.com\nsubmission_restrictions = permit_sasl_authenticated, reject\n"
        "default_process_limit = 50\n",
        "main.cf");
    return cfg;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto services = tern::parse_master_cf(text, "master.cf", main_cf());
    if (!services) {
        check(services.error().text.starts_with("master.cf, line ") || services.error().text.starts_with("master.cf: "));
        return 0;
    }
    std::set<std::string> keys;
    for (const tern::MasterService& s : *services) {
        check(!s.name.empty() && !s.command.empty());
        check(keys.insert(s.key()).second);
        check(s.max_processes >= 0 && s.wakeup_s >= 0);
        std::size_t dash_o = 0;
        for (const std::string& arg : s.args) dash_o += arg == "-o" ? 1 : 0;
        check(dash_o >= s.overrides.size());
        if (s.type == tern::ServiceType::Inet) check(!s.private_access);
    }
    return 0;
}
