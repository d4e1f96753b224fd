// lib/mail/tables/regex_cost.cpp - refuse regular expressions that glibc's regcomp cannot compile in time
#include "lib/mail/tables/regex_cost.h"

#include <algorithm>
#include <charconv>
#include <vector>

namespace tern {

namespace {

constexpr std::size_t kSaturated = 1'000'000;

std::size_t add(std::size_t a, std::size_t b) noexcept { return std::min(a + b, kSaturated); }
std::size_t mul(std::size_t a, std::size_t b) noexcept {
    if (a != 0 && b > kSaturated / a) return kSaturated;
    return std::min(a * b, kSaturated);
}

// One atom or group, as a repetition operator sees it.
struct Item {
    std::size_t size = 1;
    bool nullable = false;
    std::size_t copies = 0;  // nullable copies inside
    std::size_t depth = 0;
};

// One group being read; alternatives are folded in as they end.
struct Frame {
    std::size_t size = 0;
    std::size_t copies = 0;
    std::size_t depth = 0;
    bool any_alternative_nullable = false;
    bool alternative_nullable = true;  // every item so far matches ""
    bool before_last_nullable = true;  // the same, without the last item
    std::optional<Item> last;
    bool last_is_repetition = false;

    void push(const Item& item) {
        before_last_nullable = alternative_nullable;
        alternative_nullable = alternative_nullable && item.nullable;
        size = add(size, item.size);
        copies = add(copies, item.copies);
        depth = std::max(depth, item.depth);
        last = item;
        last_is_repetition = false;
    }
    // Replaces the last item by its repeated form.
    void repeat_last(const Item& repeated) {
        size = add(size - std::min(size, last->size), repeated.size);
        copies = add(copies - std::min(copies, last->copies), repeated.copies);
        depth = std::max(depth, repeated.depth);
        alternative_nullable = before_last_nullable && repeated.nullable;
        last = repeated;
        last_is_repetition = true;
    }
    void end_alternative() {
        any_alternative_nullable = any_alternative_nullable || alternative_nullable;
        alternative_nullable = before_last_nullable = true;
        last.reset();
        last_is_repetition = false;
    }
    [[nodiscard]] Item as_item() {
        end_alternative();
        return Item{std::max<std::size_t>(size, 1), any_alternative_nullable, copies, depth};
    }
};

// Index just past the bracket expression that starts at pattern[i] == '['.
std::size_t skip_bracket(std::string_view pattern, std::size_t i) noexcept {
    ++i;
    if (i < pattern.size() && pattern[i] == '^') ++i;
    if (i < pattern.size() && pattern[i] == ']') ++i;  // a leading ']' is literal
    while (i < pattern.size() && pattern[i] != ']') {
        if (pattern[i] == '[' && i + 1 < pattern.size() &&
            (pattern[i + 1] == ':' || pattern[i + 1] == '=' || pattern[i + 1] == '.')) {
            const char kind = pattern[i + 1];
            std::size_t j = i + 2;
            while (j + 1 < pattern.size() && !(pattern[j] == kind && pattern[j + 1] == ']')) ++j;
            i = j + 2;
            continue;
        }
        ++i;
    }
    return std::min(i + 1, pattern.size());
}

struct Interval {
    std::size_t low = 0;
    std::size_t copies = 0;  // largest count; m+1 for "{m,}" (m copies and a starred one)
    std::size_t end = 0;     // index just past the closing brace
};

// "m}", "m,}", "m,n}" or GNU ",n}" at pattern[i]; basic syntax ends in "\}".
std::optional<Interval> read_interval(std::string_view pattern, std::size_t i, bool extended) noexcept {
    const char* const end = pattern.data() + pattern.size();
    Interval interval;
    auto [p, ec] = std::from_chars(pattern.data() + i, end, interval.low);
    if (ec == std::errc::result_out_of_range) interval.low = kSaturated;
    else if (ec != std::errc{} && !(p < end && *p == ',')) return std::nullopt;
    interval.copies = interval.low;
    if (p < end && *p == ',') {
        ++p;
        std::size_t high = 0;
        const auto [q, ec2] = std::from_chars(p, end, high);
        if (ec2 == std::errc{}) interval.copies = std::max(interval.low, high);
        else if (ec2 == std::errc::result_out_of_range) interval.copies = kSaturated;
        else interval.copies = add(interval.low, 1);
        if (ec2 == std::errc{} || ec2 == std::errc::result_out_of_range) p = q;
    }
    if (!extended) {
        if (p >= end || *p != '\\') return std::nullopt;
        ++p;
    }
    if (p >= end || *p != '}') return std::nullopt;
    interval.end = static_cast<std::size_t>(p - pattern.data()) + 1;
    return interval;
}

// The last item repeated: copies >= 2 duplicate it, low == 0 makes it optional.
Item repeated(const Item& item, std::size_t copies, std::size_t low) noexcept {
    Item out = item;
    out.nullable = item.nullable || low == 0;
    if (copies < 2) return out;
    out.size = mul(item.size, copies);
    out.copies = mul(std::max<std::size_t>(item.copies, 1), copies);
    if (item.nullable) {
        out.depth = item.depth + 1;
        return out;
    }
    out.copies = mul(item.copies, copies);
    return out;
}

}  // namespace

RegexCost estimate_regex_cost(std::string_view pattern, bool extended) noexcept {
    std::vector<Frame> stack(1);
    RegexCost cost;
    std::size_t i = 0;
    while (i < pattern.size()) {
        const char c = pattern[i];
        const bool escaped = c == '\\' && i + 1 < pattern.size();
        const char next = escaped ? pattern[i + 1] : '\0';
        const auto is = [&](char op) { return extended ? c == op : (escaped && next == op); };
        const std::size_t op_length = extended ? 1 : 2;
        Frame& frame = stack.back();
        std::optional<std::pair<std::size_t, std::size_t>> repetition;  // copies, low
        if (is('(')) {
            stack.emplace_back();
            i += op_length;
            continue;
        }
        if (is(')') && stack.size() > 1) {
            const Item group = stack.back().as_item();
            stack.pop_back();
            stack.back().push(group);
            i += op_length;
            continue;
        }
        if (is('|')) {
            frame.end_alternative();
            i += op_length;
            continue;
        }
        if (c == '*' && frame.last) {
            repetition = {1, 0};
            i += 1;
        } else if ((is('+') || is('?')) && frame.last) {
            repetition = {is('+') ? 2 : 1, is('+') ? 1 : 0};
            i += op_length;
        } else if (is('{') && frame.last) {
            if (const std::optional<Interval> interval = read_interval(pattern, i + op_length, extended)) {
                repetition = {interval->copies, interval->low};
                i = interval->end;
            }
        }
        if (repetition) {
            cost.stacked = cost.stacked || frame.last_is_repetition;
            frame.repeat_last(repeated(*frame.last, repetition->first, repetition->second));
            continue;
        }
        frame.push(Item{});
        i = c == '[' ? skip_bracket(pattern, i) : i + (escaped ? 2 : 1);
    }
    while (stack.size() > 1) {  // unbalanced "(": regcomp will say so
        const Item group = stack.back().as_item();
        stack.pop_back();
        stack.back().push(group);
    }
    cost.size = stack.back().size;
    cost.nullable_copies = stack.back().copies;
    cost.nullable_depth = stack.back().depth;
    return cost;
}

std::optional<std::string> regex_cost_problem(std::string_view pattern, bool extended) {
    const RegexCost cost = estimate_regex_cost(pattern, extended);
    if (cost.stacked) return "repetition operators follow each other (as in \"a*+\"): rewrite the pattern";
    if (cost.size > kMaxRegexExpansion)
        return "counted repetitions expand to more than " + std::to_string(kMaxRegexExpansion) + " elements";
    if (cost.nullable_copies > kMaxNullableCopies || cost.nullable_depth > kMaxNullableDepth)
        return "too many copies of a subpattern that matches the empty string";
    return std::nullopt;
}

}  // namespace tern
