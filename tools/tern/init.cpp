// tools/tern/init.cpp - tern init DIR [name=value ...]: write a new instance's configuration
//
// The files themselves come from tern::init_instance (lib/mail/instance_init.h),
// which refuses to overwrite; this file only checks the command line.
#include <string>
#include <string_view>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/instance_init.h"
#include "tools/tern/commands.h"

namespace tern_cmd {
namespace {

// "name=value" -> {"name", "value"}; white space around the name is dropped.
tern::Overrides parse_overrides(const std::vector<std::string>& words) {
    tern::Overrides overrides;
    for (const std::string& word : words) {
        const std::size_t equals = word.find('=');
        const std::string_view name = equals == std::string::npos ? "" : tern::trim(std::string_view(word).substr(0, equals));
        if (name.empty())
            tern::log_fatal("init: bad parameter setting, expected name=value: %s", tern::printable(word, 200).c_str());
        overrides.emplace_back(std::string(name), word.substr(equals + 1));
    }
    return overrides;
}

}  // namespace

int run_init(const Invocation& inv) {
    if (inv.args.size() < 2) tern::log_fatal("usage: tern init directory [name=value ...]");
    const std::string& dir = inv.args[1];
    if (dir.empty() || dir.front() != '/') tern::log_fatal("init: directory must be an absolute pathname: %s", dir.c_str());
    const tern::Overrides overrides = parse_overrides({inv.args.begin() + 2, inv.args.end()});
    if (auto written = tern::init_instance(dir, overrides); !written)
        tern::log_fatal("init: %s", written.error().describe().c_str());
    return kExitOk;
}

}  // namespace tern_cmd
