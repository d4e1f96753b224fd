// local/destinations.h - parse the right-hand side of an alias, a .forward file or an :include: file
//
// SYNOPSIS
//     std::vector<local::Destination> d = local::parse_destinations("joe, |\"/bin/prog -x\", /tmp/f");
//     std::vector<local::Destination> f = local::parse_destination_file(forward_text);
// DESCRIPTION
//     aliases(5): a value is a list of destinations separated by commas
//     (and, in files, new lines). A destination is
//       |command       pipe the message into command (Kind::Command)
//       /file/name     append to a file; ending in '/', a Maildir (Kind::File)
//       :include:/file read more destinations from the file (Kind::Include)
//       address        an address; "\user" is a user without further
//                      alias or .forward expansion (Kind::Address, no_expand)
//     A destination, or the text after '|', may be in double quotes;
//     inside them commas do not split and a backslash quotes the next
//     character. "<address>" loses its angle brackets. Outside quotes a
//     command runs to the next comma, so "|prog -a b" is one command, as
//     Postfix's parser sees it.
//     parse_destination_file (.forward, :include:) parses each line on
//     its own, as Postfix does; lines whose first non-blank is '#' are
//     comments.
// LIMITS
//     At most kMaxDestinations per value (more are ignored and reported
//     with truncated = true); each destination at most kMaxDestinationBytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace local {

inline constexpr std::size_t kMaxDestinations = 1000;
inline constexpr std::size_t kMaxDestinationBytes = 4096;

enum class DestinationKind { Address, Command, File, Include };

struct Destination {
    DestinationKind kind = DestinationKind::Address;
    std::string text;        // address, command (after '|'), path
    bool no_expand = false;  // "\user"
    bool operator==(const Destination&) const = default;
};

struct DestinationList {
    std::vector<Destination> items;
    bool truncated = false;  // more than kMaxDestinations, or an over-long item
};

[[nodiscard]] DestinationList parse_destinations(std::string_view value);
[[nodiscard]] DestinationList parse_destination_file(std::string_view text);

}  // namespace local
