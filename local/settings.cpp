// local/settings.cpp - load local(8)'s parameters (see settings.h)
#include "local/settings.h"

#include <sys/stat.h>

#include "lib/base/text.h"

namespace local {

namespace {

tern::Error located(std::string_view name, const tern::Error& e) {
    return tern::Error{tern::Retry::Permanent, "parameter " + std::string(name) + ": " + e.describe(), 0};
}

tern::Status load_numbers(const tern::Config& config, Settings& s) {
    tern::Result<long long> limit = config.seconds("command_time_limit");
    if (!limit) return tl::unexpected(limit.error());
    s.command_time_limit_s = *limit;
    tern::Result<long long> ipc = config.seconds("ipc_timeout");
    if (!ipc) return tl::unexpected(ipc.error());
    s.ipc_timeout_s = *ipc;
    tern::Result<bool> owner = config.boolean("owner_request_special");
    if (!owner) return tl::unexpected(owner.error());
    s.owner_request_special = *owner;
    tern::Result<bool> expand = config.boolean("expand_owner_alias");
    if (!expand) return tl::unexpected(expand.error());
    s.expand_owner_alias = *expand;
    return {};
}

tern::Status load_alias_maps(const tern::Config& config, Settings& s) {
    for (const std::string& spec : config.list("alias_maps")) {
        tern::Result<tern::TablePtr> table = tern::open_table(spec);
        if (!table) return tl::unexpected(located("alias_maps", table.error()));
        const uid_t owner = table_owner(**table);
        s.alias_maps.push_back(AliasTable{std::move(*table), owner});
    }
    return {};
}

tern::MboxLocking parse_locking(std::string_view value) {
    tern::MboxLocking locking;
    locking.dotlock = false;
    locking.fcntl_lock = false;
    for (const std::string& kind : tern::split_list(value)) {
        if (kind == "dotlock") locking.dotlock = true;
        if (kind == "fcntl" || kind == "flock") locking.fcntl_lock = true;
    }
    return locking;
}

}  // namespace

Permissions parse_permissions(std::string_view value) {
    Permissions p;
    for (const std::string& word : tern::split_list(value)) {
        const std::string w = tern::to_lower(word);
        if (w == "alias") p.from_alias = true;
        if (w == "forward") p.from_forward = true;
        if (w == "include") p.from_include = true;
    }
    return p;
}

uid_t table_owner(const tern::LookupTable& table) {
    std::string path;
    if (table.type() == "hash" || table.type() == "btree") path = table.name() + ".db";
    else if (table.type() == "texthash") path = table.name();
    else return 0;
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0) return 0;
    return st.st_uid;
}

tern::Result<Settings> load_settings(const tern::Config& config) {
    Settings s;
    s.myhostname = config.get("myhostname");
    s.myorigin = config.get("myorigin");
    s.queue_directory = config.get("queue_directory");
    s.home_mailbox = config.get("home_mailbox");
    s.mail_spool_directory = config.get("mail_spool_directory");
    s.mailbox_transport = config.get("mailbox_transport");
    s.fallback_transport = config.get("fallback_transport");
    s.recipient_delimiter = config.get("recipient_delimiter");
    s.forward_path = config.raw("forward_path");
    s.local_command_shell = config.get("local_command_shell");
    s.commands = parse_permissions(config.get("allow_mail_to_commands"));
    s.files = parse_permissions(config.get("allow_mail_to_files"));
    s.export_environment = config.list("export_environment");
    s.locking = parse_locking(config.get("mailbox_delivery_lock"));
    if (tern::Status n = load_numbers(config, s); !n) return tl::unexpected(n.error());
    const std::string privs = config.get("default_privs");
    tern::Result<std::optional<UserAccount>> account = find_user(privs);
    if (!account || !*account || (*account)->uid == 0)
        return tern::fail(tern::Retry::Permanent, "parameter default_privs: unknown or privileged user " + privs);
    s.default_privs = **account;
    if (tern::Status a = load_alias_maps(config, s); !a) return tl::unexpected(a.error());
    tern::Result<tern::DomainClassifier> domains = tern::DomainClassifier::load(config);
    if (!domains) return tl::unexpected(domains.error());
    s.domains = std::make_unique<tern::DomainClassifier>(std::move(*domains));
    return s;
}

}  // namespace local
