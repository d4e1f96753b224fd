// tools/postalias/aliases.cpp - parse aliases(5) entries (see aliases.h)
#include "tools/postalias/aliases.h"

#include <vector>

#include "lib/base/text.h"
#include "lib/mail/tables/table_text.h"

namespace postalias {

namespace {

// Tracks whether a position is inside "quotes", (comments) or <angles>.
class Nesting {
public:
    // Feeds one byte; true when it is outside all of them afterwards and
    // was not itself quoted.
    bool outside_after(char c) {
        if (escaped_) {
            escaped_ = false;
            return false;
        }
        if (c == '\\' && (quoted_ || comment_depth_ > 0)) {
            escaped_ = true;
            return false;
        }
        if (quoted_) {
            quoted_ = c != '"';
            return false;
        }
        if (c == '"') quoted_ = true;
        else if (c == '(') ++comment_depth_;
        else if (c == ')' && comment_depth_ > 0) --comment_depth_;
        else if (c == '<' && comment_depth_ == 0) angle_ = true;
        else if (c == '>' && comment_depth_ == 0) angle_ = false;
        return !quoted_ && comment_depth_ == 0 && !angle_ && c != '"' && c != ')' && c != '>';
    }
    [[nodiscard]] bool quoted() const noexcept { return quoted_; }

private:
    bool quoted_ = false;
    bool escaped_ = false;
    bool angle_ = false;
    int comment_depth_ = 0;
};

// One element: trimmed, white space runs outside quotes made one space.
std::string squeeze(std::string_view element) {
    element = tern::trim_table_space(element);
    std::string out;
    Nesting nesting;
    bool pending_space = false;
    for (const char c : element) {
        const bool was_quoted = nesting.quoted();
        nesting.outside_after(c);
        if (!was_quoted && tern::is_table_space(c)) {
            pending_space = true;
            continue;
        }
        if (pending_space) out.push_back(' ');
        pending_space = false;
        out.push_back(c);
    }
    return out;
}

std::string unquote_name(std::string_view name) {
    if (name.size() < 2 || name.front() != '"' || name.back() != '"') return std::string(name);
    std::string out;
    name = name.substr(1, name.size() - 2);
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 1 < name.size()) ++i;
        out.push_back(name[i]);
    }
    return out;
}

bool has_unquoted_at(std::string_view name) {
    Nesting nesting;
    for (const char c : name)
        if (nesting.outside_after(c) && c == '@') return true;
    return false;
}

}  // namespace

std::string normalize_alias_value(std::string_view value) {
    std::vector<std::string> elements;
    Nesting nesting;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= value.size(); ++i) {
        if (i < value.size() && !(nesting.outside_after(value[i]) && value[i] == ',')) continue;
        std::string element = squeeze(value.substr(start, i - start));
        if (!element.empty()) elements.push_back(std::move(element));
        start = i + 1;
    }
    std::string out;
    for (const std::string& element : elements) {
        if (!out.empty()) out += ", ";
        out += element;
    }
    return out;
}

AliasLine parse_alias_line(std::string_view line, bool fold) {
    const AliasLine need_pair{std::nullopt, "need name:value pair"};
    Nesting nesting;
    std::size_t colon = std::string_view::npos;
    for (std::size_t i = 0; i < line.size() && colon == std::string_view::npos; ++i)
        if (nesting.outside_after(line[i]) && line[i] == ':') colon = i;
    if (colon == std::string_view::npos) return need_pair;
    const std::string_view raw_name = tern::trim_table_space(line.substr(0, colon));
    if (raw_name.empty()) return need_pair;
    if (has_unquoted_at(raw_name)) return {std::nullopt, "name must be local"};
    std::string value = normalize_alias_value(line.substr(colon + 1));
    if (value.empty()) return need_pair;
    std::string name = unquote_name(raw_name);
    if (name.empty()) return need_pair;
    return {AliasEntry{fold ? tern::to_lower(name) : std::move(name), std::move(value)}, {}};
}

}  // namespace postalias
