// smtpd/networks.cpp - network lists on top of the cidr table (see networks.h)
#include "smtpd/networks.h"

#include "lib/base/log.h"
#include "lib/base/text.h"

namespace smtpd {

namespace {

// Address characters only: digits, hex, '.', ':', '/', brackets and a leading '!'.
bool looks_like_network(std::string_view entry) noexcept {
    if (entry.empty()) return false;
    for (char c : entry) {
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' ||
                        c == ':' || c == '/' || c == '[' || c == ']' || c == '!';
        if (!ok) return false;
    }
    return entry.find_first_of(".:") != std::string_view::npos;
}

}  // namespace

NetworkList NetworkList::make(const std::vector<std::string>& entries, std::string_view parameter) {
    std::string text;
    for (const std::string& entry : entries) {
        if (!looks_like_network(entry)) {
            tern::log_warning("%.*s: skipping unsupported entry \"%s\" (networks only)",
                              static_cast<int>(parameter.size()), parameter.data(), tern::printable(entry, 200).c_str());
            continue;
        }
        text += entry;
        text += " match\n";
    }
    NetworkList list;
    if (text.empty()) return list;
    tern::Result<tern::TablePtr> table = tern::parse_cidr_table(text, std::string(parameter));
    if (!table) {
        tern::log_warning("%.*s: %s", static_cast<int>(parameter.size()), parameter.data(),
                          table.error().describe().c_str());
        return list;
    }
    list.table_ = std::move(*table);
    return list;
}

bool NetworkList::contains(std::string_view address) const {
    if (!table_) return false;
    tern::Result<std::optional<std::string>> found = table_->lookup(address);
    return found && found->has_value();
}

}  // namespace smtpd
