// lib/mail/match_list.cpp - the entry syntax Postfix's match lists share: "!" and /file/name
#include "lib/mail/match_list.h"

#include <string>

#include "lib/mail/config.h"

namespace tern {

Status expand_match_list_entry(std::string_view entry, std::string_view param, const MatchListAdder& add_plain,
                               int depth) {
    bool negated = false;
    if (!entry.empty() && entry.front() == '!') {
        negated = true;
        entry.remove_prefix(1);
    }
    if (entry.empty()) return fail(Retry::Permanent, std::string(param) + ": empty \"!\" entry");
    if (entry.front() != '/') return add_plain(entry, negated);
    if (depth >= kMaxMatchListFileDepth)
        return fail(Retry::Permanent, std::string(param) + ": /file/name entries nest too deep");
    Result<std::string> text = read_config_file(std::string(entry), kMaxMatchListFileBytes);
    if (!text) return fail(Retry::Permanent, std::string(param) + ": " + text.error().describe());
    for (const std::string& inner : split_config_list(*text))
        if (Status added = expand_match_list_entry(inner, param, add_plain, depth + 1); !added) return added;
    return {};
}

Status expand_match_list(const std::vector<std::string>& entries, std::string_view param,
                         const MatchListAdder& add_plain) {
    for (const std::string& entry : entries)
        if (Status added = expand_match_list_entry(entry, param, add_plain); !added) return added;
    return {};
}

}  // namespace tern
