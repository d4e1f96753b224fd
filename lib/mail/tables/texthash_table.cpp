// lib/mail/tables/texthash_table.cpp - texthash: a postmap source file read into memory
//
// DESCRIPTION
//     The file has postmap(1)'s source format ("key whitespace value",
//     comments, continuation lines; table_text.h). Keys are folded to
//     lower case unless TableOptions::fold_keys is false. A bad line or a
//     duplicate key is warned about as "FILE, line N: reason" and skipped
//     (the first value of a key wins), as Postfix's dict_thash.c does.
#include <memory>

#include "lib/base/text.h"
#include "lib/mail/tables/memory_table.h"
#include "lib/mail/tables/table.h"
#include "lib/mail/tables/table_text.h"

namespace tern {

Result<TablePtr> parse_texthash_table(std::string_view text, const std::string& name, const TableOptions& options) {
    auto table = std::make_unique<MemoryTable>("texthash", name);
    table->configure(options, true);
    const auto warn = [&](int line, const std::string& reason) {
        table->add_warning(name + ", line " + std::to_string(line) + ": " + reason);
    };
    LogicalLineReader reader(text, warn);
    while (std::optional<LogicalLine> line = reader.next()) {
        const std::optional<KeyValue> entry = split_key_value(line->text);
        if (!entry) {
            warn(line->line, "expected format: key whitespace value -- ignoring this line");
            continue;
        }
        std::string key = options.fold_keys ? to_lower(entry->key) : std::string(entry->key);
        if (!table->insert(key, std::string(entry->value)))
            warn(line->line, "duplicate entry: \"" + printable(key, 200) + "\"");
    }
    return TablePtr(std::move(table));
}

}  // namespace tern
