// tools/tern/instance.cpp - read main.cf for a command and set up its logging
#include <string>

#include "lib/base/log.h"
#include "tools/tern/commands.h"

namespace tern_cmd {

Instance load_instance(const Invocation& inv) {
    auto config = tern::Config::load(inv.config_dir);
    if (!config) tern::log_fatal("%s", config.error().describe().c_str());
    if (auto valid = config->validate(); !valid) tern::log_fatal("%s", valid.error().describe().c_str());

    std::string name = config->get("syslog_name");
    if (name.empty()) name = "tern";
    const std::string tag = name + "/tern-script";
    tern::log_open(tag, tag);
    const std::string maillog = config->get("maillog_file");
    if (maillog.empty()) {
        tern::log_use_syslog(true);
    } else if (auto opened = tern::log_use_file(maillog); !opened) {
        tern::log_warning("%s", opened.error().describe().c_str());
    }

    Instance instance{std::move(*config), "", ""};
    instance.queue_dir = instance.config.get("queue_directory");
    instance.daemon_dir = instance.config.get("daemon_directory");
    return instance;
}

}  // namespace tern_cmd
