// cleanup/settings.cpp - load cleanup's parameters and tables (see settings.h)
#include "cleanup/settings.h"

#include <memory>
#include <utility>

namespace cleanup {
namespace {

std::unique_ptr<Settings>& current() {
    static std::unique_ptr<Settings> s;
    return s;
}

tern::Status open_tables(const tern::Config& config, std::string_view name, std::vector<tern::TablePtr>& out) {
    for (const std::string& spec : config.list(name)) {
        tern::Result<tern::TablePtr> t = tern::open_table(spec);
        if (!t) return tern::fail(t.error().retry, std::string(name) + ": " + t.error().describe());
        out.push_back(std::move(*t));
    }
    return {};
}

tern::Result<long long> number(const tern::Config& config, std::string_view name, bool size) {
    tern::Result<long long> n = size ? config.bytes(name) : config.integer(name);
    if (!n) return n;
    if (*n < 0) return tern::fail(tern::Retry::Permanent, "parameter " + std::string(name) + ": negative value");
    return n;
}

}  // namespace

tern::Result<Settings> load_settings(const tern::Config& config) {
    Settings s;
    s.myhostname = config.get("myhostname");
    s.myorigin = config.get("myorigin");
    s.mail_name = config.get("mail_name");
    s.mydestination = config.list("mydestination");
    struct Number {
        std::string_view name;
        bool size;
        long long* out;
    };
    long long header_limit = 0, message_limit = 0, recursion = 0, expansion = 0;
    const Number numbers[] = {
        {"header_size_limit", true, &header_limit},
        {"hopcount_limit", false, &s.hopcount_limit},
        {"message_size_limit", true, &message_limit},
        {"virtual_alias_recursion_limit", false, &recursion},
        {"virtual_alias_expansion_limit", false, &expansion},
    };
    for (const Number& n : numbers) {
        tern::Result<long long> v = number(config, n.name, n.size);
        if (!v) return tl::unexpected(v.error());
        *n.out = *v;
    }
    s.header_size_limit = static_cast<std::size_t>(header_limit < 2 ? 2 : header_limit);
    s.message_size_limit = static_cast<std::uint64_t>(message_limit);
    s.virtual_alias_recursion_limit = static_cast<std::size_t>(recursion);
    s.virtual_alias_expansion_limit = static_cast<std::size_t>(expansion);
    const std::pair<std::string_view, std::vector<tern::TablePtr>*> tables[] = {
        {"canonical_maps", &s.canonical_maps},
        {"sender_canonical_maps", &s.sender_canonical_maps},
        {"recipient_canonical_maps", &s.recipient_canonical_maps},
        {"virtual_alias_maps", &s.virtual_alias_maps},
        {"header_checks", &s.header_checks},
    };
    for (const auto& [name, out] : tables)
        if (tern::Status st = open_tables(config, name, *out); !st) return tl::unexpected(st.error());
    return s;
}

void set_settings(Settings settings) { current() = std::make_unique<Settings>(std::move(settings)); }

const Settings& settings() {
    static const Settings kDefaults;
    return current() ? *current() : kDefaults;
}

bool tables_changed(const Settings& s) {
    for (const auto* maps : {&s.canonical_maps, &s.sender_canonical_maps, &s.recipient_canonical_maps,
                             &s.virtual_alias_maps, &s.header_checks})
        for (const tern::TablePtr& t : *maps)
            if (t->changed()) return true;
    return false;
}

}  // namespace cleanup
