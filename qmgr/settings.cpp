// qmgr/settings.cpp - qmgr's parameters (see settings.h)
#include "qmgr/settings.h"

#include <algorithm>
#include <climits>

#include "lib/base/log.h"

namespace qmgr {

namespace {

tern::Status read_seconds(const tern::Config& config, std::string_view name, std::int64_t& out) {
    tern::Result<long long> value = config.seconds(name);
    if (!value) return tl::unexpected(value.error());
    out = *value;
    return {};
}

tern::Status read_count(const tern::Config& config, std::string_view name, std::size_t& out) {
    tern::Result<long long> value = config.integer(name);
    if (!value) return tl::unexpected(value.error());
    out = static_cast<std::size_t>(std::max<long long>(*value, 0));
    return {};
}

std::size_t count_or(const tern::Config& config, const std::string& name, std::size_t fallback) {
    tern::Result<long long> value = config.integer(name);
    if (!value) {
        tern::log_warning("%s; using %zu", value.error().describe().c_str(), fallback);
        return fallback;
    }
    return static_cast<std::size_t>(std::max<long long>(*value, 0));
}

}  // namespace

tern::Result<Settings> load_settings(const tern::Config& config, const std::vector<tern::MasterService>& services) {
    Settings s;
    for (const auto& [name, out] : {std::pair<std::string_view, std::int64_t*>{"minimal_backoff_time", &s.backoff.minimal_s},
                                    {"maximal_backoff_time", &s.backoff.maximal_s},
                                    {"maximal_queue_lifetime", &s.lifetimes.maximal_s},
                                    {"bounce_queue_lifetime", &s.lifetimes.bounce_s},
                                    {"queue_run_delay", &s.queue_run_delay_s},
                                    {"transport_retry_time", &s.transport_retry_s},
                                    {"delay_warning_time", &s.delay_warning_s}}) {
        if (tern::Status ok = read_seconds(config, name, *out); !ok) return tl::unexpected(ok.error());
    }
    std::int64_t ipc_timeout_s = 0;
    if (tern::Status ok = read_seconds(config, "ipc_timeout", ipc_timeout_s); !ok) return tl::unexpected(ok.error());
    s.ipc_timeout_ms = static_cast<int>(std::min<std::int64_t>(ipc_timeout_s, INT_MAX / 1000) * 1000);
    if (tern::Status ok = read_count(config, "qmgr_message_active_limit", s.active_limit); !ok) return tl::unexpected(ok.error());
    if (tern::Status ok = read_count(config, "qmgr_message_recipient_limit", s.recipient_limit); !ok)
        return tl::unexpected(ok.error());
    tern::Result<long long> processes = config.integer("default_process_limit");
    if (!processes) return tl::unexpected(processes.error());
    s.default_process_limit = static_cast<int>(std::clamp<long long>(*processes, 0, INT_MAX));
    tern::Result<bool> soft = config.boolean("soft_bounce");
    if (!soft) return tl::unexpected(soft.error());
    s.soft_bounce = *soft;
    s.lifetimes.double_bounce_sender = config.get("double_bounce_sender");
    s.active_limit = std::max<std::size_t>(s.active_limit, 1);
    s.recipient_limit = std::max<std::size_t>(s.recipient_limit, 1);
    for (const tern::MasterService& service : services)
        if (service.type == tern::ServiceType::Unix) s.process_limits[service.name] = service.max_processes;
    return s;
}

TransportLimits transport_limits(const tern::Config& config, const Settings& settings, std::string_view transport) {
    const std::string name(transport);
    TransportLimits limits;
    limits.destination_concurrency = count_or(config, name + "_destination_concurrency_limit", 20);
    limits.recipient_limit = count_or(config, name + "_destination_recipient_limit", 50);
    auto found = settings.process_limits.find(transport);
    const int processes = found != settings.process_limits.end() ? found->second : settings.default_process_limit;
    limits.process_limit = static_cast<std::size_t>(std::max(processes, 0));
    return limits;
}

}  // namespace qmgr
