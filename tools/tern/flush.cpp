// tools/tern/flush.cpp - tern flush: retry deferred mail now
//
// As Postfix's postfix-script: runs "postqueue -c CONFIG -f" from
// command_directory, which asks qmgr to forget dead destinations and to
// scan the deferred and incoming queues at once, and wakes pickup.
// postqueue's messages and exit status are tern flush's.
#include <cstdio>

#include "lib/base/exec.h"
#include "lib/base/log.h"
#include "tools/tern/commands.h"

namespace tern_cmd {

int run_flush(const Invocation& inv) {
    const Instance instance = load_instance(inv);
    const std::string postqueue = instance.config.get("command_directory") + "/postqueue";
    const tern::Error failed = tern::exec_program(postqueue, {"postqueue", "-c", inv.config_dir, "-f"});
    tern::log_error("%s", failed.describe().c_str());
    return kExitFail;
}

}  // namespace tern_cmd
