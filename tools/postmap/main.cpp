// postmap - build, query and list Postfix-compatible lookup tables (man/man1/postmap.1)
//
// SYNOPSIS
//     postmap [-finNoprsuvw] [-c config_dir] [-d key] [-q key] [type:]file...
// DESCRIPTION
//     Without -q, -s or -d: builds FILE.db from the text FILE for each
//     argument (type hash: or btree:, default default_database_type from
//     main.cf), or with -i adds "key value" lines from standard input.
//     -q KEY looks KEY up in the tables in order and prints the first
//     value; -q - looks up each line of standard input; -s lists every
//     entry; -d KEY (or -d - for keys on standard input) deletes. Modules:
//     options.cpp (command line), build.cpp (writes), query.cpp (reads),
//     lib/mail/tables/owner_ids.cpp (work as the source file's owner).
// SECURITY
//     Run by root, builds are done with the effective IDs of the source
//     file's owner unless -o (as Postfix). Tables are replaced by rename,
//     never rewritten in place.
// ERRORS
//     Exit 0 on success and when -q finds a key, 1 when it finds none,
//     when -d deletes nothing, and on any error ("postmap: fatal: ...").
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "tools/postmap/build.h"
#include "tools/postmap/options.h"
#include "tools/postmap/query.h"

namespace {

// Standard input, whole, up to the size postmap accepts for a source.
std::string read_stdin() {
    std::string text;
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) tern::log_fatal("read standard input: %s", std::strerror(errno));
        if (n == 0) return text;
        if (text.size() + static_cast<std::size_t>(n) > postmap::kMaxSourceBytes)
            tern::log_fatal("standard input is larger than %zu bytes", postmap::kMaxSourceBytes);
        text.append(chunk, static_cast<std::size_t>(n));
    }
}

int run_delete(const std::vector<tern::TableSpec>& specs, const postmap::Options& options) {
    std::vector<std::string> keys;
    if (options.key == "-") {
        for (const std::string_view line : postmap::split_lines(read_stdin()))
            if (!line.empty()) keys.emplace_back(line);
    } else {
        keys.push_back(options.key);
    }
    bool deleted = false;
    for (const tern::TableSpec& spec : specs) {
        tern::Result<bool> gone = postmap::delete_keys(spec, keys, options);
        if (!gone) tern::log_fatal("%s", gone.error().describe().c_str());
        deleted = deleted || *gone;
    }
    return deleted ? 0 : 1;
}

int run_build(const std::vector<tern::TableSpec>& specs, const postmap::Options& options) {
    const std::string input = options.incremental ? read_stdin() : std::string();
    for (const tern::TableSpec& spec : specs) {
        const tern::Status built =
            options.incremental ? postmap::add_to_map(spec, input, options) : postmap::build_map(spec, options);
        if (!built) tern::log_fatal("%s", built.error().describe().c_str());
    }
    return 0;
}

int run(const std::vector<tern::TableSpec>& specs, const postmap::Options& options) {
    switch (options.mode) {
        case postmap::Mode::Query:
            if (options.key == "-") return postmap::query_stream(specs, read_stdin(), options, stdout);
            return postmap::query_key(specs, options.key, options, stdout);
        case postmap::Mode::Dump: return postmap::dump_maps(specs, options, stdout);
        case postmap::Mode::Delete: return run_delete(specs, options);
        case postmap::Mode::Build: return run_build(specs, options);
    }
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    tern::log_open("tern/postmap", "postmap");
    tern::Result<postmap::Options> options = postmap::parse_options(argc, argv);
    if (!options) tern::log_fatal("%s", options.error().text.c_str());
    tern::log_set_verbosity(options->verbose);
    tern::Result<tern::Config> config = tern::Config::load(tern::default_config_dir());
    if (!config) tern::log_fatal("%s", config.error().describe().c_str());
    std::string default_type = config->get("default_database_type");
    if (default_type.empty()) default_type = "hash";
    std::vector<tern::TableSpec> specs;
    for (const std::string& map : options->maps) specs.push_back(postmap::map_spec(map, default_type));
    const int status = run(specs, *options);
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        tern::log_fatal("write standard output: %s", std::strerror(errno));
    return status;
}
