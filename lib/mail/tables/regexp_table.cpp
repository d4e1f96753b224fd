// lib/mail/tables/regexp_table.cpp - regexp: tables (regexp_table(5)), POSIX regular expressions
//
// DESCRIPTION
//     Rules are tried in file order; the first that matches gives the
//     result. The syntax is Postfix's dict_regexp.c:
//         /pattern/flags result           !/pattern/flags result
//         /pattern1/flags!/pattern2/flags result   (1 matches, 2 does not)
//         if /pattern/flags   ...   endif          (nesting allowed)
//     Any non-alphanumeric character may stand for "/"; a backslash
//     escapes it inside the pattern. Flags toggle: i (case-insensitive
//     matching, ON by default), x (extended syntax, ON by default), m
//     (multi-line mode, off by default). In the result, $1..$N (or ${N},
//     $(N)) is the Nth parenthesized subexpression and $$ a dollar sign.
//     Keys are never folded; matching is case-insensitive by the i flag.
// ERRORS
//     A bad rule is skipped with a warning "regexp map FILE, line N:
//     reason: skipping this rule", as Postfix does; the table still opens.
//     A failing regexec (out of memory) makes lookup a Temporary error.
#include <cstdint>
#include <memory>
#include <vector>

#include "lib/base/text.h"
#include "lib/mail/tables/posix_regex.h"
#include "lib/mail/tables/table.h"
#include "lib/mail/tables/table_text.h"

namespace tern {

namespace {

constexpr std::size_t kNoEndif = SIZE_MAX;

enum class RuleOp { Match, If, Endif };

// One piece of a result: literal text, or subexpression `sub` when sub > 0.
struct Piece {
    std::string literal;
    std::size_t sub = 0;
};

struct Pattern {
    std::string regexp;
    int flags = REG_EXTENDED | REG_ICASE;
    bool positive = true;
};

struct Rule {
    RuleOp op = RuleOp::Match;
    int line = 0;
    std::optional<PosixRegex> first;  // Match, If
    bool first_positive = true;
    std::optional<PosixRegex> second;  // Match: the optional !/pattern2/
    bool second_positive = true;
    std::vector<Piece> result;
    std::size_t max_sub = 0;
    std::size_t endif = kNoEndif;  // If: index of its endif
};

bool is_alnum(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool starts_with_word(std::string_view text, std::string_view word) noexcept {
    return text.size() >= word.size() && iequals(text.substr(0, word.size()), word) &&
           (text.size() == word.size() || !is_alnum(text[word.size()]));
}

std::string_view skip_space(std::string_view text) noexcept {
    while (!text.empty() && is_table_space(text.front())) text.remove_prefix(1);
    return text;
}

class RegexpTable;

// Parses the table text into rules; one instance per table load.
class RegexpParser {
public:
    RegexpParser(RegexpTable& table, const std::string& name) : table_(table), name_(name) {}
    void parse(std::string_view text);

private:
    void warn(int line, const std::string& reason);
    std::optional<Pattern> take_pattern(int line, std::string_view& rest);
    std::optional<PosixRegex> compile(int line, const Pattern& pattern);
    bool parse_result(int line, std::string_view text, Rule& rule);
    void parse_match(int line, std::string_view rest);
    void parse_if(int line, std::string_view rest);
    void parse_endif(int line, std::string_view rest);
    void add_rule(Rule rule);

    RegexpTable& table_;
    const std::string& name_;
    std::vector<std::size_t> open_ifs_;  // indices of If rules awaiting endif
};

class RegexpTable final : public LookupTable {
public:
    explicit RegexpTable(std::string name) : LookupTable("regexp", std::move(name)) {}

protected:
    Result<std::optional<std::string>> find(std::string_view key) const override;

private:
    friend class RegexpParser;
    std::string expand(const Rule& rule, const std::string& subject, std::span<const regmatch_t> pmatch) const;

    std::vector<Rule> rules_;
    std::size_t max_sub_ = 0;
};

void RegexpParser::warn(int line, const std::string& reason) {
    table_.add_warning("regexp map " + name_ + ", line " + std::to_string(line) + ": " + reason);
}

// Postfix dict_regexp_get_pat(): [!...]DELIM regexp DELIM flags
std::optional<Pattern> RegexpParser::take_pattern(int line, std::string_view& rest) {
    Pattern pattern;
    while (!rest.empty() && (rest.front() == '!' || is_table_space(rest.front()))) {
        if (rest.front() == '!') pattern.positive = !pattern.positive;
        rest.remove_prefix(1);
    }
    if (rest.empty()) {
        warn(line, "no regexp: skipping this rule");
        return std::nullopt;
    }
    const char delimiter = rest.front();
    std::size_t end = 1;
    while (end < rest.size() && rest[end] != delimiter) end += (rest[end] == '\\' && end + 1 < rest.size()) ? 2 : 1;
    if (end >= rest.size()) {
        warn(line, std::string("no closing regexp delimiter \"") + delimiter + "\": skipping this rule");
        return std::nullopt;
    }
    pattern.regexp = std::string(rest.substr(1, end - 1));
    rest.remove_prefix(end + 1);
    for (; !rest.empty() && !is_table_space(rest.front()) && rest.front() != '!'; rest.remove_prefix(1)) {
        switch (rest.front()) {
            case 'i': pattern.flags ^= REG_ICASE; break;
            case 'm': pattern.flags ^= REG_NEWLINE; break;
            case 'x': pattern.flags ^= REG_EXTENDED; break;
            default:
                warn(line, "unknown regexp option \"" + printable(rest.substr(0, 1)) + "\": skipping this rule");
                return std::nullopt;
        }
    }
    return pattern;
}

std::optional<PosixRegex> RegexpParser::compile(int line, const Pattern& pattern) {
    Result<PosixRegex> compiled = PosixRegex::compile(pattern.regexp, pattern.flags);
    if (!compiled) {
        warn(line, compiled.error().text);
        return std::nullopt;
    }
    return std::move(*compiled);
}

// Postfix mac_parse() on the result: $$, $N, ${N}, $(N); N >= 1, digits only.
bool RegexpParser::parse_result(int line, std::string_view text, Rule& rule) {
    std::string literal;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] != '$' || (i + 1 < text.size() && text[i + 1] == '$')) {
            literal.push_back(text[i]);
            i += text[i] == '$' ? 2 : 1;
            continue;
        }
        if (!literal.empty()) rule.result.push_back(Piece{std::exchange(literal, {}), 0});
        ++i;
        std::string_view index;
        if (i < text.size() && (text[i] == '{' || text[i] == '(')) {
            const char close = text[i] == '{' ? '}' : ')';
            const std::size_t end = text.find(close, i + 1);
            if (end == std::string_view::npos) {
                warn(line, "truncated macro reference: bad replacement syntax: skipping this rule");
                return false;
            }
            index = text.substr(i + 1, end - i - 1);
            i = end + 1;
        } else {
            const std::size_t start = i;
            while (i < text.size() && (is_alnum(text[i]) || text[i] == '_')) ++i;
            index = text.substr(start, i - start);
        }
        if (index.empty()) {
            warn(line, "empty macro name: bad replacement syntax: skipping this rule");
            return false;
        }
        if (index.find_first_not_of("0123456789") != std::string_view::npos) {
            warn(line, "non-numeric replacement index \"" + printable(index, 100) + "\": skipping this rule");
            return false;
        }
        const std::optional<long long> number = parse_integer(index);
        if (!number || *number < 1) {
            warn(line, "out-of-range replacement index \"" + printable(index, 100) + "\": skipping this rule");
            return false;
        }
        rule.result.push_back(Piece{{}, static_cast<std::size_t>(*number)});
        rule.max_sub = std::max(rule.max_sub, static_cast<std::size_t>(*number));
    }
    if (!literal.empty()) rule.result.push_back(Piece{std::move(literal), 0});
    return true;
}

void RegexpParser::parse_match(int line, std::string_view rest) {
    Rule rule;
    rule.line = line;
    std::optional<Pattern> first = take_pattern(line, rest);
    if (!first) return;
    std::optional<Pattern> second;
    if (!rest.empty() && rest.front() == '!') {
        second = take_pattern(line, rest);
        if (!second) return;
    }
    rest = skip_space(rest);
    if (rest.empty()) warn(line, "no replacement text: using empty string");
    if (!parse_result(line, rest, rule)) return;
    if (rule.max_sub > 0 && !first->positive) {
        warn(line, "$number found in negative match replacement text: skipping this rule");
        return;
    }
    if (rule.max_sub == 0) first->flags |= REG_NOSUB;
    rule.first = compile(line, *first);
    if (!rule.first) return;
    rule.first_positive = first->positive;
    if (rule.max_sub > rule.first->subexpressions()) {
        warn(line, "out of range replacement index \"" + std::to_string(rule.max_sub) + "\": skipping this rule");
        return;
    }
    if (second) {
        second->flags |= REG_NOSUB;
        rule.second = compile(line, *second);
        if (!rule.second) return;
        rule.second_positive = second->positive;
    }
    add_rule(std::move(rule));
}

void RegexpParser::parse_if(int line, std::string_view rest) {
    rest = skip_space(rest.substr(2));
    std::optional<Pattern> pattern = take_pattern(line, rest);
    if (!pattern) return;
    rest = skip_space(rest);
    if (!rest.empty()) {
        warn(line, "ignoring extra text after IF statement: \"" + printable(rest, 200) + "\"");
        warn(line, "do not prepend whitespace to statements between IF and ENDIF");
    }
    pattern->flags |= REG_NOSUB;
    Rule rule;
    rule.op = RuleOp::If;
    rule.line = line;
    rule.first = compile(line, *pattern);
    if (!rule.first) return;
    rule.first_positive = pattern->positive;
    open_ifs_.push_back(table_.rules_.size());
    add_rule(std::move(rule));
}

void RegexpParser::parse_endif(int line, std::string_view rest) {
    if (open_ifs_.empty()) {
        warn(line, "ignoring ENDIF without matching IF");
        return;
    }
    if (!skip_space(rest.substr(5)).empty()) warn(line, "ignoring extra text after ENDIF");
    table_.rules_[open_ifs_.back()].endif = table_.rules_.size();
    open_ifs_.pop_back();
    Rule rule;
    rule.op = RuleOp::Endif;
    rule.line = line;
    add_rule(std::move(rule));
}

void RegexpParser::add_rule(Rule rule) {
    table_.max_sub_ = std::max(table_.max_sub_, rule.max_sub);
    table_.rules_.push_back(std::move(rule));
}

void RegexpParser::parse(std::string_view text) {
    LogicalLineReader reader(text, [&](int line, const std::string& reason) { warn(line, reason); });
    while (std::optional<LogicalLine> logical = reader.next()) {
        const std::string_view line = trim_table_space(logical->text);
        if (line.empty()) continue;
        if (!is_alnum(line.front())) parse_match(logical->line, line);
        else if (starts_with_word(line, "if")) parse_if(logical->line, line);
        else if (starts_with_word(line, "endif")) parse_endif(logical->line, line);
        else warn(logical->line, "ignoring unrecognized request");
    }
    for (auto it = open_ifs_.rbegin(); it != open_ifs_.rend(); ++it)
        warn(table_.rules_[*it].line, "IF has no matching ENDIF");
}

std::string RegexpTable::expand(const Rule& rule, const std::string& subject, std::span<const regmatch_t> pmatch) const {
    std::string out;
    for (const Piece& piece : rule.result) {
        if (piece.sub == 0) {
            out += piece.literal;
            continue;
        }
        const regmatch_t& m = pmatch[piece.sub];
        if (m.rm_so >= 0 && m.rm_eo > m.rm_so)
            out.append(subject, static_cast<std::size_t>(m.rm_so), static_cast<std::size_t>(m.rm_eo - m.rm_so));
    }
    return out;
}

Result<std::optional<std::string>> RegexpTable::find(std::string_view key) const {
    const std::string subject(key);  // regexec wants a C string
    std::vector<regmatch_t> pmatch(max_sub_ + 1);
    const auto test = [&](const PosixRegex& re, bool positive, std::size_t nsub) -> Result<bool> {
        Result<bool> hit = re.match(subject.c_str(), std::span<regmatch_t>(pmatch.data(), nsub));
        if (!hit) return fail(Retry::Temporary, "regexp map " + name() + ": " + hit.error().text);
        return *hit == positive;
    };
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const Rule& rule = rules_[i];
        switch (rule.op) {
            case RuleOp::Match: {
                Result<bool> hit = test(*rule.first, rule.first_positive, rule.max_sub > 0 ? rule.max_sub + 1 : 0);
                if (!hit) return tl::unexpected(hit.error());
                if (!*hit) continue;
                if (rule.second) {
                    hit = test(*rule.second, rule.second_positive, 0);
                    if (!hit) return tl::unexpected(hit.error());
                    if (!*hit) continue;
                }
                return std::optional<std::string>{expand(rule, subject, pmatch)};
            }
            case RuleOp::If: {
                Result<bool> hit = test(*rule.first, rule.first_positive, 0);
                if (!hit) return tl::unexpected(hit.error());
                if (*hit) continue;
                if (rule.endif == kNoEndif) return std::optional<std::string>{};  // as Postfix
                i = rule.endif;
                continue;
            }
            case RuleOp::Endif: continue;
        }
    }
    return std::optional<std::string>{};
}

}  // namespace

Result<TablePtr> parse_regexp_table(std::string_view text, const std::string& name, const TableOptions& options) {
    auto table = std::make_unique<RegexpTable>(name);
    table->configure(options, false);
    RegexpParser(*table, name).parse(text);
    return TablePtr(std::move(table));
}

}  // namespace tern
