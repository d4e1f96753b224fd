// lib/mail/tables/memory_table.h - a key/value table held in memory (texthash:, inline:)
//
// SYNOPSIS
//     auto table = std::make_unique<tern::MemoryTable>("texthash", path);
//     table->configure(options, true);
//     bool added = table->insert("key", "value");   // false: duplicate, first kept
// DESCRIPTION
//     Keys are stored as given (the parser folds them when the options
//     say so); the first value of a duplicate key is kept, as postmap
//     does. for_each visits entries in the order they were added.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/mail/tables/table.h"

namespace tern {

class MemoryTable final : public LookupTable {
public:
    using LookupTable::LookupTable;

    [[nodiscard]] bool insert(std::string key, std::string value);
    [[nodiscard]] std::size_t size() const noexcept { return order_.size(); }
    Status for_each(const EntryVisitor& visit) const override;

protected:
    Result<std::optional<std::string>> find(std::string_view key) const override;

private:
    using Map = std::unordered_map<std::string, std::string>;
    Map values_;
    std::vector<const Map::value_type*> order_;  // map nodes never move
};

}  // namespace tern
