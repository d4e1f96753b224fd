// lib/mail/delivered_to.cpp - collect Delivered-To: values, build the delivery prefix (see delivered_to.h)
#include "lib/mail/delivered_to.h"

#include <array>
#include <span>

#include "lib/base/text.h"

namespace tern {

namespace {

constexpr std::string_view kDeliveredTo = "delivered-to";

// Adds the value of one logical header line when it is Delivered-To:.
void take_header(std::string_view header, DeliveredSet& seen) {
    const std::size_t colon = header.find(':');
    if (colon == std::string_view::npos) return;
    if (!iequals(trim(header.substr(0, colon)), kDeliveredTo)) return;
    if (seen.size() >= kMaxDeliveredHeaders) return;
    seen.insert(to_lower(trim(header.substr(colon + 1))));
}

// The content up to and including the last line end of the header block,
// at most kMaxHeaderScanBytes; empty when the content starts with an empty line.
Result<std::string> read_header_block(ContentReader& reader) {
    std::string headers;
    std::array<char, 8192> buffer{};
    while (headers.size() < kMaxHeaderScanBytes) {
        Result<std::size_t> n = reader.read(std::span<char>(buffer));
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) break;
        const std::size_t searched_from = headers.size() >= 2 ? headers.size() - 2 : 0;
        headers.append(buffer.data(), *n);
        if (headers.starts_with("\r\n") || headers.starts_with("\n")) return std::string();
        const std::size_t end = std::min(headers.find("\n\r\n", searched_from), headers.find("\n\n", searched_from));
        if (end != std::string::npos) {
            headers.resize(end + 1);
            break;
        }
    }
    if (headers.size() > kMaxHeaderScanBytes) headers.resize(kMaxHeaderScanBytes);
    return headers;
}

}  // namespace

DeliveredSet collect_delivered_to(std::string_view headers) {
    DeliveredSet seen;
    std::string header;
    while (!headers.empty()) {
        const std::size_t eol = headers.find('\n');
        std::string_view line = headers.substr(0, eol);
        headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;  // end of the header block
        if (line[0] == ' ' || line[0] == '\t') {
            header += ' ';
            header += trim(line);
            continue;
        }
        take_header(header, seen);
        header.assign(line);
    }
    take_header(header, seen);
    return seen;
}

Result<DeliveredSet> read_delivered_to(ContentReader& reader) {
    Result<std::string> headers = read_header_block(reader);
    if (!headers) return tl::unexpected(headers.error());
    return collect_delivered_to(*headers);
}

std::string delivery_prefix(std::string_view sender, std::string_view original_recipient,
                            std::string_view delivered_to) {
    std::string out = "Return-Path: <";
    out += sender;
    out += ">\n";
    if (!original_recipient.empty()) {
        out += "X-Original-To: ";
        out += original_recipient;
        out += '\n';
    }
    out += "Delivered-To: ";
    out += delivered_to;
    out += '\n';
    return out;
}

}  // namespace tern
