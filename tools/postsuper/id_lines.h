// tools/postsuper/id_lines.h - queue IDs from standard input, one a line ("postsuper -d -")
//
// SYNOPSIS
//     postsuper::IdLines lines;
//     lines.feed(bytes, [&](std::string_view id) { handle(id); });   // any chunking
//     lines.finish([&](std::string_view id) { handle(id); });        // a last line without LF
//     tern::Status s = postsuper::read_id_lines(STDIN_FILENO, handle);
// DESCRIPTION
//     Splits input into lines at LF and hands each one over with its
//     trailing CR, spaces and tabs (and leading ones) removed, so the
//     output of `mailq | awk ... | tr -d '*!'` or a CRLF file works. An
//     empty line is handed over as it is (Postfix warns about it as an
//     invalid ID). Lines are handed over as they complete, so a million
//     IDs cost no more memory than one.
// LIMITS
//     A line is kept to kMaxIdLineBytes; the rest of a longer line is
//     dropped (no queue ID is that long, so it is reported as invalid).
// ERRORS
//     read_id_lines: a read error is Temporary ("read standard input").
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace postsuper {

inline constexpr std::size_t kMaxIdLineBytes = 1000;

using IdVisitor = std::function<void(std::string_view)>;

class IdLines {
public:
    void feed(std::string_view bytes, const IdVisitor& visit);
    void finish(const IdVisitor& visit);

private:
    void emit(const IdVisitor& visit);
    std::string line_;
    bool pending_ = false;  // bytes seen since the last LF
};

[[nodiscard]] tern::Status read_id_lines(int fd, const IdVisitor& visit);

}  // namespace postsuper
