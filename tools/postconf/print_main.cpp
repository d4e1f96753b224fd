// tools/postconf/print_main.cpp - print main.cf parameters as postconf does (see print_main.h)
#include "tools/postconf/print_main.h"

#include <algorithm>
#include <set>

#include "lib/base/log.h"
#include "lib/base/text.h"

namespace postconf {
namespace {

using NameSet = std::set<std::string, std::less<>>;

// Set names that are parameters: known to the table, or referenced by a value.
NameSet used_set_names(const tern::Config& cfg) {
    NameSet unknown;
    for (const tern::ConfigEntry* e : cfg.unknown_entries()) unknown.insert(e->name);
    NameSet used;
    for (const tern::ConfigEntry& e : cfg.entries())
        if (unknown.count(e.name) == 0) used.insert(e.name);
    return used;
}

std::string format_line(std::string_view name, std::string_view value, bool hide_names) {
    if (hide_names) return std::string(value) + "\n";
    if (value.empty()) return std::string(name) + " =\n";
    return std::string(name) + " = " + std::string(value) + "\n";
}

}  // namespace

tern::Result<std::string> format_parameters(const tern::Config& cfg, const PrintOptions& options,
                                            const std::vector<std::string>& names) {
    const tern::Config defaults = *tern::Config::parse("", "main.cf");
    const tern::Config& source = options.defaults ? defaults : cfg;
    NameSet set_names = used_set_names(cfg);
    if (options.config_dir_explicit) set_names.insert("config_directory");
    NameSet known = options.defaults ? NameSet{} : set_names;
    for (const tern::ParamSpec& p : tern::all_params()) known.emplace(p.name);

    std::vector<std::string> wanted = names;
    if (wanted.empty()) {
        const NameSet& all = options.non_default ? set_names : known;
        wanted.assign(all.begin(), all.end());
    }
    std::string out;
    for (const std::string& name : wanted) {
        const bool is_known = known.count(name) != 0 || (!options.defaults && tern::find_param(name) != nullptr);
        if (!is_known) {
            tern::log_warning("%s: unknown parameter", tern::printable(name, 200).c_str());
            continue;
        }
        if (options.non_default && set_names.count(name) == 0) continue;
        std::string value = source.raw(name);
        if (options.expand) {
            auto expanded = source.expand(value);
            if (!expanded)
                return tern::fail(tern::Retry::Permanent, "parameter " + name + ": " + expanded.error().text);
            value = std::move(*expanded);
        }
        out += format_line(name, value, options.hide_names);
    }
    return out;
}

void warn_unused_parameters(const tern::Config& cfg) {
    for (const tern::ConfigEntry* e : cfg.unknown_entries())
        tern::log_warning("%s: unused parameter: %s=%s", e->file.c_str(), e->name.c_str(),
                          tern::printable(e->value, 200).c_str());
}

}  // namespace postconf
