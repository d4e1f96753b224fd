// lib/mail/param_values.cpp - parse and check main.cf values; host name defaults
//
// SYNOPSIS
//     tern::Result<long long> s = tern::parse_time_value("5m", 's');  // 300
//     tern::Status ok = tern::check_param_value(*tern::find_param("x"), "20");
// DESCRIPTION
//     The value side of the parameter table in params.cpp: integers, time
//     values with a unit letter (s, m, h, d, w), yes/no, bounds; and the
//     run-time defaults of myhostname and mydomain. Declared in params.h.
// LIMITS
//     Values are long long: a time value whose seconds overflow is
//     refused; the value is quoted in errors made printable, at most 100
//     bytes.
#include "lib/mail/params.h"

#include <unistd.h>

#include <array>
#include <charconv>
#include <climits>

#include "lib/base/text.h"

namespace tern {
namespace {

constexpr long long unit_seconds(char unit) noexcept {
    switch (unit) {
        case 's': return 1;
        case 'm': return 60;
        case 'h': return 3600;
        case 'd': return 86400;
        case 'w': return 604800;
        default: return 0;
    }
}

Status check_bounds(long long value, const ParamSpec& spec) {
    if (value < spec.min)
        return fail(Retry::Permanent, "value " + std::to_string(value) + " is less than the minimum " +
                                          std::to_string(spec.min));
    if (value > spec.max)
        return fail(Retry::Permanent, "value " + std::to_string(value) + " is more than the maximum " +
                                          std::to_string(spec.max));
    return {};
}

}  // namespace

std::string default_hostname() {
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') return "localhost.localdomain";
    std::string name(host.data());
    if (name.find('.') == std::string::npos) name += ".localdomain";
    return name;
}

std::string domain_of_host(std::string_view host) {
    const auto dot = host.find('.');
    if (dot == std::string_view::npos || dot + 1 >= host.size()) return "localdomain";
    return std::string(host.substr(dot + 1));
}

Result<long long> parse_integer_value(std::string_view text) {
    const auto n = parse_integer(text);
    if (!n || text.front() == '+') return fail(Retry::Permanent, "bad numerical value: \"" + printable(text, 100) + "\"");
    return *n;
}

Result<long long> parse_time_value(std::string_view text, char default_unit) {
    const auto bad = [&] { return fail(Retry::Permanent, "bad time value: \"" + printable(text, 100) + "\""); };
    std::string_view digits = text;
    char unit = default_unit;
    if (!text.empty() && unit_seconds(text.back()) != 0) {
        unit = text.back();
        digits.remove_suffix(1);
    }
    long long number = 0;
    const char* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, number);
    if (digits.empty() || ec != std::errc{} || ptr != end || number < 0 || digits.front() == '-') return bad();
    const long long scale = unit_seconds(unit);
    if (scale == 0 || number > LLONG_MAX / scale) return bad();
    return number * scale;
}

Result<bool> parse_bool_value(std::string_view text) {
    if (iequals(text, "yes")) return true;
    if (iequals(text, "no")) return false;
    return fail(Retry::Permanent, "bad boolean value: \"" + printable(text, 100) + "\" (use yes or no)");
}

Status check_param_value(const ParamSpec& spec, std::string_view value) {
    switch (spec.type) {
        case ParamType::String:
        case ParamType::List: return {};
        case ParamType::Bool: {
            const auto b = parse_bool_value(value);
            if (!b) return tl::unexpected(b.error());
            return {};
        }
        case ParamType::Integer:
        case ParamType::Size: {
            const auto n = parse_integer_value(value);
            if (!n) return tl::unexpected(n.error());
            return check_bounds(*n, spec);
        }
        case ParamType::Time: {
            const auto s = parse_time_value(value, spec.time_unit);
            if (!s) return tl::unexpected(s.error());
            return check_bounds(*s, spec);
        }
    }
    return {};
}

}  // namespace tern
