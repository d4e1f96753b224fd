// lib/mail/config.cpp - main.cf: read, expand and check parameters (see config.h)
#include "lib/mail/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <set>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/config_expand.h"
#include "lib/mail/params.h"

#ifndef TERN_SYSCONFDIR
#define TERN_SYSCONFDIR "/etc/tern"
#endif

namespace tern {
namespace {

tl::unexpected<Error> config_error(const std::string& file, int line, std::string_view reason) {
    return fail(Retry::Permanent, file + ", line " + std::to_string(line) + ": " + std::string(reason));
}

}  // namespace

// As Postfix's readllines() does.
std::vector<ConfigLine> split_config_lines(std::string_view text, const std::string& file,
                                           std::vector<std::string>& warnings) {
    std::vector<ConfigLine> lines;
    bool can_continue = false;
    int number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view physical = text.substr(pos, end - pos);
        pos = end + 1;
        ++number;
        const std::string_view content = trim(physical);
        if (content.empty() || content.front() == '#') continue;
        const bool indented = kWhitespace.find(physical.front()) != std::string_view::npos;
        if (!indented) {
            lines.push_back({std::string(content), number});
            can_continue = true;
        } else if (can_continue) {
            lines.back().text += ' ';
            lines.back().text += content;
        } else {
            warnings.push_back(file + ", line " + std::to_string(number) +
                               ": logical line must not start with whitespace: \"" + printable(physical, 100) +
                               "\"");
        }
    }
    return lines;
}

Result<std::string> read_config_file(const std::string& path, std::size_t max_bytes) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return fail(Retry::Permanent, "open " + path, errno);
    std::string text;
    char chunk[8192];
    for (;;) {
        const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(Retry::Temporary, "read " + path, errno);
        if (n == 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
        if (text.size() > max_bytes)
            return fail(Retry::Permanent, path + ": file is larger than " + std::to_string(max_bytes) + " bytes");
    }
    return text;
}

Result<Config> Config::parse(std::string_view text, const std::string& file_name) {
    if (text.size() > kMaxMainCfBytes)
        return fail(Retry::Permanent, file_name + ": file is larger than " + std::to_string(kMaxMainCfBytes) + " bytes");
    Config cfg;
    for (const ConfigLine& logical : split_config_lines(text, file_name, cfg.warnings_)) {
        const std::string_view line = logical.text;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            return config_error(file_name, logical.line,
                                "missing '=' after attribute name: \"" + printable(line, 100) + "\"");
        const std::string_view name = trim(line.substr(0, eq));
        if (name.empty())
            return config_error(file_name, logical.line, "missing attribute name: \"" + printable(line, 100) + "\"");
        if (name.find_first_of(kWhitespace) != std::string_view::npos)
            return config_error(file_name, logical.line,
                                "missing '=' after attribute name: \"" + printable(line, 100) + "\"");
        cfg.entries_.push_back({std::string(name), std::string(trim(line.substr(eq + 1))), file_name, logical.line});
    }
    return cfg;
}

Result<Config> Config::load(const std::string& config_dir, const Overrides& overrides) {
    const std::string path = config_dir + "/main.cf";
    auto text = read_config_file(path, kMaxMainCfBytes);
    if (!text) return tl::unexpected(text.error());
    auto cfg = parse(*text, path);
    if (!cfg) return cfg;
    cfg->config_dir_ = config_dir;
    for (const auto& [name, value] : overrides) cfg->set(name, value);
    for (const std::string& warning : cfg->warnings_) log_warning("%s", warning.c_str());
    for (const ConfigEntry* entry : cfg->unknown_entries())
        log_warning("%s, line %d: unused parameter: %s=%s", entry->file.c_str(), entry->line, entry->name.c_str(),
                    printable(entry->value, 200).c_str());
    auto ok = cfg->validate();
    if (!ok) return tl::unexpected(ok.error());
    return cfg;
}

const ConfigEntry* Config::find_entry(std::string_view name) const noexcept {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
        if (it->name == name) return &*it;
    return nullptr;
}

bool Config::is_set(std::string_view name) const { return find_entry(name) != nullptr; }

std::optional<std::string> Config::lookup_raw(std::string_view name) const {
    if (const ConfigEntry* entry = find_entry(name)) return entry->value;
    if (name == "config_directory" && !config_dir_.empty()) return config_dir_;
    if (name == "myhostname") return default_hostname();
    if (name == "mydomain") return domain_of_host(hostname_for_mydomain());
    if (const ParamSpec* spec = find_param(name)) return std::string(spec->default_value);
    return std::nullopt;
}

// mydomain's default comes from myhostname; a myhostname that refers to
// $mydomain sees it undefined here instead of recursing forever.
std::string Config::hostname_for_mydomain() const {
    const RawLookup lookup = [this](std::string_view name) -> std::optional<std::string> {
        if (name == "mydomain") return std::nullopt;
        return lookup_raw(name);
    };
    auto host = expand_macros(raw("myhostname"), lookup);
    return host ? *host : default_hostname();
}

std::string Config::raw(std::string_view name) const { return lookup_raw(name).value_or(std::string()); }

Result<std::string> Config::expand(std::string_view text) const {
    const RawLookup lookup = [this](std::string_view name) { return lookup_raw(name); };
    return expand_macros(text, lookup);
}

Result<std::string> Config::expanded(std::string_view name) const {
    auto value = expand(raw(name));
    if (!value) return tl::unexpected(located(name, value.error().text));
    return value;
}

std::string Config::get(std::string_view name) const { return expanded(name).value_or(std::string()); }

Error Config::located(std::string_view name, std::string_view reason) const {
    const ConfigEntry* entry = find_entry(name);
    std::string where = entry ? entry->file + (entry->line > 0 ? ", line " + std::to_string(entry->line) : "") + ": "
                              : std::string();
    return Error{Retry::Permanent, where + "parameter " + std::string(name) + ": " + std::string(reason), 0};
}

Result<std::string> Config::checked(std::string_view name) const {
    auto value = expanded(name);
    if (!value) return value;
    if (const ParamSpec* spec = find_param(name)) {
        auto ok = check_param_value(*spec, *value);
        if (!ok) return tl::unexpected(located(name, ok.error().text));
    }
    return value;
}

Result<long long> Config::integer(std::string_view name) const {
    auto value = checked(name);
    if (!value) return tl::unexpected(value.error());
    auto n = parse_integer_value(*value);
    if (!n) return tl::unexpected(located(name, n.error().text));
    return n;
}

Result<long long> Config::bytes(std::string_view name) const { return integer(name); }

Result<long long> Config::seconds(std::string_view name) const {
    auto value = checked(name);
    if (!value) return tl::unexpected(value.error());
    const ParamSpec* spec = find_param(name);
    auto s = parse_time_value(*value, spec && spec->type == ParamType::Time ? spec->time_unit : 's');
    if (!s) return tl::unexpected(located(name, s.error().text));
    return s;
}

Result<bool> Config::boolean(std::string_view name) const {
    auto value = checked(name);
    if (!value) return tl::unexpected(value.error());
    auto b = parse_bool_value(*value);
    if (!b) return tl::unexpected(located(name, b.error().text));
    return b;
}

std::vector<std::string> Config::list(std::string_view name) const { return split_config_list(get(name)); }

void Config::set(std::string_view name, std::string_view value, std::string file, int line) {
    entries_.push_back({std::string(name), std::string(value), std::move(file), line});
}

Status Config::validate() const {
    std::set<std::string_view> seen;
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
        if (!seen.insert(it->name).second || find_param(it->name) == nullptr) continue;
        auto value = checked(it->name);
        if (!value) return tl::unexpected(value.error());
    }
    return {};
}

std::vector<const ConfigEntry*> Config::unknown_entries() const {
    std::set<std::string, std::less<>> referenced;
    for (const ConfigEntry& entry : entries_)
        for (std::string& name : macro_names(entry.value)) referenced.insert(std::move(name));
    std::set<std::string_view> seen;
    std::vector<const ConfigEntry*> unknown;
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
        if (!seen.insert(it->name).second) continue;
        if (find_param(it->name) != nullptr || referenced.count(it->name) != 0) continue;
        unknown.push_back(&*it);
    }
    std::reverse(unknown.begin(), unknown.end());
    return unknown;
}

std::vector<std::string> split_config_list(std::string_view text) {
    std::vector<std::string> items;
    std::string current;
    int depth = 0;
    for (const char c : text) {
        if (c == '{') ++depth;
        if (c == '}' && depth > 0) --depth;
        if (depth == 0 && (c == ',' || kWhitespace.find(c) != std::string_view::npos)) {
            if (!current.empty()) items.push_back(std::move(current));
            current.clear();
            continue;
        }
        current.push_back(c);
    }
    if (!current.empty()) items.push_back(std::move(current));
    return items;
}

namespace {
Config& global_config() {
    static Config cfg;
    return cfg;
}
}  // namespace

void set_config(Config cfg) { global_config() = std::move(cfg); }
const Config& config() { return global_config(); }

std::string default_config_dir() {
    const char* env = std::getenv("MAIL_CONFIG");
    if (env != nullptr && env[0] != '\0') return env;
    return TERN_SYSCONFDIR;
}

}  // namespace tern
