// lib/mail/config_edit.cpp - change main.cf text (see config_edit.h)
#include "lib/mail/config_edit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <set>

#include "lib/base/fd.h"
#include "lib/base/text.h"

namespace tern {
namespace {

std::string assignment(const ConfigEdit& e) { return e.name + " = " + e.value + "\n"; }

// The parameter name a logical line's first physical line sets, or "".
std::string_view name_of(std::string_view line) {
    if (line.empty() || kWhitespace.find(line.front()) != std::string_view::npos || line.front() == '#')
        return {};
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) return {};
    return trim(line.substr(0, eq));
}

bool is_continuation(std::string_view line) {
    const std::string_view content = trim(line);
    return !line.empty() && kWhitespace.find(line.front()) != std::string_view::npos && !content.empty() &&
           content.front() != '#';
}

// "#name = example" as tern init's template writes examples, or "".
std::string_view commented_name_of(std::string_view line) {
    if (line.size() < 2 || line.front() != '#') return {};
    const std::string_view name = name_of(line.substr(1));
    const bool plain = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    return plain ? name : std::string_view{};
}

std::vector<std::string_view> physical_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        end = end == std::string_view::npos ? text.size() : end + 1;
        lines.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return lines;
}

}  // namespace

Result<ConfigEdit> parse_assignment(std::string_view text) {
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos)
        return fail(Retry::Permanent, "missing '=' after attribute name: \"" + printable(text, 100) + "\"");
    const std::string_view name = trim(text.substr(0, eq));
    if (name.empty())
        return fail(Retry::Permanent, "missing attribute name: \"" + printable(text, 100) + "\"");
    if (name.find_first_of(kWhitespace) != std::string_view::npos)
        return fail(Retry::Permanent, "missing '=' after attribute name: \"" + printable(text, 100) + "\"");
    return ConfigEdit{std::string(name), std::string(trim(text.substr(eq + 1)))};
}

std::string edit_main_cf(std::string_view text, const std::vector<ConfigEdit>& edits,
                         const std::vector<std::string>& removals, bool uncomment) {
    // The last edit of a name wins; names keep the order of their first edit.
    std::vector<ConfigEdit> wanted;
    for (const ConfigEdit& e : edits) {
        auto it = std::find_if(wanted.begin(), wanted.end(), [&](const ConfigEdit& w) { return w.name == e.name; });
        if (it == wanted.end()) wanted.push_back(e);
        else it->value = e.value;
    }
    const std::vector<std::string_view> lines = physical_lines(text);
    std::set<std::string_view> active;
    for (const std::string_view line : lines) active.insert(name_of(line));
    std::set<std::string> written;
    std::string out;
    bool skipping = false;  // inside a logical line that was replaced or removed
    for (const std::string_view physical : lines) {
        if (skipping && is_continuation(physical)) continue;
        skipping = false;
        std::string_view name = name_of(physical);
        if (uncomment && name.empty()) {
            name = commented_name_of(physical);
            if (active.count(name) != 0 || written.count(std::string(name)) != 0) name = {};
        }
        const auto edit = std::find_if(wanted.begin(), wanted.end(), [&](const ConfigEdit& e) { return e.name == name; });
        if (!name.empty() && edit != wanted.end()) {
            out += assignment(*edit);
            written.insert(edit->name);
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
    for (const ConfigEdit& e : wanted)
        if (written.count(e.name) == 0) out += assignment(e);
    return out;
}

Status rewrite_file(const std::string& path, std::string_view text) {
    struct stat old_stat {};
    if (::stat(path.c_str(), &old_stat) != 0) return fail(Retry::Permanent, "open " + path, errno);
    std::string temp = path + ".XXXXXX";
    Fd fd(::mkostemp(temp.data(), O_CLOEXEC));
    if (fd.get() < 0) return fail(Retry::Permanent, "create " + temp, errno);
    const auto give_up = [&](const char* what) {
        const int saved = errno;
        ::unlink(temp.c_str());
        return fail(Retry::Permanent, std::string(what) + " " + temp, saved);
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

}  // namespace tern
