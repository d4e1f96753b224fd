// lib/mail/tables/table_text.cpp - read Postfix table source text: logical lines, key/value
#include "lib/mail/tables/table_text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/fd.h"

namespace tern {

std::string_view trim_table_space(std::string_view text) noexcept {
    while (!text.empty() && is_table_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_table_space(text.back())) text.remove_suffix(1);
    return text;
}

Result<TableFile> read_table_file(const std::string& path, std::size_t max_bytes) {
    // O_NONBLOCK so a FIFO put where a table should be cannot hang us.
    Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
    if (!fd) return fail(Retry::Temporary, "open " + path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(Retry::Temporary, "fstat " + path, errno);
    if (!S_ISREG(st.st_mode)) return fail(Retry::Permanent, path + ": not a regular file");
    if (static_cast<std::size_t>(st.st_size) > max_bytes)
        return fail(Retry::Permanent, path + ": file is larger than " + std::to_string(max_bytes) + " bytes");
    TableFile file;
    file.stamp = FileStamp::of(st);
    file.owner = st.st_uid;
    file.group = st.st_gid;
    file.mode = st.st_mode & 07777;
    file.text.resize(static_cast<std::size_t>(st.st_size));
    std::size_t done = 0;
    while (done < file.text.size()) {
        const ssize_t n = ::read(fd.get(), file.text.data() + done, file.text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(Retry::Temporary, "read " + path, errno);
        if (n == 0) break;  // shrank while we read: use what is there
        done += static_cast<std::size_t>(n);
    }
    file.text.resize(done);
    return file;
}

std::string_view LogicalLineReader::take_physical_line() {
    const std::string_view rest = text_.substr(pos_);
    const std::size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    pos_ += newline == std::string_view::npos ? rest.size() : newline + 1;
    ++line_;
    if (const std::size_t nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
    return line;
}

std::optional<LogicalLine> LogicalLineReader::next() {
    for (;;) {
        std::optional<LogicalLine> line = next_any_length();
        if (!line || line->text.size() <= max_line_bytes_) return line;
        warn_(line->line, "line longer than " + std::to_string(max_line_bytes_) + " bytes: skipping it");
    }
}

// The next logical line; one longer than the limit comes back with its
// text cut just past the limit, so the caller can tell and skip it.
std::optional<LogicalLine> LogicalLineReader::next_any_length() {
    std::optional<LogicalLine> current;
    bool too_long = false;
    while (pos_ < text_.size()) {
        const std::size_t line_start = pos_;
        const int line_number = line_;
        const std::string_view physical = take_physical_line();
        std::size_t first = 0;
        while (first < physical.size() && is_table_space(physical[first])) ++first;
        if (first == physical.size() || physical[first] == '#') continue;  // blank or comment
        if (first == 0) {
            if (current) {  // starts the next logical line: give it back
                pos_ = line_start;
                line_ = line_number;
                break;
            }
            too_long = physical.size() > max_line_bytes_;
            current = LogicalLine{std::string(physical.substr(0, max_line_bytes_ + 1)), line_};
            continue;
        }
        if (!current) {
            warn_(line_, "logical line must not start with whitespace: \"" +
                             std::string(physical.substr(0, 30)) + (physical.size() > 30 ? "...\"" : "\""));
            continue;
        }
        if (too_long) continue;
        current->text.append(physical.substr(0, max_line_bytes_ + 1 - current->text.size()));
        too_long = current->text.size() > max_line_bytes_;
    }
    return current;
}

std::optional<KeyValue> split_key_value(std::string_view line) noexcept {
    line = trim_table_space(line);
    std::size_t key_end = 0;
    while (key_end < line.size() && !is_table_space(line[key_end])) ++key_end;
    const std::string_view key = line.substr(0, key_end);
    const std::string_view value = trim_table_space(line.substr(key_end));
    if (key.empty() || value.empty()) return std::nullopt;
    return KeyValue{key, value};
}

}  // namespace tern
