// lib/mail/tables/cidr_table.cpp - cidr: tables (cidr_table(5)), IPv4 and IPv6 networks
//
// DESCRIPTION
//     Each line is "pattern result"; the first pattern that matches the
//     key (an IPv4 or IPv6 address) gives the result. As in Postfix's
//     dict_cidr.c and cidr_match.c, a pattern is ADDRESS/PREFIX, a bare
//     ADDRESS (an exact match, prefix = all bits), either optionally in
//     brackets ([2001:db8::]/32), and "!" in front negates it. A pattern
//     with ':' is IPv6; a key only meets patterns of its own family.
//         if PATTERN   ...   endif    (nesting allowed)
//     limits the lines in between to keys that match PATTERN.
// ERRORS
//     A bad line is skipped with a warning "cidr map FILE, line N:
//     reason: skipping this rule", as Postfix does (bad address, prefix
//     out of range, host bits set after the prefix, no result, ...).
#include <arpa/inet.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "lib/base/text.h"
#include "lib/mail/tables/table.h"
#include "lib/mail/tables/table_text.h"

namespace tern {

namespace {

constexpr std::size_t kNoEndif = SIZE_MAX;

enum class CidrOp { Match, If, Endif };

struct Network {
    int family = AF_INET;
    std::array<unsigned char, 16> bytes{};
    std::array<unsigned char, 16> mask{};
    bool positive = true;

    [[nodiscard]] std::size_t size() const noexcept { return family == AF_INET6 ? 16 : 4; }
    [[nodiscard]] bool contains(int key_family, const std::array<unsigned char, 16>& key) const noexcept {
        if (key_family != family) return false;
        for (std::size_t i = 0; i < size(); ++i)
            if ((key[i] & mask[i]) != bytes[i]) return !positive;
        return positive;
    }
};

struct CidrRule {
    CidrOp op = CidrOp::Match;
    int line = 0;
    Network network;
    std::string value;
    std::size_t endif = kNoEndif;
};

int family_of(std::string_view address) noexcept {
    return address.find(':') == std::string_view::npos ? AF_INET : AF_INET6;
}

bool parse_address(int family, const std::string& text, std::array<unsigned char, 16>& bytes) noexcept {
    return ::inet_pton(family, text.c_str(), bytes.data()) == 1;
}

std::string quoted(std::string_view text) { return "\"" + printable(text, 200) + "\""; }

// Postfix cidr_match_parse(): the error text, or the network.
std::variant<Network, std::string> parse_network(std::string_view pattern) {
    Network net;
    while (!pattern.empty() && pattern.front() == '!') {
        net.positive = !net.positive;
        pattern.remove_prefix(1);
    }
    if (pattern.empty()) return std::string("no address pattern");
    std::string_view address = pattern;
    std::optional<std::string_view> prefix;
    if (pattern.front() == '[') {
        const std::size_t close = pattern.find(']');
        if (close == std::string_view::npos) return "missing ']' character after " + quoted(pattern);
        address = pattern.substr(1, close - 1);
        const std::string_view after = pattern.substr(close + 1);
        if (!after.empty() && after.front() != '/') return "garbage after \"[" + printable(address, 200) + "]\"";
        if (!after.empty()) prefix = after.substr(1);
    } else if (const std::size_t slash = pattern.find('/'); slash != std::string_view::npos) {
        address = pattern.substr(0, slash);
        prefix = pattern.substr(slash + 1);
    }
    net.family = family_of(address);
    const std::size_t bits = net.size() * 8;
    if (!prefix) {
        if (!parse_address(net.family, std::string(address), net.bytes))
            return "bad address pattern: " + quoted(address);
        net.mask.fill(0xff);
        return net;
    }
    const std::string shown = std::string(address) + "/" + std::string(*prefix);
    if (prefix->empty() || prefix->find_first_not_of("0123456789") != std::string_view::npos)
        return "bad mask value in " + quoted(shown);
    const std::optional<long long> length = parse_integer(*prefix);
    if (!length || *length > static_cast<long long>(bits)) return "bad mask length in " + quoted(shown);
    if (!parse_address(net.family, std::string(address), net.bytes)) return "bad network value in " + quoted(shown);
    for (std::size_t bit = 0; bit < static_cast<std::size_t>(*length); ++bit)
        net.mask[bit / 8] = static_cast<unsigned char>(net.mask[bit / 8] | (0x80 >> (bit % 8)));
    std::array<unsigned char, 16> masked{};
    for (std::size_t i = 0; i < net.size(); ++i) masked[i] = net.bytes[i] & net.mask[i];
    if (masked != net.bytes) {
        std::array<char, INET6_ADDRSTRLEN> text{};
        ::inet_ntop(net.family, masked.data(), text.data(), text.size());
        return "non-null host address bits in " + quoted(shown) + ", perhaps you should use \"" +
               std::string(text.data()) + "/" + std::to_string(*length) + "\" instead";
    }
    return net;
}

class CidrTable final : public LookupTable {
public:
    explicit CidrTable(std::string name) : LookupTable("cidr", std::move(name)) {}
    void parse(std::string_view text);

protected:
    Result<std::optional<std::string>> find(std::string_view key) const override;

private:
    void warn(int line, const std::string& reason);
    void parse_line(int line, std::string_view text);
    std::optional<Network> network_or_warn(int line, std::string_view pattern);

    std::vector<CidrRule> rules_;
    std::vector<std::size_t> open_ifs_;
};

void CidrTable::warn(int line, const std::string& reason) {
    add_warning("cidr map " + name() + ", line " + std::to_string(line) + ": " + reason);
}

std::optional<Network> CidrTable::network_or_warn(int line, std::string_view pattern) {
    std::variant<Network, std::string> parsed = parse_network(pattern);
    if (const std::string* why = std::get_if<std::string>(&parsed)) {
        warn(line, *why + ": skipping this rule");
        return std::nullopt;
    }
    return std::get<Network>(parsed);
}

bool starts_with_word(std::string_view text, std::string_view word) noexcept {
    if (text.size() < word.size() || !iequals(text.substr(0, word.size()), word)) return false;
    if (text.size() == word.size()) return true;
    const char next = text[word.size()];
    return !((next >= '0' && next <= '9') || (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z'));
}

void CidrTable::parse_line(int line, std::string_view text) {
    CidrRule rule;
    rule.line = line;
    if (starts_with_word(text, "endif")) {
        if (!trim_table_space(text.substr(5)).empty()) return warn(line, "garbage after ENDIF: skipping this rule");
        if (open_ifs_.empty()) return warn(line, "ENDIF without IF: skipping this rule");
        rules_[open_ifs_.back()].endif = rules_.size();
        open_ifs_.pop_back();
        rule.op = CidrOp::Endif;
        rules_.push_back(std::move(rule));
        return;
    }
    if (starts_with_word(text, "if")) {
        const std::optional<Network> net = network_or_warn(line, trim_table_space(text.substr(2)));
        if (!net) return;
        rule.op = CidrOp::If;
        rule.network = *net;
        open_ifs_.push_back(rules_.size());
        rules_.push_back(std::move(rule));
        return;
    }
    std::size_t pattern_end = 0;
    while (pattern_end < text.size() && !is_table_space(text[pattern_end])) ++pattern_end;
    const std::optional<Network> net = network_or_warn(line, text.substr(0, pattern_end));
    if (!net) return;
    const std::string_view value = trim_table_space(text.substr(pattern_end));
    if (value.empty()) return warn(line, "no lookup result: skipping this rule");
    rule.network = *net;
    rule.value = std::string(value);
    rules_.push_back(std::move(rule));
}

void CidrTable::parse(std::string_view text) {
    LogicalLineReader reader(text, [&](int line, const std::string& reason) { warn(line, reason); });
    while (std::optional<LogicalLine> logical = reader.next()) {
        const std::string_view line = trim_table_space(logical->text);
        if (!line.empty()) parse_line(logical->line, line);
    }
    for (auto it = open_ifs_.rbegin(); it != open_ifs_.rend(); ++it)
        warn(rules_[*it].line, "IF has no matching ENDIF");
}

Result<std::optional<std::string>> CidrTable::find(std::string_view key) const {
    const std::optional<std::string> none;
    if (key.empty() || key.size() >= INET6_ADDRSTRLEN || key.find('\0') != std::string_view::npos) return none;
    const int family = family_of(key);
    std::array<unsigned char, 16> address{};
    if (!parse_address(family, std::string(key), address)) return none;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
        const CidrRule& rule = rules_[i];
        switch (rule.op) {
            case CidrOp::Match:
                if (rule.network.contains(family, address)) return std::optional<std::string>{rule.value};
                continue;
            case CidrOp::If:
                if (rule.network.contains(family, address)) continue;
                if (rule.endif == kNoEndif) return none;  // as Postfix
                i = rule.endif;
                continue;
            case CidrOp::Endif: continue;
        }
    }
    return none;
}

}  // namespace

Result<TablePtr> parse_cidr_table(std::string_view text, const std::string& name, const TableOptions& options) {
    auto table = std::make_unique<CidrTable>(name);
    table->configure(options, false);
    table->parse(text);
    return TablePtr(std::move(table));
}

}  // namespace tern
