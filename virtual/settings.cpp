// virtual/settings.cpp - load virtual(8)'s parameters and tables (see settings.h)
//
// SYNOPSIS
//     tern::Result<virt::Settings> s = virt::load_settings(tern::config());
// DESCRIPTION
//     Reads each parameter through tern::Config's checked accessors and
//     opens every table of the three map lists.
// ERRORS
//     Permanent, "parameter NAME: reason".
#include "virtual/settings.h"

#include "lib/base/text.h"

namespace virt {

namespace {

tern::Error located(std::string_view name, const tern::Error& e) {
    return tern::Error{tern::Retry::Permanent, "parameter " + std::string(name) + ": " + e.describe(), 0};
}

tern::Result<Maps> open_maps(const tern::Config& config, std::string_view name) {
    Maps maps{std::string(name), {}};
    for (const std::string& spec : config.list(name)) {
        tern::Result<tern::TablePtr> table = tern::open_table(spec);
        if (!table) return tl::unexpected(located(name, table.error()));
        maps.tables.push_back(std::move(*table));
    }
    return maps;
}

tern::Status load_numbers(const tern::Config& config, Settings& s) {
    tern::Result<long long> minimum = config.integer("virtual_minimum_uid");
    if (!minimum) return tl::unexpected(minimum.error());
    if (*minimum < 1)
        return tern::fail(tern::Retry::Permanent, "parameter virtual_minimum_uid: must be at least 1");
    s.minimum_uid = *minimum;
    tern::Result<long long> limit = config.bytes("virtual_mailbox_limit");
    if (!limit) return tl::unexpected(limit.error());
    s.mailbox_limit = *limit;
    return {};
}

}  // namespace

tern::MboxLocking parse_locking(std::string_view value) {
    tern::MboxLocking locking;
    locking.dotlock = false;
    locking.fcntl_lock = false;
    for (const std::string& word : tern::split_list(value)) {
        const std::string kind = tern::to_lower(word);
        if (kind == "dotlock") locking.dotlock = true;
        if (kind == "fcntl" || kind == "flock") locking.fcntl_lock = true;
    }
    return locking;
}

tern::Result<Settings> load_settings(const tern::Config& config) {
    Settings s;
    s.mailbox_base = config.get("virtual_mailbox_base");
    if (s.mailbox_base.empty() || s.mailbox_base.front() != '/')
        return tern::fail(tern::Retry::Permanent,
                          "do not specify relative pathname: virtual_mailbox_base = " + s.mailbox_base);
    if (tern::Status n = load_numbers(config, s); !n) return tl::unexpected(n.error());
    s.locking = parse_locking(config.get("virtual_mailbox_lock"));
    s.recipient_delimiter = config.get("recipient_delimiter");
    for (auto [name, maps] : {std::pair{"virtual_mailbox_maps", &s.mailbox_maps},
                              std::pair{"virtual_uid_maps", &s.uid_maps},
                              std::pair{"virtual_gid_maps", &s.gid_maps}}) {
        tern::Result<Maps> opened = open_maps(config, name);
        if (!opened) return tl::unexpected(opened.error());
        *maps = std::move(*opened);
    }
    return s;
}

}  // namespace virt
