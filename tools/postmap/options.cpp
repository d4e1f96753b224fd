// tools/postmap/options.cpp - postmap's command line
#include "tools/postmap/options.h"

#include <getopt.h>
#include <stdlib.h>

#include <cerrno>

namespace postmap {

namespace {

tern::Status set_mode(Options& options, Mode mode, const char* key) {
    if (options.mode != Mode::Build) return tern::fail(tern::Retry::Permanent, "specify only one of -s or -q or -d");
    options.mode = mode;
    if (key != nullptr) options.key = key;
    return {};
}

}  // namespace

tern::Result<Options> parse_options(int argc, char** argv) {
    Options options;
    ::optind = 0;  // glibc: start over (unit tests parse many command lines)
    ::opterr = 0;  // our usage message says it all, without argv[0]'s path
    int option = 0;
    while ((option = ::getopt(argc, argv, "c:d:finNopq:rsuvw")) != -1) {
        tern::Status mode_ok;
        switch (option) {
            case 'c':
                if (optarg[0] != '/') return tern::fail(tern::Retry::Permanent, "-c requires absolute pathname");
                if (::setenv("MAIL_CONFIG", optarg, 1) != 0)
                    return tern::fail(tern::Retry::Permanent, "setenv MAIL_CONFIG", errno);
                break;
            case 'd': mode_ok = set_mode(options, Mode::Delete, optarg); break;
            case 'f': options.fold_keys = false; break;
            case 'i': options.incremental = true; break;
            case 'n': options.include_null = false; break;
            case 'N': options.include_null = true; break;
            case 'o': options.keep_privileges = true; break;
            case 'p': options.inherit_mode = false; break;
            case 'q': mode_ok = set_mode(options, Mode::Query, optarg); break;
            case 'r': options.duplicates = Duplicates::Replace; break;
            case 's': mode_ok = set_mode(options, Mode::Dump, nullptr); break;
            case 'u': break;  // Postfix: disable UTF-8 support; tern does no UTF-8 checks here
            case 'v': ++options.verbose; break;
            case 'w': options.duplicates = Duplicates::Ignore; break;
            default: return tern::fail(tern::Retry::Permanent, kUsage);
        }
        if (!mode_ok) return tl::unexpected(mode_ok.error());
    }
    if (options.incremental && options.mode != Mode::Build)
        return tern::fail(tern::Retry::Permanent, "-i cannot be used with -s, -q or -d");
    for (int i = optind; i < argc; ++i) options.maps.emplace_back(argv[i]);
    if (options.maps.empty()) return tern::fail(tern::Retry::Permanent, kUsage);
    return options;
}

}  // namespace postmap
