// tools/postconf/print_master.h - postconf -M: master.cf entries in Postfix's column layout
//
// SYNOPSIS
//     std::string line = postconf::format_master_entry(service);
//     bool wanted = postconf::matches_request(service, "smtp/inet");
// DESCRIPTION
//     One line per service, as Postfix's postconf -M prints it: the seven
//     columns start at 0, 11, 17, 25, 33, 41 and 49, the command at 57;
//     a field wider than its column pushes the rest right, one space
//     apart. Arguments follow as written, one space apart; "-o { n = v }"
//     prints as "-o {n=v}" and other "{ a b }" groups as "a b", like Postfix.
//     A request "name" matches every type; "name/type" one service.
// LIMITS
//     Pure formatting: prints what master_cf.h parsed, within its limits.
#pragma once

#include <string>
#include <string_view>

#include "lib/mail/master_cf.h"

namespace postconf {

[[nodiscard]] std::string format_master_entry(const tern::MasterService& service);
[[nodiscard]] bool matches_request(const tern::MasterService& service, std::string_view request);

}  // namespace postconf
