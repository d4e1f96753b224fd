// lib/mail/config.h - main.cf: read, expand and check parameters
//
// SYNOPSIS
//     tern::Result<tern::Config> cfg = tern::Config::load("/etc/tern", {{"myhostname", "mx"}});
//     std::string dir = cfg->get("queue_directory");      // expanded, default applied
//     tern::Result<long long> t = cfg->seconds("smtpd_timeout");
//     tern::Result<bool> b = cfg->boolean("soft_bounce");
//     std::vector<std::string> v = cfg->list("mydestination");
//     tern::set_config(std::move(*cfg));  const tern::Config& c = tern::config();
// DESCRIPTION
//     Postfix's main.cf syntax: "name = value"; a line that starts with
//     white space continues the previous one; "#" starts a comment line;
//     values use $name, ${name}, ${name?text} and ${name:text}, expanded
//     when read (a loop is an error, never a hang). Every parameter tern
//     knows is declared once in the table of lib/mail/params.cpp with its
//     default, type and bounds; an unknown name is warned about once.
//     load() checks every known parameter that main.cf or an override
//     sets and fails with "FILE, line N: parameter NAME: reason".
// LIMITS
//     main.cf is read up to kMaxMainCfBytes; expansion nests at most
//     kMaxExpansionDepth levels and yields at most kMaxExpandedBytes.
#pragma once

#include <climits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/result.h"

namespace tern {

inline constexpr std::size_t kMaxMainCfBytes = 4 * 1024 * 1024;
inline constexpr int kMaxExpansionDepth = 100;
inline constexpr std::size_t kMaxExpandedBytes = 1024 * 1024;

enum class ParamType {
    String,   // any text
    List,     // comma/white-space separated
    Bool,     // yes / no
    Integer,  // decimal, within [min, max]
    Time,     // number with optional unit s, m, h, d, w; unit_suffix is the default unit
    Size,     // bytes, within [min, max]
};

struct ParamSpec {
    std::string_view name;
    std::string_view default_value;  // may itself use $name
    ParamType type = ParamType::String;
    long long min = 0;
    long long max = LLONG_MAX;
    char time_unit = 's';  // Time only: unit of a bare number
};

// The one table of every known parameter, sorted by name.
[[nodiscard]] std::span<const ParamSpec> all_params() noexcept;
[[nodiscard]] const ParamSpec* find_param(std::string_view name) noexcept;

// One "name = value" line as written (value unexpanded).
struct ConfigEntry {
    std::string name;
    std::string value;
    std::string file;  // main.cf path, or "command line" for overrides
    int line = 0;
};

using Overrides = std::vector<std::pair<std::string, std::string>>;

class Config {
public:
    // Reads CONFIG_DIR/main.cf (a missing file is an error), applies
    // overrides (from -o), warns once per unknown parameter, checks values.
    [[nodiscard]] static Result<Config> load(const std::string& config_dir, const Overrides& overrides = {});
    // Parses main.cf text; file_name is used in messages. Does not warn.
    [[nodiscard]] static Result<Config> parse(std::string_view text, const std::string& file_name);

    // Expanded value: main.cf or override, else the table's default, else "".
    [[nodiscard]] std::string get(std::string_view name) const;
    // Value as written, unexpanded; default when not set.
    [[nodiscard]] std::string raw(std::string_view name) const;
    // True when main.cf or an override sets it.
    [[nodiscard]] bool is_set(std::string_view name) const;
    [[nodiscard]] Result<long long> integer(std::string_view name) const;
    [[nodiscard]] Result<long long> seconds(std::string_view name) const;
    [[nodiscard]] Result<long long> bytes(std::string_view name) const;
    [[nodiscard]] Result<bool> boolean(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> list(std::string_view name) const;
    // Expands $name references in any text against this configuration.
    [[nodiscard]] Result<std::string> expand(std::string_view text) const;

    // Sets a value as an override (postconf -o, master.cf -o).
    void set(std::string_view name, std::string_view value, std::string file = "command line", int line = 0);
    // Checks every known parameter that is set; error names file, line, parameter.
    [[nodiscard]] Status validate() const;
    // Names set that are not in the table (for one warning each).
    [[nodiscard]] std::vector<const ConfigEntry*> unknown_entries() const;

    [[nodiscard]] const std::vector<ConfigEntry>& entries() const noexcept { return entries_; }
    [[nodiscard]] const std::string& config_dir() const noexcept { return config_dir_; }
    [[nodiscard]] std::string main_cf_path() const { return config_dir_ + "/main.cf"; }

    // Expanded value, or the error "FILE, line N: parameter NAME: reason".
    [[nodiscard]] Result<std::string> expanded(std::string_view name) const;
    // Expanded and checked against the table's type and bounds.
    [[nodiscard]] Result<std::string> checked(std::string_view name) const;
    // The directory main.cf came from (load() sets it; for tools that parse).
    void set_config_dir(std::string dir) { config_dir_ = std::move(dir); }
    // Lines parse() skipped with a complaint (load() logs them as warnings).
    [[nodiscard]] const std::vector<std::string>& parse_warnings() const noexcept { return warnings_; }

private:
    const ConfigEntry* find_entry(std::string_view name) const noexcept;
    // Unexpanded value: the last setting, else the default; nullopt when unknown and unset.
    std::optional<std::string> lookup_raw(std::string_view name) const;
    std::string hostname_for_mydomain() const;
    Error located(std::string_view name, std::string_view reason) const;

    std::string config_dir_;
    std::vector<ConfigEntry> entries_;  // last assignment of a name wins
    std::vector<std::string> warnings_;
};

// One logical line of main.cf or master.cf: its physical lines joined by
// one space, numbered by the first. Lines that start with white space
// continue the previous one; blank lines and "#" lines are skipped; a
// continuation with nothing to continue is skipped with a warning.
struct ConfigLine {
    std::string text;
    int line = 0;
};
[[nodiscard]] std::vector<ConfigLine> split_config_lines(std::string_view text, const std::string& file_name,
                                                         std::vector<std::string>& warnings);
// Reads a whole configuration file, refusing one larger than max_bytes.
[[nodiscard]] Result<std::string> read_config_file(const std::string& path, std::size_t max_bytes);

// Splits a list value on commas and white space, keeping "{...}" groups
// (inline:{ a=b, c=d }) whole, as Postfix's mystrtokq() does.
[[nodiscard]] std::vector<std::string> split_config_list(std::string_view text);

// The process-wide configuration, loaded once before the event loop.
void set_config(Config cfg);
[[nodiscard]] const Config& config();

// The config directory from -c DIR, else $MAIL_CONFIG, else TERN_SYSCONFDIR.
[[nodiscard]] std::string default_config_dir();

}  // namespace tern
