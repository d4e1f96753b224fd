// tools/postconf/edit_main.cpp - postconf -e / -X: change main.cf in place (see edit_main.h)
#include "tools/postconf/edit_main.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "lib/base/fd.h"
#include "lib/base/text.h"

namespace postconf {
namespace {

std::string assignment(const Edit& e) { return e.name + " = " + e.value + "\n"; }

// The parameter name a logical line's first physical line sets, or "".
std::string_view name_of(std::string_view line) {
    if (line.empty() || tern::kWhitespace.find(line.front()) != std::string_view::npos || line.front() == '#')
        return {};
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) return {};
    return tern::trim(line.substr(0, eq));
}

bool is_continuation(std::string_view line) {
    const std::string_view content = tern::trim(line);
    return !line.empty() && tern::kWhitespace.find(line.front()) != std::string_view::npos && !content.empty() &&
           content.front() != '#';
}

}  // namespace

tern::Result<Edit> parse_assignment(std::string_view text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos)
        return tern::fail(tern::Retry::Permanent, "missing '=' after attribute name: \"" + tern::printable(text, 100) + "\"");
    const std::string_view name = tern::trim(text.substr(0, eq));
    if (name.empty())
        return tern::fail(tern::Retry::Permanent, "missing attribute name: \"" + tern::printable(text, 100) + "\"");
    if (name.find_first_of(tern::kWhitespace) != std::string_view::npos)
        return tern::fail(tern::Retry::Permanent, "missing '=' after attribute name: \"" + tern::printable(text, 100) + "\"");
    return Edit{std::string(name), std::string(tern::trim(text.substr(eq + 1)))};
}

std::string edit_main_cf(std::string_view text, const std::vector<Edit>& edits,
                         const std::vector<std::string>& removals) {
    std::string out;
    std::vector<bool> written(edits.size(), false);
    bool skipping = false;  // inside a logical line that was replaced or removed
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        end = end == std::string_view::npos ? text.size() : end + 1;
        const std::string_view physical = text.substr(pos, end - pos);
        pos = end;
        if (skipping && is_continuation(physical)) continue;
        skipping = false;
        const std::string_view name = name_of(physical);
        const auto edit = std::find_if(edits.rbegin(), edits.rend(), [&](const Edit& e) { return e.name == name; });
        if (!name.empty() && edit != edits.rend()) {
            out += assignment(*edit);
            written[static_cast<std::size_t>(edits.rend() - edit - 1)] = true;
            skipping = true;
            continue;
        }
        if (!name.empty() && std::find(removals.begin(), removals.end(), name) != removals.end()) {
            skipping = true;
            continue;
        }
        out.append(physical);
        if (physical.back() != '\n') out.push_back('\n');
    }
    for (std::size_t i = 0; i < edits.size(); ++i) {
        const bool later_same = std::any_of(edits.begin() + static_cast<std::ptrdiff_t>(i) + 1, edits.end(),
                                            [&](const Edit& e) { return e.name == edits[i].name; });
        const bool in_file = std::any_of(edits.begin(), edits.end(), [&](const Edit& e) {
            return e.name == edits[i].name && written[static_cast<std::size_t>(&e - edits.data())];
        });
        if (!later_same && !in_file) out += assignment(edits[i]);
    }
    return out;
}

tern::Status rewrite_file(const std::string& path, std::string_view text) {
    struct stat old_stat {};
    if (::stat(path.c_str(), &old_stat) != 0) return tern::fail(tern::Retry::Permanent, "open " + path, errno);
    std::string temp = path + ".XXXXXX";
    tern::Fd fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (fd.get() < 0) return tern::fail(tern::Retry::Permanent, "create " + temp, errno);
    const auto give_up = [&](const char* what) {
        const int saved = errno;
        ::unlink(temp.c_str());
        return tern::fail(tern::Retry::Permanent, std::string(what) + " " + temp, saved);
    };
    if (::fchmod(fd.get(), old_stat.st_mode & 07777) != 0) return give_up("chmod");
    if (::geteuid() == 0 && ::fchown(fd.get(), old_stat.st_uid, old_stat.st_gid) != 0) return give_up("chown");
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return give_up("write");
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return give_up("fsync");
    fd.reset();
    if (::rename(temp.c_str(), path.c_str()) != 0) return give_up("rename");
    return {};
}

}  // namespace postconf
