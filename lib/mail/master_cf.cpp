// lib/mail/master_cf.cpp - master.cf: the services master runs (see master_cf.h)
#include "lib/mail/master_cf.h"

#include <algorithm>
#include <array>
#include <set>

#include "lib/base/text.h"
#include "lib/mail/config_expand.h"

namespace tern {
namespace {

constexpr std::size_t kMaxMasterCfBytes = 4 * 1024 * 1024;
constexpr int kMaxWakeupSeconds = 1000000;
constexpr int kMaxProcessLimit = 1000000;

struct Covered {
    std::string_view command;
    std::string_view covered_by;
};

// Postfix daemons whose job tern does inside other programs (DESIGN.md §4).
constexpr auto kCoveredElsewhere = std::to_array<Covered>({
    {"anvil", "smtpd (in-process connection limits)"},
    {"dnsblog", "not supported yet"},
    {"flush", "qmgr (postqueue -f)"},
    {"pipe", "pipe (not supported yet)"},
    {"postlogd", "every daemon writes maillog_file itself"},
    {"postscreen", "smtpd (postscreen is not supported yet; run smtpd on this port)"},
    {"proxymap", "each daemon opens its tables itself"},
    {"scache", "smtp (in-process connection cache)"},
    {"spawn", "not supported yet"},
    {"tlsmgr", "smtpd/smtp (in-process TLS cache)"},
    {"tlsproxy", "not supported yet"},
    {"trivial-rewrite", "qmgr (in-process resolver)"},
    {"verify", "not supported yet"},
});

tl::unexpected<Error> entry_error(const std::string& file, int line, std::string_view reason) {
    return fail(Retry::Permanent, file + ", line " + std::to_string(line) + ": " + std::string(reason));
}

std::string quoted(std::string_view text) { return "\"" + printable(text, 100) + "\""; }

// Splits on white space; "{ ... }" is one word (nested braces counted).
Result<std::vector<std::string>> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        pos = text.find_first_not_of(kWhitespace, pos);
        if (pos == std::string_view::npos) break;
        std::size_t end = pos;
        if (text[pos] == '{') {
            int depth = 0;
            for (; end < text.size(); ++end) {
                if (text[end] == '{') ++depth;
                if (text[end] == '}' && --depth == 0) break;
            }
            if (end == text.size()) return fail(Retry::Permanent, "missing '}' in " + quoted(text.substr(pos)));
            ++end;
        } else {
            end = text.find_first_of(kWhitespace, pos);
            if (end == std::string_view::npos) end = text.size();
        }
        words.emplace_back(text.substr(pos, end - pos));
        pos = end;
    }
    return words;
}

bool is_group(std::string_view word) noexcept { return word.size() >= 2 && word.front() == '{' && word.back() == '}'; }

std::string_view group_content(std::string_view word) noexcept { return trim(word.substr(1, word.size() - 2)); }

Result<ServiceType> parse_type(std::string_view word) {
    if (word == "inet") return ServiceType::Inet;
    if (word == "unix") return ServiceType::Unix;
    if (word == "unix-dgram") return ServiceType::UnixDgram;
    if (word == "fifo") return ServiceType::Fifo;
    if (word == "pass") return ServiceType::Pass;
    return fail(Retry::Permanent, "invalid transport type: " + quoted(word));
}

Result<bool> parse_flag(std::string_view word, std::string_view column, bool dash) {
    if (word == "-") return dash;
    if (word == "y") return true;
    if (word == "n") return false;
    return fail(Retry::Permanent, "bad " + std::string(column) + " value: " + quoted(word) + " (use y, n or -)");
}

Result<int> parse_count(std::string_view word, std::string_view column, int max) {
    const auto n = parse_integer(word);
    if (!n || *n < 0 || *n > max || word.front() == '+')
        return fail(Retry::Permanent, "bad " + std::string(column) + " value: " + quoted(word));
    return static_cast<int>(*n);
}

Status parse_wakeup(std::string_view word, MasterService& service) {
    if (word == "-") return {};
    if (word.ends_with('?')) {
        service.wakeup_when_used = true;
        word.remove_suffix(1);
    }
    auto n = parse_count(word, "wakeup", kMaxWakeupSeconds);
    if (!n) return tl::unexpected(n.error());
    service.wakeup_s = *n;
    return {};
}

// "name=value" or "{ name = value }" after -o.
Status add_override(std::string_view word, MasterService& service) {
    std::string_view pair = is_group(word) ? group_content(word) : word;
    const std::size_t eq = pair.find('=');
    const std::string_view name = eq == std::string_view::npos ? std::string_view{} : trim(pair.substr(0, eq));
    if (name.empty() || name.find_first_of(kWhitespace) != std::string_view::npos)
        return fail(Retry::Permanent, "-o: missing '=' after parameter name: " + quoted(word));
    service.overrides.emplace_back(std::string(name), std::string(trim(pair.substr(eq + 1))));
    return {};
}

// $name in a plain argument is expanded when every name in it is a main.cf
// parameter; others ("${recipient}" for pipe) are the command's own and stay.
Result<std::string> expand_argument(std::string_view word, const Config& cfg) {
    const std::vector<std::string> names = macro_names(word);
    if (names.empty()) return std::string(word);
    const bool all_known = std::all_of(names.begin(), names.end(), [&](const std::string& name) {
        return cfg.is_set(name) || find_param(name) != nullptr;
    });
    if (!all_known) return std::string(word);
    return cfg.expand(word);
}

Status parse_arguments(std::span<const std::string> words, const Config& cfg, MasterService& service) {
    service.args_written.assign(words.begin(), words.end());
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (word == "-o" || (word.starts_with("-o") && word.size() > 2)) {
            service.args.push_back("-o");
            std::string value = word.size() > 2 ? word.substr(2) : "";
            if (value.empty()) {
                if (i + 1 == words.size()) return fail(Retry::Permanent, "-o without name=value");
                value = words[++i];
            }
            auto ok = add_override(value, service);
            if (!ok) return ok;
            service.args.push_back(std::move(value));
            continue;
        }
        auto expanded = expand_argument(is_group(word) ? group_content(word) : std::string_view(word), cfg);
        if (!expanded) return tl::unexpected(expanded.error());
        service.args.push_back(std::move(*expanded));
    }
    return {};
}

Status fill_columns(std::span<const std::string> words, const Config& cfg, MasterService& service) {
    service.name = words[0];
    auto type = parse_type(words[1]);
    if (!type) return tl::unexpected(type.error());
    service.type = *type;
    const bool inet = service.type == ServiceType::Inet;
    auto private_access = parse_flag(words[2], "private", !inet);
    auto unprivileged = parse_flag(words[3], "unpriv", true);
    auto chroot = parse_flag(words[4], "chroot", false);
    if (!private_access) return tl::unexpected(private_access.error());
    if (!unprivileged) return tl::unexpected(unprivileged.error());
    if (!chroot) return tl::unexpected(chroot.error());
    if (inet && *private_access) return fail(Retry::Permanent, "inet service cannot be private");
    service.private_access = *private_access;
    service.unprivileged = *unprivileged;
    service.chroot = *chroot;
    auto wakeup = parse_wakeup(words[5], service);
    if (!wakeup) return wakeup;
    if (words[6] == "-") {
        auto limit = cfg.integer("default_process_limit");
        if (!limit) return tl::unexpected(limit.error());
        service.max_processes = static_cast<int>(std::min<long long>(*limit, kMaxProcessLimit));
    } else {
        auto limit = parse_count(words[6], "maxproc", kMaxProcessLimit);
        if (!limit) return tl::unexpected(limit.error());
        service.max_processes = *limit;
    }
    service.private_written = words[2];
    service.unpriv_written = words[3];
    service.chroot_written = words[4];
    service.wakeup_written = words[5];
    service.maxproc_written = words[6];
    service.command = words[7];
    if (service.name.empty() || service.command.empty() || is_group(service.command))
        return fail(Retry::Permanent, "bad service or command name");
    for (const Covered& c : kCoveredElsewhere)
        if (c.command == service.command) service.covered_by = c.covered_by;
    return parse_arguments(words.subspan(8), cfg, service);
}

}  // namespace

std::string MasterService::key() const { return name + "/" + std::string(service_type_name(type)); }

std::string_view service_type_name(ServiceType type) noexcept {
    switch (type) {
        case ServiceType::Inet: return "inet";
        case ServiceType::Unix: return "unix";
        case ServiceType::UnixDgram: return "unix-dgram";
        case ServiceType::Fifo: return "fifo";
        case ServiceType::Pass: return "pass";
    }
    return "unknown";
}

std::string_view covered_elsewhere(std::string_view command) noexcept {
    for (const Covered& c : kCoveredElsewhere)
        if (c.command == command) return c.covered_by;
    return {};
}

Result<std::vector<MasterService>> parse_master_cf(std::string_view text, const std::string& file_name,
                                                   const Config& cfg) {
    if (text.size() > kMaxMasterCfBytes)
        return fail(Retry::Permanent, file_name + ": file is larger than " + std::to_string(kMaxMasterCfBytes) + " bytes");
    std::vector<std::string> warnings;  // a stray continuation line; master.cf has no other warning
    std::vector<MasterService> services;
    std::set<std::string> keys;
    for (const ConfigLine& line : split_config_lines(text, file_name, warnings)) {
        auto words = split_words(line.text);
        if (!words) return entry_error(file_name, line.line, words.error().text);
        if (words->size() < 8)
            return entry_error(file_name, line.line, "field count " + std::to_string(words->size()) +
                                                         " is less than 8 in " + quoted(line.text));
        MasterService service;
        service.file = file_name;
        service.line = line.line;
        auto ok = fill_columns(*words, cfg, service);
        if (!ok) return entry_error(file_name, line.line, ok.error().text);
        if (!keys.insert(service.key()).second)
            return entry_error(file_name, line.line, "duplicate service name/type entry: " + service.key());
        services.push_back(std::move(service));
    }
    return services;
}

Result<std::vector<MasterService>> load_master_cf(const Config& cfg) {
    const std::string path = cfg.config_dir() + "/master.cf";
    auto text = read_config_file(path, kMaxMasterCfBytes);
    if (!text) return tl::unexpected(text.error());
    return parse_master_cf(*text, path, cfg);
}

}  // namespace tern
