// lib/mail/tables/inline_table.cpp - inline:{ key=value, { key = value with spaces }, ... }
//
// DESCRIPTION
//     The table is written in the spec itself, as in Postfix's
//     dict_inline.c: elements are separated by commas or white space; an
//     element in braces may contain both ("{ key = text, with comma }").
//     Each element is "name=value" with white space around name and value
//     trimmed; the value may be empty. Keys are folded to lower case
//     unless TableOptions::fold_keys is false; a duplicate key keeps its
//     first value and is warned about.
// ERRORS
//     A spec without braces, unbalanced braces, no elements, or an
//     element without "=" is a Permanent error that quotes the spec.
#include <memory>

#include "lib/base/text.h"
#include "lib/mail/tables/memory_table.h"
#include "lib/mail/tables/table.h"
#include "lib/mail/tables/table_text.h"

namespace tern {

namespace {

constexpr std::string_view kInlineSeparators = ", \t\r\n";

// Index of the '}' that closes the '{' at text[0], or npos.
std::size_t matching_brace(std::string_view text) noexcept {
    int level = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{') ++level;
        if (text[i] == '}' && --level == 0) return i;
    }
    return std::string_view::npos;
}

// "{ text }" -> "text"; nullopt when the braces do not enclose it all.
std::optional<std::string_view> strip_braces(std::string_view text) noexcept {
    const std::size_t close = matching_brace(text);
    if (close == std::string_view::npos || !trim_table_space(text.substr(close + 1)).empty()) return std::nullopt;
    return trim_table_space(text.substr(1, close - 1));
}

// Next element: separators at brace level 0 end it (Postfix mystrtokq).
std::optional<std::string_view> next_element(std::string_view& rest) noexcept {
    while (!rest.empty() && kInlineSeparators.find(rest.front()) != std::string_view::npos) rest.remove_prefix(1);
    if (rest.empty()) return std::nullopt;
    int level = 0;
    std::size_t end = 0;
    for (; end < rest.size(); ++end) {
        const char c = rest[end];
        if (c == '{') ++level;
        else if (level > 0 && c == '}') --level;
        else if (level == 0 && kInlineSeparators.find(c) != std::string_view::npos) break;
    }
    const std::string_view element = rest.substr(0, end);
    rest.remove_prefix(end);
    return element;
}

// Postfix split_nameval(): "name = value" with white space trimmed.
const char* split_name_value(std::string_view element, std::string_view& name, std::string_view& value) noexcept {
    element = trim_table_space(element);
    if (element.empty()) return "missing attribute name";
    std::size_t name_end = 0;
    while (name_end < element.size() && !is_table_space(element[name_end]) && element[name_end] != '=') ++name_end;
    std::size_t equals = name_end;
    while (equals < element.size() && is_table_space(element[equals])) ++equals;
    if (equals == element.size() || element[equals] != '=') return "missing '=' after attribute name";
    if (name_end == 0) return "missing attribute name";
    name = element.substr(0, name_end);
    value = trim_table_space(element.substr(equals + 1));
    return nullptr;
}

}  // namespace

Result<TablePtr> parse_inline_table(std::string_view name, const TableOptions& options) {
    const auto syntax_error = [&](std::string_view why) {
        return fail(Retry::Permanent, std::string(why) + ": \"inline:" + printable(name, 200) +
                                          "\"; need \"inline:{name=value...}\"");
    };
    const std::string_view spec = trim_table_space(name);
    if (spec.empty() || spec.front() != '{') return syntax_error("bad syntax");
    const std::optional<std::string_view> body = strip_braces(spec);
    if (!body) return syntax_error("bad syntax");
    auto table = std::make_unique<MemoryTable>("inline", std::string(name));
    table->configure(options, true);
    std::string_view rest = *body;
    while (std::optional<std::string_view> element = next_element(rest)) {
        if (element->front() == '{') {
            element = strip_braces(*element);
            if (!element) return syntax_error("bad syntax");
        }
        std::string_view key;
        std::string_view value;
        if (const char* why = split_name_value(*element, key, value)) return syntax_error(why);
        std::string folded = options.fold_keys ? to_lower(key) : std::string(key);
        if (!table->insert(folded, std::string(value)))
            table->add_warning("inline:" + printable(name, 200) + ": duplicate entry: \"" + printable(folded, 200) + "\"");
    }
    if (table->size() == 0) return syntax_error("bad syntax");
    return TablePtr(std::move(table));
}

}  // namespace tern
