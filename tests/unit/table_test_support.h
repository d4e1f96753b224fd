// tests/unit/table_test_support.h - helpers shared by the lookup-table unit tests
//
// SYNOPSIS
//     TablePtr t = must(tern::open_table("inline:{a=b}", quiet()));
//     CHECK(get(t, "a") == "b");   CHECK(has_warning(t, "line 2"));
// DESCRIPTION
//     quiet() opens tables without logging their warnings (tests read them
//     from warnings() instead); get() returns "<none>" for a miss; must()
//     fails the test with the open error.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "lib/mail/tables/table.h"
#include "tests/unit/test_support.h"

using tern::TableOptions;
using tern::TablePtr;
using tern_test::TempDir;

inline TableOptions quiet() {
    TableOptions options;
    options.log_warnings = false;
    return options;
}

inline std::string get(const TablePtr& table, std::string_view key) {
    auto value = table->lookup(key);
    REQUIRE(value);
    return value->value_or("<none>");
}

inline TablePtr must(tern::Result<TablePtr> table) {
    if (!table) FAIL(table.error().describe());
    return std::move(*table);
}

inline bool has_warning(const TablePtr& table, std::string_view text) {
    for (const std::string& w : table->warnings())
        if (w.find(text) != std::string::npos) return true;
    return false;
}
