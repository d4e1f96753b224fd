// virtual/headers.cpp - collect Delivered-To: values, build the delivery prefix (see headers.h)
//
// SYNOPSIS
//     virt::DeliveredSet seen = virt::collect_delivered_to("Delivered-To: b@x\r\n\r\n");
// DESCRIPTION
//     The header block is split into logical header lines (a line that
//     starts with a blank continues the one before); CRLF and LF both end
//     a line.
// ERRORS
//     read_delivered_to returns the reader's error.
#include "virtual/headers.h"

#include <array>
#include <span>

#include "lib/base/text.h"

namespace virt {

namespace {

constexpr std::string_view kDeliveredTo = "delivered-to:";

// Adds the value of one logical header line when it is Delivered-To:.
void take_header(std::string_view line, DeliveredSet& out) {
    if (line.size() < kDeliveredTo.size() || !tern::iequals(line.substr(0, kDeliveredTo.size()), kDeliveredTo))
        return;
    if (out.size() >= kMaxDeliveredHeaders) return;
    out.insert(tern::to_lower(tern::trim(line.substr(kDeliveredTo.size()))));
}

}  // namespace

DeliveredSet collect_delivered_to(std::string_view headers) {
    DeliveredSet out;
    std::string logical;
    while (!headers.empty()) {
        const std::size_t lf = headers.find('\n');
        std::string_view line = headers.substr(0, lf);
        headers.remove_prefix(lf == std::string_view::npos ? headers.size() : lf + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;  // end of the header block
        if (line.front() == ' ' || line.front() == '\t') {
            logical.append(line);
            continue;
        }
        take_header(logical, out);
        logical.assign(line);
    }
    take_header(logical, out);
    return out;
}

tern::Result<DeliveredSet> read_delivered_to(tern::ContentReader& reader) {
    std::string headers;
    std::array<char, 8192> buffer{};
    while (headers.size() < kMaxHeaderScanBytes) {
        tern::Result<std::size_t> n = reader.read(std::span<char>(buffer));
        if (!n) return tl::unexpected(n.error());
        if (*n == 0) break;
        const std::size_t scan_from = headers.size() < 3 ? 0 : headers.size() - 3;
        headers.append(buffer.data(), *n);
        const std::size_t end = headers.find("\n\r\n", scan_from);
        const std::size_t end_lf = headers.find("\n\n", scan_from);
        if (end != std::string::npos || end_lf != std::string::npos) break;
        if (headers.front() == '\n' || headers.rfind("\r\n", 0) == 0) break;  // no header lines at all
    }
    return collect_delivered_to(headers);
}

std::string delivery_prefix(std::string_view sender, std::string_view original_recipient,
                            std::string_view recipient) {
    std::string out = "Return-Path: <" + std::string(sender) + ">\n";
    if (!original_recipient.empty()) out += "X-Original-To: " + std::string(original_recipient) + "\n";
    out += "Delivered-To: " + std::string(recipient) + "\n";
    return out;
}

}  // namespace virt
