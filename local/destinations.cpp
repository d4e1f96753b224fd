// local/destinations.cpp - the aliases(5) destination list parser
#include "local/destinations.h"

#include "lib/base/text.h"

namespace local {

namespace {

// Splits at commas outside double quotes; quotes and backslashes stay.
std::vector<std::string_view> split_items(std::string_view value) {
    std::vector<std::string_view> items;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const char c = value[i];
        if (c == '\\' && quoted && i + 1 < value.size()) {
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            items.push_back(value.substr(start, i - start));
            start = i + 1;
        }
    }
    items.push_back(value.substr(start));
    return items;
}

// Removes one level of double quotes and their backslash escapes.
std::string unquote(std::string_view text) {
    std::string out;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"') {
            quoted = !quoted;
        } else if (c == '\\' && quoted && i + 1 < text.size()) {
            out += text[++i];
        } else {
            out += c;
        }
    }
    return out;
}

Destination classify(std::string text) {
    Destination d;
    if (text.starts_with('|')) {
        d.kind = DestinationKind::Command;
        d.text = std::string(tern::trim(std::string_view(text).substr(1)));
    } else if (text.starts_with('/')) {
        d.kind = DestinationKind::File;
        d.text = std::move(text);
    } else if (text.size() >= 9 && tern::iequals(std::string_view(text).substr(0, 9), ":include:")) {
        d.kind = DestinationKind::Include;
        d.text = std::string(tern::trim(std::string_view(text).substr(9)));
    } else {
        if (text.size() >= 2 && text.front() == '<' && text.back() == '>') text = text.substr(1, text.size() - 2);
        if (text.starts_with('\\')) {
            d.no_expand = true;
            text.erase(0, 1);
        }
        d.text = std::string(tern::trim(text));
    }
    return d;
}

void add_items(std::string_view value, DestinationList& list) {
    for (std::string_view raw : split_items(value)) {
        const std::string_view item = tern::trim(raw);
        if (item.empty()) continue;
        if (list.items.size() >= kMaxDestinations || item.size() > kMaxDestinationBytes) {
            list.truncated = true;
            continue;
        }
        Destination d = classify(unquote(item));
        if (d.text.empty()) continue;
        list.items.push_back(std::move(d));
    }
}

}  // namespace

DestinationList parse_destinations(std::string_view value) {
    DestinationList list;
    add_items(value, list);
    return list;
}

DestinationList parse_destination_file(std::string_view text) {
    // As Postfix's deliver_token_stream: each line on its own, '#' lines skipped.
    DestinationList list;
    while (!text.empty()) {
        const std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        if (tern::trim(line).starts_with('#')) continue;
        add_items(line, list);
    }
    return list;
}

}  // namespace local
