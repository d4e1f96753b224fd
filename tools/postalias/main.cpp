// postalias - build, query and list alias databases (man/man1/postalias.1)
//
// SYNOPSIS
//     postalias [-fNnorsvw] [-c config_dir] [-q key] [type:]file...
//     newaliases                 (postalias on every alias_database entry)
// DESCRIPTION
//     Without -q or -s: builds FILE.db from the aliases(5) file FILE for
//     each argument (aliases.h parses the entries), through
//     tern::DbWriter, so a reader sees the old table or the new one, never
//     half of one. As Postfix's postalias it warns about a line it cannot
//     use ("FILE, line N: need name:value pair") and a duplicate name
//     ("FILE.db: duplicate entry: "root"", first value kept unless -r,
//     no warning with -w), and adds the sendmail "@" -> "@" record that
//     says the database is complete and the NIS records YP_LAST_MODIFIED
//     (the build time) and YP_MASTER_NAME (myhostname). -N stores keys and values with a
//     trailing NUL, -n without; the default is with, as Postfix on Linux.
//     -q KEY prints the value from the first table that has it (exit 1
//     when none has), -s prints every entry as "key:<TAB>value". Keys
//     fold to lower case unless -f. Bare file names get
//     default_database_type. Run as "newaliases", or with no table
//     argument, it builds every entry of alias_database.
// SECURITY
//     Run by root, a build is done with the effective IDs of the source
//     file's owner unless -o (tern::OwnerIds, as postmap and Postfix's
//     postalias), so a user's aliases file cannot make root write where
//     the user may not.
// ERRORS
//     Exit 0 on success and when -q finds a key, 1 when it finds none and
//     on any error ("postalias: fatal: ...").
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/config.h"
#include "lib/mail/tables/db_table.h"
#include "lib/mail/tables/db_writer.h"
#include "lib/mail/tables/owner_ids.h"
#include "lib/mail/tables/table.h"
#include "lib/mail/tables/table_text.h"
#include "tools/postalias/aliases.h"

namespace {

constexpr const char* kUsage = "usage: postalias [-fNnorsvw] [-c config_dir] [-q key] [map_type:]file...";
constexpr std::size_t kMaxSourceBytes = 512 * 1024 * 1024;

enum class Mode { Build, Query, Dump };

struct Options {
    Mode mode = Mode::Build;
    std::string key;
    bool fold = true;
    bool include_null = true;
    bool replace = false;
    bool keep_privileges = false;  // -o
    bool warn_duplicates = true;
    int verbose = 0;
    std::vector<std::string> maps;
};

void set_mode(Options& options, Mode mode) {
    if (options.mode != Mode::Build) tern::log_fatal("specify only one of -s or -q");
    options.mode = mode;
}

Options parse_options(int argc, char** argv) {
    Options options;
    int c = 0;
    while ((c = ::getopt(argc, argv, "c:fNnoq:rsvw")) != -1) {
        switch (c) {
            case 'c':
                if (::setenv("MAIL_CONFIG", optarg, 1) != 0) tern::log_fatal("setenv: %s", std::strerror(errno));
                break;
            case 'f': options.fold = false; break;
            case 'N': options.include_null = true; break;
            case 'n': options.include_null = false; break;
            case 'o': options.keep_privileges = true; break;
            case 'q': set_mode(options, Mode::Query); options.key = optarg; break;
            case 'r': options.replace = true; break;
            case 's': set_mode(options, Mode::Dump); break;
            case 'v': ++options.verbose; break;
            case 'w': options.warn_duplicates = false; break;
            default: tern::log_fatal("%s", kUsage);
        }
    }
    for (int i = optind; i < argc; ++i) options.maps.emplace_back(argv[i]);
    return options;
}

tern::TableSpec map_spec(const std::string& argument, const std::string& default_type) {
    if (tern::Result<tern::TableSpec> spec = tern::split_table_spec(argument)) return *spec;
    return tern::TableSpec{default_type, argument};
}

tern::DbType writable_type(const tern::TableSpec& spec) {
    if (spec.type == "hash") return tern::DbType::Hash;
    if (spec.type == "btree") return tern::DbType::Btree;
    tern::log_fatal("unsupported dictionary type for writing: %s (postalias writes hash: and btree: tables)",
                    tern::printable(spec.type, 100).c_str());
}

void add_entry(tern::DbWriter& writer, const postalias::AliasEntry& entry, const Options& options) {
    if (options.replace) {
        if (tern::Status st = writer.replace(entry.name, entry.value); !st)
            tern::log_fatal("%s", st.error().describe().c_str());
        return;
    }
    tern::Result<bool> added = writer.add(entry.name, entry.value);
    if (!added) tern::log_fatal("%s", added.error().describe().c_str());
    if (!*added && options.warn_duplicates)
        tern::log_warning("%s: duplicate entry: \"%s\"", tern::printable(writer.db_path(), 500).c_str(),
                          tern::printable(entry.name, 200).c_str());
}

void build(const tern::TableSpec& spec, const Options& options, const std::string& myhostname) {
    const tern::DbType type = writable_type(spec);
    tern::Result<tern::TableFile> source = tern::read_table_file(spec.name, kMaxSourceBytes);
    if (!source) tern::log_fatal("%s", source.error().describe().c_str());
    std::optional<tern::OwnerIds> owner;
    if (!options.keep_privileges) {
        tern::Result<tern::OwnerIds> ids = tern::OwnerIds::become(source->owner, source->group);
        if (!ids) tern::log_fatal("%s", ids.error().describe().c_str());
        owner.emplace(std::move(*ids));
    }
    tern::DbWriteOptions write_options;
    write_options.include_null = options.include_null;
    write_options.new_file_mode = source->mode;
    tern::Result<tern::DbWriter> writer = tern::DbWriter::begin(tern::db_file_path(spec.name), type, write_options);
    if (!writer) tern::log_fatal("%s", writer.error().describe().c_str());
    const auto warn = [&](int line, const std::string& why) {
        tern::log_warning("%s, line %d: %s", tern::printable(spec.name, 500).c_str(), line, why.c_str());
    };
    tern::LogicalLineReader reader(source->text, warn);
    while (std::optional<tern::LogicalLine> line = reader.next()) {
        const postalias::AliasLine parsed = postalias::parse_alias_line(line->text, options.fold);
        if (!parsed.entry) warn(line->line, parsed.problem);
        else add_entry(*writer, *parsed.entry, options);
    }
    // Sendmail's "the database is complete" record and the NIS records,
    // as Postfix's postalias adds them (the NIS ones never with a NUL).
    const std::string now = std::to_string(static_cast<long long>(std::time(nullptr)));
    for (const tern::Status& st : {writer->replace("@", "@"), writer->replace_exact("YP_LAST_MODIFIED", now),
                                   writer->replace_exact("YP_MASTER_NAME", myhostname)})
        if (!st) tern::log_fatal("%s", st.error().describe().c_str());
    if (tern::Status st = writer->commit(); !st) tern::log_fatal("%s", st.error().describe().c_str());
}

std::vector<tern::TablePtr> open_all(const std::vector<tern::TableSpec>& specs, const Options& options) {
    tern::TableOptions table_options;
    table_options.fold_keys = options.fold;
    std::vector<tern::TablePtr> tables;
    for (const tern::TableSpec& spec : specs) {
        tern::Result<tern::TablePtr> table = tern::open_table(spec.type + ":" + spec.name, table_options);
        if (!table) tern::log_fatal("%s", table.error().describe().c_str());
        tables.push_back(std::move(*table));
    }
    return tables;
}

int query(const std::vector<tern::TableSpec>& specs, const Options& options) {
    for (const tern::TablePtr& table : open_all(specs, options)) {
        tern::Result<std::optional<std::string>> value = table->lookup(options.key);
        if (!value) tern::log_fatal("table %s: query error: %s", table->spec().c_str(), value.error().describe().c_str());
        if (*value) {
            std::printf("%s\n", (*value)->c_str());
            return 0;
        }
    }
    return 1;
}

int dump(const std::vector<tern::TableSpec>& specs, const Options& options) {
    for (const tern::TablePtr& table : open_all(specs, options)) {
        tern::Status st = table->for_each([](std::string_view key, std::string_view value) {
            std::printf("%.*s:\t%.*s\n", static_cast<int>(key.size()), key.data(), static_cast<int>(value.size()),
                        value.data());
            return true;
        });
        if (!st) tern::log_fatal("table %s: %s", table->spec().c_str(), st.error().describe().c_str());
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const char* slash = std::strrchr(argv[0], '/');
    const bool newaliases = std::string_view(slash ? slash + 1 : argv[0]) == "newaliases";
    tern::log_open(newaliases ? "tern/newaliases" : "tern/postalias", newaliases ? "newaliases" : "postalias");
    Options options = parse_options(argc, argv);
    tern::log_set_verbosity(options.verbose);
    tern::Result<tern::Config> config = tern::Config::load(tern::default_config_dir());
    if (!config) tern::log_fatal("%s", config.error().describe().c_str());
    if (options.maps.empty() && options.mode == Mode::Build)
        options.maps = tern::split_config_list(config->get("alias_database"));
    if (options.maps.empty()) tern::log_fatal("%s", kUsage);
    std::string default_type = config->get("default_database_type");
    if (default_type.empty()) default_type = "hash";
    std::vector<tern::TableSpec> specs;
    for (const std::string& map : options.maps) specs.push_back(map_spec(map, default_type));
    int status = 0;
    switch (options.mode) {
        case Mode::Build:
            for (const tern::TableSpec& spec : specs) build(spec, options, config->get("myhostname"));
            break;
        case Mode::Query: status = query(specs, options); break;
        case Mode::Dump: status = dump(specs, options); break;
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        tern::log_fatal("write standard output: %s", std::strerror(errno));
    return status;
}
