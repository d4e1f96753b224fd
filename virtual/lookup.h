// virtual/lookup.h - find a recipient in a table list the way Postfix's mail_addr_find does for virtual(8)
//
// SYNOPSIS
//     std::vector<std::string> keys = virt::lookup_keys("Joe+Box@Example.com", "+");
//         // {"joe+box@example.com", "joe@example.com", "@example.com"}
//     tern::Result<std::optional<std::string>> v = virt::find_address(settings.mailbox_maps, address, "+");
//     std::optional<long long> uid = virt::parse_id(" 5000 ");
// DESCRIPTION
//     Keys are tried in order and, for each key, every table of the list
//     in main.cf order; the first hit wins. The order is Postfix's for a
//     domain that is not local: the full address, the address without
//     its extension (the local part cut at the first character of
//     recipient_delimiter, when one is set and the cut leaves a local
//     part), and "@domain". The address is lower-cased first, as
//     virtual(8) does. An address without '@' is looked up as it is and
//     without its extension.
// ERRORS
//     find_address: the table's Temporary error (defer the recipient).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "virtual/settings.h"

namespace virt {

[[nodiscard]] std::vector<std::string> lookup_keys(std::string_view address, std::string_view delimiters);
[[nodiscard]] tern::Result<std::optional<std::string>> find_address(const Maps& maps, std::string_view address,
                                                                    std::string_view delimiters);
// A uid or gid value: decimal digits with optional surrounding blanks.
[[nodiscard]] std::optional<long long> parse_id(std::string_view value) noexcept;

}  // namespace virt
