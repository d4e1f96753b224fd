// tools/postmap/query.cpp - postmap -q and -s: look keys up, list tables
#include "tools/postmap/query.h"

#include "lib/base/log.h"
#include "lib/base/text.h"

namespace postmap {

namespace {

tern::TableOptions table_options(const Options& options) {
    tern::TableOptions table_options;
    table_options.fold_keys = options.fold_keys;
    return table_options;
}

std::vector<tern::TablePtr> open_all(const std::vector<tern::TableSpec>& specs, const Options& options) {
    std::vector<tern::TablePtr> tables;
    for (const tern::TableSpec& spec : specs) {
        tern::Result<tern::TablePtr> table = tern::open_table(spec.type + ":" + spec.name, table_options(options));
        if (!table) tern::log_fatal("%s", table.error().describe().c_str());
        tables.push_back(std::move(*table));
    }
    return tables;
}

std::optional<std::string> find_in(const std::vector<tern::TablePtr>& tables, std::string_view key) {
    for (const tern::TablePtr& table : tables) {
        tern::Result<std::optional<std::string>> value = table->lookup(key);
        if (!value) tern::log_fatal("table %s: query error: %s", table->spec().c_str(), value.error().describe().c_str());
        if (*value) return *value;
    }
    return std::nullopt;
}

void write_entry(std::FILE* out, std::string_view key, std::string_view value) {
    std::fwrite(key.data(), 1, key.size(), out);
    std::fputc('\t', out);
    std::fwrite(value.data(), 1, value.size(), out);
    std::fputc('\n', out);
}

}  // namespace

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const std::size_t newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    }
    return lines;
}

int query_key(const std::vector<tern::TableSpec>& specs, std::string_view key, const Options& options,
              std::FILE* out) {
    const std::vector<tern::TablePtr> tables = open_all(specs, options);
    const std::optional<std::string> value = find_in(tables, key);
    if (!value) return 1;
    std::fwrite(value->data(), 1, value->size(), out);
    std::fputc('\n', out);
    return 0;
}

int query_stream(const std::vector<tern::TableSpec>& specs, std::string_view keys, const Options& options,
                 std::FILE* out) {
    const std::vector<tern::TablePtr> tables = open_all(specs, options);
    bool found_any = false;
    for (const std::string_view key : split_lines(keys)) {
        if (key.empty()) continue;
        if (const std::optional<std::string> value = find_in(tables, key)) {
            write_entry(out, key, *value);
            found_any = true;
        }
    }
    return found_any ? 0 : 1;
}

int dump_maps(const std::vector<tern::TableSpec>& specs, const Options& options, std::FILE* out) {
    for (const tern::TablePtr& table : open_all(specs, options)) {
        tern::Status listed = table->for_each([&](std::string_view key, std::string_view value) {
            write_entry(out, key, value);
            return true;
        });
        if (!listed) tern::log_fatal("%s", listed.error().describe().c_str());
    }
    return 0;
}

}  // namespace postmap
