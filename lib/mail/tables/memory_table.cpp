// lib/mail/tables/memory_table.cpp - a key/value table held in memory (texthash:, inline:)
#include "lib/mail/tables/memory_table.h"

namespace tern {

bool MemoryTable::insert(std::string key, std::string value) {
    const auto [it, added] = values_.try_emplace(std::move(key), std::move(value));
    if (added) order_.push_back(&*it);
    return added;
}

Status MemoryTable::for_each(const EntryVisitor& visit) const {
    for (const Map::value_type* entry : order_)
        if (!visit(entry->first, entry->second)) break;
    return {};
}

Result<std::optional<std::string>> MemoryTable::find(std::string_view key) const {
    const auto it = values_.find(std::string(key));
    if (it == values_.end()) return std::optional<std::string>{};
    return std::optional<std::string>{it->second};
}

}  // namespace tern
