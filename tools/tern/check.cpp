// tools/tern/check.cpp - tern check: configuration files and queue folders
//
// What postfix-script's check-fatal and check-warn do that applies to
// tern: main.cf (read by load_instance) and master.cf must parse, the
// daemon directory must exist, missing queue folders are created, wrong
// owners and modes are warned about, and messages in corrupt/ are named.
#include <dirent.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/master_cf.h"
#include "lib/mail/queue_layout.h"
#include "tools/tern/commands.h"

namespace tern_cmd {
namespace {

// More damaged messages than this are counted, not listed.
constexpr int kMaxDamagedListed = 100;

using DirPtr = std::unique_ptr<DIR, tern::CFree<::closedir>>;

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void warn_damaged_messages(const std::string& queue_dir) {
    const std::string corrupt = queue_dir + "/corrupt";
    DirPtr dir{::opendir(corrupt.c_str())};
    if (!dir) return;
    int damaged = 0;
    while (const dirent* entry = ::readdir(dir.get())) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        if (++damaged <= kMaxDamagedListed)
            tern::log_warning("damaged message: %s/%s", corrupt.c_str(), tern::printable(name, 200).c_str());
    }
    if (damaged > kMaxDamagedListed)
        tern::log_warning("%d damaged messages in %s", damaged, corrupt.c_str());
}

}  // namespace

bool check_instance(const Instance& instance) {
    if (!is_directory(instance.daemon_dir)) {
        tern::log_msg(tern::LogLevel::Fatal, "no tern daemon directory %s!", instance.daemon_dir.c_str());
        return false;
    }
    const std::string master_cf = instance.config.config_dir() + "/master.cf";
    if (!is_directory(instance.config.config_dir()) || ::access(master_cf.c_str(), F_OK) != 0) {
        tern::log_msg(tern::LogLevel::Fatal, "no %s file found", master_cf.c_str());
        return false;
    }
    if (auto services = tern::load_master_cf(instance.config); !services) {
        tern::log_msg(tern::LogLevel::Fatal, "%s", services.error().describe().c_str());
        return false;
    }
    std::vector<std::string> warnings;
    if (auto layout = tern::check_queue_layout(instance.config, true, warnings); !layout) {
        tern::log_msg(tern::LogLevel::Fatal, "unable to create missing queue directories: %s", layout.error().describe().c_str());
        return false;
    }
    for (const std::string& warning : warnings) tern::log_warning("%s", warning.c_str());
    warn_damaged_messages(instance.queue_dir);
    return true;
}

int run_check(const Invocation& inv) {
    const Instance instance = load_instance(inv);
    return check_instance(instance) ? kExitOk : kExitFail;
}

}  // namespace tern_cmd
