// tools/postqueue/format.cpp - mailq text and JSON lines (see format.h)
#include "tools/postqueue/format.h"

#include <cstdio>
#include <ctime>

namespace postqueue {

namespace {

constexpr std::size_t kReasonColumn = 78;   // "(reason)" ends here when it fits (Postfix)
constexpr std::size_t kShortRecipientIndent = 41;
constexpr std::size_t kLongRecipientIndent = 47;
constexpr const char* kReasonUnavailable = "reason unavailable";

// Control characters as '?', other bytes as they are (UTF-8 addresses).
std::string shown(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) c = '?';
    }
    return out;
}

char status_mark(std::string_view queue_name) {
    if (queue_name == "active") return '*';
    if (queue_name == "hold") return '!';
    return ' ';
}

// The first line of a message: ID and mark, size, arrival, sender, in
// the columns Postfix 3.7 uses without and with enable_long_queue_ids.
std::string head_line(IdLayout layout, const std::string& id_mark, long long size, const std::string& arrival,
                      const std::string& sender) {
    char line[256];
    switch (layout) {
        case IdLayout::Short:
            std::snprintf(line, sizeof line, "%-11s%8lld %20.20s ", id_mark.c_str(), size, arrival.c_str());
            break;
        case IdLayout::Long:
            std::snprintf(line, sizeof line, "%-17s %8lld %19.19s ", id_mark.c_str(), size, arrival.c_str());
            break;
    }
    return line + sender + "\n";
}

// Length of a valid UTF-8 sequence at the front of text (0: not valid).
std::size_t utf8_length(std::string_view text) {
    const auto lead = static_cast<unsigned char>(text[0]);
    std::size_t length = 0;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) length = 3;
    else if (lead >= 0xf0 && lead <= 0xf4) length = 4;
    if (length == 0 || text.size() < length) return 0;
    for (std::size_t i = 1; i < length; ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) return 0;
    return length;
}

}  // namespace

std::string arrival_text(long long arrival_time) {
    const std::time_t when = static_cast<std::time_t>(arrival_time);
    std::tm local{};
    char text[64] = "";
    if (::localtime_r(&when, &local) == nullptr ||
        std::strftime(text, sizeof text, "%a %b %e %H:%M:%S ", &local) == 0)
        return std::string(20, '?');
    return std::string(text).substr(0, 20);
}

void TextListing::add(const tern::ListedMessage& message, std::string& out) {
    if (messages_ == 0)
        out += layout_ == IdLayout::Short ? "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
                                          : "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------\n";
    ++messages_;
    total_bytes_ += message.message_size;
    const std::string sender = message.sender.empty() ? "MAILER-DAEMON" : shown(message.sender);
    // The ID and its mark (none for a space), measured with Postfix 3.7.
    std::string id_mark = message.queue_id;
    if (const char mark = status_mark(message.queue_name); mark != ' ') id_mark.push_back(mark);
    out += head_line(layout_, id_mark, message.message_size, arrival_text(message.arrival_time), sender);
    // Postfix 3.7 says "reason unavailable" for a deferred recipient
    // without a defer log entry, and prints a reason once for a run of
    // recipients that share it.
    const bool deferred = message.queue_name == "deferred";
    std::string last_reason;
    for (const tern::ListedRecipient& recipient : message.recipients) {
        const std::string reason =
            !recipient.delay_reason.empty() ? shown(recipient.delay_reason) : deferred ? kReasonUnavailable : "";
        if (!reason.empty() && reason != last_reason) {
            const std::size_t width = reason.size() + 2;
            if (width < kReasonColumn) out.append(kReasonColumn - width, ' ');
            out += "(" + reason + ")\n";
        }
        last_reason = reason;
        out.append(layout_ == IdLayout::Short ? kShortRecipientIndent : kLongRecipientIndent, ' ');
        out += shown(recipient.address) + "\n";
    }
    out += "\n";
}

void TextListing::finish(std::string& out) const {
    if (messages_ == 0) {
        out += "Mail queue is empty\n";
        return;
    }
    const long long kbytes = total_bytes_ / 1024;  // rounded down, as Postfix
    out += "-- " + std::to_string(kbytes) + " Kbytes in " + std::to_string(messages_) + " Request" +
           (messages_ == 1 ? "." : "s.") + "\n";
}

std::string json_quote(std::string_view text) {
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size();) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte >= 0x80) {
            if (const std::size_t n = utf8_length(text.substr(i)); n > 0) {
                out.append(text.substr(i, n));
                i += n;
                continue;
            }
        }
        ++i;
        switch (byte) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\b': out += "\\b"; continue;
            case '\f': out += "\\f"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            default: break;
        }
        if (byte < 0x20 || byte >= 0x7f) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\u%04x", byte);
            out += escape;
            continue;
        }
        out.push_back(static_cast<char>(byte));
    }
    return out + "\"";
}

std::string json_line(const tern::ListedMessage& message) {
    std::string out = "{\"queue_name\": " + json_quote(message.queue_name) +
                      ", \"queue_id\": " + json_quote(message.queue_id) +
                      ", \"arrival_time\": " + std::to_string(message.arrival_time) +
                      ", \"message_size\": " + std::to_string(message.message_size) +
                      ", \"forced_expire\": " + (message.forced_expire ? "true" : "false") +
                      ", \"sender\": " + json_quote(message.sender) + ", \"recipients\": [";
    bool first = true;
    for (const tern::ListedRecipient& recipient : message.recipients) {
        out += first ? "{" : ", {";
        first = false;
        out += "\"address\": " + json_quote(recipient.address);
        if (!recipient.delay_reason.empty()) out += ", \"delay_reason\": " + json_quote(recipient.delay_reason);
        out += "}";
    }
    return out + "]}\n";
}

}  // namespace postqueue
