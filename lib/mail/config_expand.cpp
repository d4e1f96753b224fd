// lib/mail/config_expand.cpp - expand $name references in main.cf values (see config_expand.h)
#include "lib/mail/config_expand.h"

#include <algorithm>
#include <map>

#include "lib/base/text.h"
#include "lib/mail/config.h"

namespace tern {
namespace {

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::size_t name_length(std::string_view text) noexcept {
    std::size_t n = 0;
    while (n < text.size() && is_name_char(text[n])) ++n;
    return n;
}

// Index of the bracket that closes text[open_at], or npos.
std::size_t find_close(std::string_view text, std::size_t open_at) noexcept {
    const char open = text[open_at];
    const char close = open == '{' ? '}' : ')';
    int depth = 0;
    for (std::size_t i = open_at; i < text.size(); ++i) {
        if (text[i] == open) ++depth;
        if (text[i] == close && --depth == 0) return i;
    }
    return std::string_view::npos;
}

tl::unexpected<Error> syntax(std::string reason) { return fail(Retry::Permanent, std::move(reason)); }

// "{a}" / "{a}:{b}" / "a" after the ? or : of ${name?...}.
struct Alternatives {
    std::string_view when_chosen;
    std::string_view otherwise;
};

Result<Alternatives> split_alternatives(std::string_view text) {
    if (text.empty() || text.front() != '{') return Alternatives{text, {}};
    const std::size_t close = find_close(text, 0);
    if (close == std::string_view::npos) return syntax("missing '}' in: \"" + printable(text, 100) + "\"");
    Alternatives alt{text.substr(1, close - 1), {}};
    std::string_view rest = trim(text.substr(close + 1));
    if (rest.empty()) return alt;
    if (rest.front() != ':') return syntax("bad macro syntax at: \"" + printable(rest, 100) + "\"");
    rest = trim(rest.substr(1));
    if (rest.empty() || rest.front() != '{' || find_close(rest, 0) != rest.size() - 1)
        return syntax("bad macro syntax at: \"" + printable(rest, 100) + "\"");
    alt.otherwise = rest.substr(1, rest.size() - 2);
    return alt;
}

class Expander {
public:
    explicit Expander(const RawLookup& lookup) : lookup_(lookup) {}

    Status expand_into(std::string_view text, std::string& out) {
        std::size_t pos = 0;
        while (pos < text.size()) {
            const std::size_t dollar = text.find('$', pos);
            out.append(text.substr(pos, dollar == std::string_view::npos ? std::string_view::npos : dollar - pos));
            if (out.size() > kMaxExpandedBytes) return syntax("expansion is longer than " + std::to_string(kMaxExpandedBytes) + " bytes");
            if (dollar == std::string_view::npos) break;
            auto used = expand_one(text.substr(dollar), out);
            if (!used) return tl::unexpected(used.error());
            pos = dollar + *used;
        }
        return {};
    }

private:
    // Expands the reference at the start of text (text[0] == '$'); returns the bytes used.
    Result<std::size_t> expand_one(std::string_view text, std::string& out) {
        if (text.size() >= 2 && text[1] == '$') {
            out.push_back('$');
            return 2;
        }
        if (text.size() >= 2 && (text[1] == '{' || text[1] == '(')) {
            const std::size_t close = find_close(text, 1);
            if (close == std::string_view::npos)
                return syntax("truncated macro reference: \"" + printable(text, 100) + "\"");
            auto done = expand_braced(text.substr(2, close - 2), out);
            if (!done) return tl::unexpected(done.error());
            return close + 1;
        }
        const std::size_t n = name_length(text.substr(1));
        if (n == 0) return syntax("empty macro name: \"" + printable(text, 100) + "\"");
        auto value = value_of(text.substr(1, n));
        if (!value) return tl::unexpected(value.error());
        out += *value;
        return n + 1;
    }

    Status expand_braced(std::string_view inner, std::string& out) {
        const std::size_t n = name_length(inner);
        if (n == 0 && !inner.empty() && inner.front() == '{')
            return syntax("unsupported macro expression: \"" + printable(inner, 100) + "\"");
        if (n == 0) return syntax("empty macro name: \"" + printable(inner, 100) + "\"");
        auto value = value_of(inner.substr(0, n));
        if (!value) return tl::unexpected(value.error());
        if (n == inner.size()) {
            out += *value;
            return {};
        }
        const char op = inner[n];
        if (op != '?' && op != ':')
            return syntax("attribute name syntax error at: \"" + printable(inner, 100) + "\"");
        auto alt = split_alternatives(inner.substr(n + 1));
        if (!alt) return tl::unexpected(alt.error());
        const bool chosen = (op == '?') == !value->empty();
        return expand_into(chosen ? alt->when_chosen : alt->otherwise, out);
    }

    Result<std::string> value_of(std::string_view name) {
        if (const auto it = memo_.find(name); it != memo_.end()) return it->second;
        if (std::find(stack_.begin(), stack_.end(), name) != stack_.end())
            return syntax("macro loop via $" + std::string(name));
        if (stack_.size() >= static_cast<std::size_t>(kMaxExpansionDepth))
            return syntax("unreasonable macro call nesting: $" + std::string(name));
        const std::optional<std::string> raw = lookup_(name);
        if (!raw) return std::string();
        stack_.emplace_back(name);
        std::string value;
        auto done = expand_into(*raw, value);
        stack_.pop_back();
        if (!done) return tl::unexpected(done.error());
        memo_.emplace(std::string(name), value);
        return value;
    }

    const RawLookup& lookup_;
    std::vector<std::string> stack_;
    std::map<std::string, std::string, std::less<>> memo_;
};

}  // namespace

Result<std::string> expand_macros(std::string_view text, const RawLookup& lookup) {
    Expander expander(lookup);
    std::string out;
    auto done = expander.expand_into(text, out);
    if (!done) return tl::unexpected(done.error());
    return out;
}

std::vector<std::string> macro_names(std::string_view text) {
    std::vector<std::string> names;
    for (std::size_t pos = text.find('$'); pos != std::string_view::npos; pos = text.find('$', pos + 1)) {
        std::size_t start = pos + 1;
        if (start < text.size() && text[start] == '$') {
            ++pos;
            continue;
        }
        if (start < text.size() && (text[start] == '{' || text[start] == '(')) ++start;
        const std::size_t n = name_length(text.substr(std::min(start, text.size())));
        if (n > 0) names.emplace_back(text.substr(start, n));
    }
    return names;
}

}  // namespace tern
