// lib/mail/instance_init.cpp - write main.cf and master.cf for a new instance (see instance_init.h)
#include "lib/mail/instance_init.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/fd.h"
#include "lib/base/text.h"
#include "lib/mail/config_edit.h"
#include "lib/mail/instance_templates.h"

namespace tern {
namespace {

Status check_override(const std::string& name, const std::string& value) {
    if (name.empty() || name.find_first_of(std::string(kWhitespace) + "=#") != std::string::npos)
        return fail(Retry::Permanent, "bad parameter name: \"" + printable(name, 100) + "\"");
    if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
        return fail(Retry::Permanent, "parameter " + name + ": the value must be one line");
    return {};
}

Status make_directories(const std::string& dir) {
    for (std::size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
        const std::string prefix = dir.substr(0, slash);
        if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
            return fail(Retry::Permanent, "create directory " + prefix, errno);
        if (slash == std::string::npos) break;
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return fail(Retry::Permanent, "stat " + dir, errno);
    if (!S_ISDIR(st.st_mode)) return fail(Retry::Permanent, dir + " is not a directory");
    return {};
}

Status write_new_file(const std::string& path, std::string_view text) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (fd.get() < 0) {
        if (errno == EEXIST) return fail(Retry::Permanent, path + " exists; refusing to overwrite it");
        return fail(Retry::Permanent, "create " + path, errno);
    }
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail(Retry::Temporary, "write " + path, errno);
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) return fail(Retry::Temporary, "fsync " + path, errno);
    return {};
}

}  // namespace

Result<std::string> instance_main_cf(const Overrides& overrides) {
    std::vector<ConfigEdit> edits;
    for (const auto& [name, value] : overrides) {
        auto ok = check_override(name, value);
        if (!ok) return tl::unexpected(ok.error());
        edits.push_back({name, value});
    }
    std::string text = edit_main_cf(kMainCfTemplate, edits, {}, true);
    auto cfg = Config::parse(text, "main.cf");
    if (!cfg) return tl::unexpected(cfg.error());
    auto valid = cfg->validate();
    if (!valid) return tl::unexpected(valid.error());
    return text;
}

Status init_instance(const std::string& dir, const Overrides& overrides) {
    auto main_cf = instance_main_cf(overrides);
    if (!main_cf) return tl::unexpected(main_cf.error());
    auto made = make_directories(dir);
    if (!made) return made;
    for (const char* name : {"/main.cf", "/master.cf"}) {
        struct stat st {};
        if (::lstat((dir + name).c_str(), &st) == 0)
            return fail(Retry::Permanent, dir + name + " exists; refusing to overwrite it");
    }
    auto wrote = write_new_file(dir + "/main.cf", *main_cf);
    if (!wrote) return wrote;
    return write_new_file(dir + "/master.cf", kMasterCfTemplate);
}

}  // namespace tern
