// tools/postsuper/id_lines.cpp - queue IDs from standard input (contract in id_lines.h)
#include "tools/postsuper/id_lines.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "lib/base/text.h"

namespace postsuper {

void IdLines::emit(const IdVisitor& visit) {
    visit(tern::trim(line_));
    line_.clear();
    pending_ = false;
}

void IdLines::feed(std::string_view bytes, const IdVisitor& visit) {
    while (!bytes.empty()) {
        const std::size_t lf = bytes.find('\n');
        const std::string_view part = bytes.substr(0, lf);
        const std::size_t room = kMaxIdLineBytes - std::min(line_.size(), kMaxIdLineBytes);
        line_.append(part.substr(0, room));
        pending_ = pending_ || !part.empty();
        if (lf == std::string_view::npos) return;
        emit(visit);
        bytes.remove_prefix(lf + 1);
    }
}

void IdLines::finish(const IdVisitor& visit) {
    if (pending_) emit(visit);
}

tern::Status read_id_lines(int fd, const IdVisitor& visit) {
    IdLines lines;
    std::array<char, 8192> buffer{};
    for (;;) {
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return tern::fail(tern::Retry::Temporary, "read standard input", errno);
        if (n == 0) break;
        lines.feed({buffer.data(), static_cast<std::size_t>(n)}, visit);
    }
    lines.finish(visit);
    return {};
}

}  // namespace postsuper
