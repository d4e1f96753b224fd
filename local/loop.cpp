// local/loop.cpp - Delivered-To: collection and delivery header lines
#include "local/loop.h"

#include <array>
#include <span>

#include "lib/base/text.h"

namespace local {

namespace {

constexpr std::string_view kDeliveredTo = "delivered-to";

void take_header(std::string_view header, DeliveredSet& seen) {
    const std::size_t colon = header.find(':');
    if (colon == std::string_view::npos) return;
    if (!tern::iequals(tern::trim(header.substr(0, colon)), kDeliveredTo)) return;
    if (seen.size() >= kMaxDeliveredHeaders) return;
    seen.insert(tern::to_lower(tern::trim(header.substr(colon + 1))));
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
            header += tern::trim(line);
            continue;
        }
        take_header(header, seen);
        header.assign(line);
    }
    take_header(header, seen);
    return seen;
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
    out += tern::to_lower(delivered_to);
    out += '\n';
    return out;
}

tern::Result<std::string> read_header_block(tern::ContentReader& reader) {
    std::string headers;
    std::array<char, 8192> buffer{};
    while (headers.size() < kMaxHeaderScanBytes) {
        tern::Result<std::size_t> n = reader.read(std::span<char>(buffer));
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) break;
        const std::size_t searched_from = headers.size() >= 3 ? headers.size() - 3 : 0;
        headers.append(buffer.data(), *n);
        const std::size_t crlf = headers.find("\r\n\r\n", searched_from);
        const std::size_t lf = headers.find("\n\n", searched_from);
        const std::size_t end = std::min(crlf, lf);
        if (headers.starts_with("\r\n") || headers.starts_with("\n")) return std::string();
        if (end != std::string::npos) {
            headers.resize(end + 1);
            break;
        }
    }
    if (headers.size() > kMaxHeaderScanBytes) headers.resize(kMaxHeaderScanBytes);
    return headers;
}

}  // namespace local
