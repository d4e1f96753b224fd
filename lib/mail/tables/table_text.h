// lib/mail/tables/table_text.h - read Postfix table source text: logical lines, key/value
//
// SYNOPSIS
//     tern::Result<tern::TableFile> f = tern::read_table_file("/etc/tern/access", max_bytes);
//     tern::LogicalLineReader reader(f->text, [&](int line, std::string reason) { ... });
//     while (std::optional<tern::LogicalLine> l = reader.next()) {
//         std::optional<tern::KeyValue> kv = tern::split_key_value(l->text);
//     }
// DESCRIPTION
//     The line rules of Postfix's readlline(3), shared by postmap sources,
//     texthash, regexp and cidr tables: empty lines, lines of white space
//     and lines whose first non-blank is "#" are skipped; a line that
//     starts with white space continues the logical line before it (its
//     text is appended as is, so "a b" + "  c" is "a b  c"); a logical
//     line that would start with white space is warned about and
//     skipped. A NUL byte ends its physical line, as in Postfix's C
//     strings. LogicalLine::line is the number of the first physical line.
//     split_key_value splits "key whitespace value" and trims the value.
// LIMITS
//     read_table_file refuses files larger than max_bytes and anything
//     that is not a regular file. A logical line longer than
//     kMaxTableLineBytes is warned about and skipped.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/tables/table.h"

namespace tern {

struct TableFile {
    std::string text;
    FileStamp stamp;
    uid_t owner = 0;   // for postmap: the table belongs to its source's owner
    gid_t group = 0;
    mode_t mode = 0;   // permission bits
};

// Reads a whole table source file (O_NOFOLLOW is not used: tables are
// often symlinks into a configuration-management tree).
[[nodiscard]] Result<TableFile> read_table_file(const std::string& path, std::size_t max_bytes);

struct LogicalLine {
    std::string text;
    int line = 0;
};

using LineWarning = std::function<void(int line, const std::string& reason)>;

class LogicalLineReader {
public:
    LogicalLineReader(std::string_view text, LineWarning warn, std::size_t max_line_bytes = kMaxTableLineBytes)
        : text_(text), warn_(std::move(warn)), max_line_bytes_(max_line_bytes) {}

    // The next logical line, or nullopt at the end of the text.
    [[nodiscard]] std::optional<LogicalLine> next();

private:
    [[nodiscard]] std::optional<LogicalLine> next_any_length();
    // One physical line, cut at NUL; advances pos_ and line_.
    std::string_view take_physical_line();

    std::string_view text_;
    LineWarning warn_;
    std::size_t max_line_bytes_;
    std::size_t pos_ = 0;
    int line_ = 0;
};

struct KeyValue {
    std::string_view key;
    std::string_view value;
};

// "key whitespace value" (value trimmed); nullopt when either is empty.
[[nodiscard]] std::optional<KeyValue> split_key_value(std::string_view line) noexcept;

// Postfix's ISSPACE: the C locale's white space.
[[nodiscard]] constexpr bool is_table_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
[[nodiscard]] std::string_view trim_table_space(std::string_view text) noexcept;

}  // namespace tern
