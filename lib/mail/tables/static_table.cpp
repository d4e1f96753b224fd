// lib/mail/tables/static_table.cpp - static: every key finds the same value
//
// DESCRIPTION
//     "static:VALUE" answers VALUE for every key; "static:{ text with
//     spaces }" answers the text between the braces, trimmed, as
//     Postfix's dict_static.c does. It cannot list entries.
#include <memory>

#include "lib/base/text.h"
#include "lib/mail/tables/table.h"
#include "lib/mail/tables/table_text.h"

namespace tern {

namespace {

class StaticTable final : public LookupTable {
public:
    StaticTable(std::string name, std::string value) : LookupTable("static", std::move(name)), value_(std::move(value)) {}

protected:
    Result<std::optional<std::string>> find(std::string_view) const override {
        return std::optional<std::string>{value_};
    }

private:
    std::string value_;
};

}  // namespace

Result<TablePtr> make_static_table(std::string_view name, const TableOptions& options) {
    std::string_view value = name;
    if (!value.empty() && value.front() == '{') {
        if (value.size() < 2 || value.back() != '}')
            return fail(Retry::Permanent, "bad syntax: \"static:" + printable(name, 200) +
                                              "\"; need \"static:{value}\"");
        value = trim_table_space(value.substr(1, value.size() - 2));
    }
    auto table = std::make_unique<StaticTable>(std::string(name), std::string(value));
    table->configure(options, false);
    return TablePtr(std::move(table));
}

}  // namespace tern
