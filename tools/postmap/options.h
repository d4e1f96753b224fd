// tools/postmap/options.h - postmap's command line
//
// SYNOPSIS
//     tern::Result<postmap::Options> o = postmap::parse_options(argc, argv);
//     if (!o) log_fatal("%s", o.error().text.c_str());
// DESCRIPTION
//     postmap [-finNoprsuvw] [-c config_dir] [-d key] [-q key] [type:]file...
//     as Postfix's postmap(1); see man/man1/postmap.1. -c sets MAIL_CONFIG
//     (so the config directory reaches everything that asks for it).
//     Postfix's -b, -h, -m, -F and -U are not supported and are refused.
// ERRORS
//     A Permanent Error whose text is Postfix's fatal message, e.g.
//     "usage: postmap ..." or "specify only one of -s or -q or -d".
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.h"

namespace postmap {

enum class Mode { Build, Query, Dump, Delete };
enum class Duplicates { Warn, Replace, Ignore };

struct Options {
    Mode mode = Mode::Build;
    std::string key;              // -q KEY / -d KEY; "-" reads keys from stdin
    bool fold_keys = true;        // -f clears
    bool incremental = false;     // -i
    bool include_null = true;     // -N sets, -n clears
    bool keep_privileges = false;  // -o
    bool inherit_mode = true;     // -p clears
    Duplicates duplicates = Duplicates::Warn;  // -r, -w
    int verbose = 0;
    std::vector<std::string> maps;  // [type:]file as given
};

inline constexpr const char* kUsage =
    "usage: postmap [-finNoprsuvw] [-c config_dir] [-d key] [-q key] [map_type:]file...";

[[nodiscard]] tern::Result<Options> parse_options(int argc, char** argv);

}  // namespace postmap
