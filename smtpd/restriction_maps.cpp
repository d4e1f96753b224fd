// smtpd/restriction_maps.cpp - recipient tables for reject_unlisted_recipient/_sender
#include "smtpd/restriction_maps.h"

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "smtpd/restriction_address.h"

namespace smtpd {

namespace {

// Stands in for a table whose file is missing: every lookup is a temporary failure.
class UnavailableTable final : public tern::LookupTable {
public:
    UnavailableTable(std::string type, std::string name, std::string reason)
        : LookupTable(std::move(type), std::move(name)), reason_(std::move(reason)) {}

protected:
    tern::Result<std::optional<std::string>> find(std::string_view) const override {
        return tern::fail(tern::Retry::Temporary, spec() + " is unavailable: " + reason_);
    }

private:
    std::string reason_;
};

}  // namespace

tern::Result<std::shared_ptr<tern::LookupTable>> open_map(std::string_view spec, std::string_view param) {
    while (spec.size() > 6 && spec.substr(0, 6) == "proxy:") spec.remove_prefix(6);
    tern::Result<tern::TablePtr> table = tern::open_table(spec);
    if (table) return std::shared_ptr<tern::LookupTable>(std::move(*table));
    if (!table.error().temporary())
        return tern::fail(tern::Retry::Permanent, "parameter " + std::string(param) + ": " + table.error().describe());
    tern::Result<tern::TableSpec> parts = tern::split_table_spec(spec);
    if (!parts) return tl::unexpected(parts.error());
    const std::string reason = table.error().describe();
    tern::log_warning("%s:%s is unavailable. %s", parts->type.c_str(), tern::printable(parts->name, 200).c_str(),
                      tern::printable(reason, 300).c_str());
    return std::shared_ptr<tern::LookupTable>(std::make_shared<UnavailableTable>(parts->type, parts->name, reason));
}

tern::Result<RecipientMaps> RecipientMaps::load(const tern::Config& config) {
    RecipientMaps maps;
    struct ListParam {
        std::string_view name;
        Tables* tables;
    };
    const ListParam params[] = {
        {"local_recipient_maps", &maps.local_},
        {"virtual_mailbox_maps", &maps.virtual_mailbox_},
        {"relay_recipient_maps", &maps.relay_},
        {"recipient_canonical_maps", &maps.rewriting_},
        {"canonical_maps", &maps.rewriting_},
        {"virtual_alias_maps", &maps.rewriting_},
    };
    for (const ListParam& param : params) {
        for (const std::string& spec : config.list(param.name)) {
            tern::Result<std::shared_ptr<tern::LookupTable>> table = open_map(spec, param.name);
            if (!table) return tl::unexpected(table.error());
            param.tables->push_back(std::move(*table));
        }
    }
    return maps;
}

const RecipientMaps::Tables& RecipientMaps::tables(MapSet set) const noexcept {
    switch (set) {
    case MapSet::LocalRecipients: return local_;
    case MapSet::VirtualMailboxes: return virtual_mailbox_;
    case MapSet::RelayRecipients: return relay_;
    case MapSet::Rewriting: return rewriting_;
    }
    return rewriting_;
}

bool RecipientMaps::enabled(MapSet set) const noexcept { return !tables(set).empty(); }

tern::Result<bool> RecipientMaps::contains(MapSet set, std::string_view address, std::string_view domain,
                                           std::string_view delimiters, bool domain_is_local) const {
    const std::string bare = strip_extension(address, delimiters);
    const std::size_t at = address.rfind('@');
    const std::size_t bare_at = bare.rfind('@');
    std::vector<std::string> keys{std::string(address)};
    if (bare != address) keys.push_back(bare);
    if (domain_is_local) {
        keys.emplace_back(address.substr(0, at));
        if (bare != address) keys.push_back(bare.substr(0, bare_at));
    }
    keys.push_back("@" + std::string(domain));
    for (const std::shared_ptr<tern::LookupTable>& table : tables(set)) {
        for (const std::string& key : keys) {
            tern::Result<std::optional<std::string>> found = table->lookup(key);
            if (!found) return tl::unexpected(found.error());
            if (found->has_value()) return true;
        }
    }
    return false;
}

}  // namespace smtpd
