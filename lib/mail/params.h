// lib/mail/params.h - the parameter table's helpers: defaults, patterns, value checks
//
// SYNOPSIS
//     const tern::ParamSpec* p = tern::find_param("smtp_destination_concurrency_limit");
//     tern::Status ok = tern::check_param_value(*p, "20");     // error text is the reason
//     tern::Result<long long> s = tern::parse_time_value("5m", 's');  // 300
//     std::string host = tern::default_hostname();              // "mx.example.com"
// DESCRIPTION
//     all_params() and find_param() (declared in config.h) serve the one
//     table in params.cpp. find_param() also knows Postfix's per-transport
//     names, "<transport>_destination_concurrency_limit" and the like: it
//     returns a pattern spec whose default is "$default_..." (see
//     param_patterns()). myhostname and mydomain have no constant default:
//     Config asks default_hostname() and domain_of_host() at run time.
//     The value parsers (param_values.cpp) return an Error whose text is
//     only the reason; Config adds "FILE, line N: parameter NAME: " in front.
// LIMITS
//     Numbers are long long; a time value that overflows is refused.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/config.h"

namespace tern {

// Per-transport parameter patterns: the spec's name is "*SUFFIX".
[[nodiscard]] std::span<const ParamSpec> param_patterns() noexcept;
// The pattern that NAME matches ("smtp_recipient_limit" -> "*_recipient_limit"), or nullptr.
[[nodiscard]] const ParamSpec* find_param_pattern(std::string_view name) noexcept;

// gethostname(), made a fully qualified name as Postfix does: a name
// without a dot gets ".localdomain".
[[nodiscard]] std::string default_hostname();
// mydomain's default: HOST without its first label ("localdomain" when HOST has no dot).
[[nodiscard]] std::string domain_of_host(std::string_view host);

[[nodiscard]] Result<long long> parse_integer_value(std::string_view text);
// "10", "10s", "5m", "2h", "1d", "1w": seconds; a bare number is in default_unit.
[[nodiscard]] Result<long long> parse_time_value(std::string_view text, char default_unit);
// "yes" or "no", any case.
[[nodiscard]] Result<bool> parse_bool_value(std::string_view text);
// Checks an expanded value against the spec's type and bounds.
[[nodiscard]] Status check_param_value(const ParamSpec& spec, std::string_view value);

}  // namespace tern
