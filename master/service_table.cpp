// master/service_table.cpp - resolve master.cf entries, build argv, diff tables
#include "master/service_table.h"

#include <map>

#include "lib/base/log.h"

namespace master {
namespace {

bool has_host(const std::string& inet_name) { return inet_name.find(':') != std::string::npos; }

// master.cf arguments without the "-o ..." words (the parser collected
// them into overrides), "-o { name = value }" groups included.
std::vector<std::string> plain_args(const std::vector<std::string>& args, bool& verbose) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (word == "-v") {
            verbose = true;
            continue;
        }
        if (word.rfind("-o", 0) != 0) {
            out.push_back(word);
            continue;
        }
        std::string value = word.size() > 2 ? word.substr(2) : (i + 1 < args.size() ? args[++i] : "");
        if (value.empty() || value[0] != '{') continue;
        while (value.find('}') == std::string::npos && i + 1 < args.size()) value = args[++i];
    }
    return out;
}

std::string unsupported_type(tern::ServiceType type) {
    switch (type) {
    case tern::ServiceType::Inet:
    case tern::ServiceType::Unix:
    case tern::ServiceType::Fifo: return "";
    case tern::ServiceType::UnixDgram:
    case tern::ServiceType::Pass: return std::string(tern::service_type_name(type));
    }
    return "";
}

}  // namespace

std::string make_listener_key(const tern::MasterService& entry, const std::string& inet_interfaces,
                              const std::string& inet_protocols) {
    std::string key = std::string(tern::service_type_name(entry.type)) + "|" + entry.name + "|" +
                      (entry.private_access ? "private" : "public");
    if (entry.type == tern::ServiceType::Inet && !has_host(entry.name))
        key += "|" + inet_interfaces + "|" + inet_protocols;
    return key;
}

std::vector<ServiceSpec> resolve_services(const std::vector<tern::MasterService>& entries, const tern::Config& cfg,
                                          const CommandExists& command_exists) {
    const std::string daemon_dir = cfg.get("daemon_directory");
    const std::string interfaces = cfg.get("inet_interfaces");
    const std::string protocols = cfg.get("inet_protocols");
    std::vector<ServiceSpec> specs;
    for (const tern::MasterService& entry : entries) {
        const char* file = entry.file.c_str();
        if (!entry.covered_by.empty()) {
            tern::log_warning("%s, line %d: service %s: skipped: tern does this in %s", file, entry.line,
                              entry.name.c_str(), entry.covered_by.c_str());
            continue;
        }
        if (const std::string bad = unsupported_type(entry.type); !bad.empty()) {
            tern::log_warning("%s, line %d: service %s: skipped: type %s is not supported", file, entry.line,
                              entry.name.c_str(), bad.c_str());
            continue;
        }
        ServiceSpec spec;
        spec.entry = entry;
        spec.path = entry.command.find('/') == 0 ? entry.command : daemon_dir + "/" + entry.command;
        if (!command_exists(spec.path)) {
            tern::log_warning("%s, line %d: service %s: skipped: command %s not found", file, entry.line,
                              entry.name.c_str(), spec.path.c_str());
            continue;
        }
        spec.listener_key = make_listener_key(entry, interfaces, protocols);
        spec.max_processes = entry.max_processes;
        specs.push_back(std::move(spec));
    }
    return specs;
}

std::vector<std::string> build_child_argv(const ServiceSpec& spec, const std::string& config_dir, int listen_count,
                                          int verbosity) {
    const tern::MasterService& e = spec.entry;
    std::vector<std::string> argv{spec.path, "-n", e.name, "-t", std::string(tern::service_type_name(e.type)),
                                  "-s", std::to_string(listen_count)};
    if (!config_dir.empty()) argv.insert(argv.end(), {"-c", config_dir});
    if (e.unprivileged) argv.emplace_back("-u");
    if (e.chroot) argv.emplace_back("-C");
    if (e.wakeup_s > 0) argv.insert(argv.end(), {"-w", std::to_string(e.wakeup_s)});
    bool verbose = false;
    std::vector<std::string> rest = plain_args(e.args, verbose);
    for (int i = 0; i < verbosity + (verbose ? 1 : 0); ++i) argv.emplace_back("-v");
    for (const auto& [name, value] : e.overrides) argv.insert(argv.end(), {"-o", name + "=" + value});
    argv.emplace_back("--");
    argv.insert(argv.end(), rest.begin(), rest.end());
    return argv;
}

bool same_service(const ServiceSpec& a, const ServiceSpec& b) {
    const tern::MasterService& x = a.entry;
    const tern::MasterService& y = b.entry;
    return a.path == b.path && a.listener_key == b.listener_key && a.max_processes == b.max_processes &&
           x.unprivileged == y.unprivileged && x.chroot == y.chroot && x.wakeup_s == y.wakeup_s &&
           x.wakeup_when_used == y.wakeup_when_used && x.args == y.args && x.overrides == y.overrides;
}

ServiceDiff diff_services(const std::vector<ServiceSpec>& old_specs, const std::vector<ServiceSpec>& new_specs) {
    std::map<std::string, const ServiceSpec*> old_by_key;
    for (const ServiceSpec& s : old_specs) old_by_key[s.entry.key()] = &s;
    ServiceDiff diff;
    for (const ServiceSpec& s : new_specs) {
        const std::string key = s.entry.key();
        const auto it = old_by_key.find(key);
        if (it == old_by_key.end()) {
            diff.added.push_back(key);
            continue;
        }
        if (same_service(*it->second, s)) diff.unchanged.push_back(key);
        else if (it->second->listener_key == s.listener_key) diff.restarted.push_back(key);
        else diff.replaced.push_back(key);
        old_by_key.erase(it);
    }
    for (const auto& [key, spec] : old_by_key) diff.removed.push_back(key);
    return diff;
}

}  // namespace master
