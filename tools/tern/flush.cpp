// tools/tern/flush.cpp - tern flush: retry deferred mail (needs qmgr)
//
// Postfix runs "postqueue -f", which asks qmgr to scan the deferred
// queue now. tern has no qmgr yet, so flush says so and fails.
// TODO(qmgr issue): run postqueue -f once qmgr and postqueue exist.
#include <cstdio>

#include "tools/tern/commands.h"

namespace tern_cmd {

int run_flush(const Invocation&) {
    std::fputs("tern: flush: not available until qmgr exists\n", stderr);
    return kExitFail;
}

}  // namespace tern_cmd
