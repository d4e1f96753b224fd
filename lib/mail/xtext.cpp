// lib/mail/xtext.cpp - RFC 3461 xtext and RFC 6533 unitext encoding for DSN parameters
#include "lib/mail/xtext.h"

#include <cstdint>

namespace tern {
namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool is_xchar(unsigned char byte) noexcept { return byte >= 33 && byte <= 126; }

void append_utf8(std::string& out, std::uint32_t code_point) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

// Parses "\x{HEX}" at the start of `text`; returns the bytes used, 0 if none.
std::size_t parse_uxtext_escape(std::string_view text, std::uint32_t& code_point) noexcept {
    if (text.size() < 5 || text.substr(0, 3) != "\\x{") return 0;
    const std::size_t close = text.find('}', 3);
    if (close == std::string_view::npos || close == 3 || close > 3 + 6) return 0;
    std::uint32_t value = 0;
    for (std::size_t i = 3; i < close; ++i) {
        const int digit = hex_value(text[i]);
        if (digit < 0) return 0;
        value = value * 16 + static_cast<std::uint32_t>(digit);
    }
    // RFC 6533: only code points that would need escaping may be escaped;
    // we refuse just the ones that can never be valid.
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
    code_point = value;
    return close + 1;
}

}  // namespace

std::string encode_xtext(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_xchar(byte) && c != '+' && c != '=') {
            out.push_back(c);
            continue;
        }
        out.push_back('+');
        out.push_back(kHexDigits[byte >> 4]);
        out.push_back(kHexDigits[byte & 0x0F]);
    }
    return out;
}

std::optional<std::string> decode_xtext(std::string_view xtext) {
    std::string out;
    out.reserve(xtext.size());
    for (std::size_t i = 0; i < xtext.size(); ++i) {
        const char c = xtext[i];
        if (!is_xchar(static_cast<unsigned char>(c))) return std::nullopt;
        if (c != '+') {
            out.push_back(c);
            continue;
        }
        if (xtext.size() - i < 3) return std::nullopt;
        const int high = hex_value(xtext[i + 1]);
        const int low = hex_value(xtext[i + 2]);
        if (high < 0 || low < 0 || (high == 0 && low == 0)) return std::nullopt;
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
    }
    return out;
}

std::optional<std::string> decode_uxtext(std::string_view uxtext) {
    if (!is_valid_utf8(uxtext)) return std::nullopt;
    std::string out;
    out.reserve(uxtext.size());
    for (std::size_t i = 0; i < uxtext.size();) {
        const auto byte = static_cast<unsigned char>(uxtext[i]);
        if (byte >= 0x80) {
            out.push_back(uxtext[i++]);
            continue;
        }
        if (!is_xchar(byte) || byte == '+' || byte == '=') return std::nullopt;
        if (byte != '\\') {
            out.push_back(uxtext[i++]);
            continue;
        }
        std::uint32_t code_point = 0;
        const std::size_t used = parse_uxtext_escape(uxtext.substr(i), code_point);
        if (used == 0) return std::nullopt;
        append_utf8(out, code_point);
        i += used;
    }
    return out;
}

bool is_valid_utf8(std::string_view bytes) noexcept {
    for (std::size_t i = 0; i < bytes.size();) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t minimum = 0;
        std::uint32_t value = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2, minimum = 0x80, value = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3, minimum = 0x800, value = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4, minimum = 0x10000, value = lead & 0x07;
        } else {
            return false;
        }
        if (bytes.size() - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(bytes[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            value = (value << 6) | (next & 0x3F);
        }
        if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
        i += length;
    }
    return true;
}

}  // namespace tern
