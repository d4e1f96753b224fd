// lib/mail/delivery_agent_internal.h - state the agent skeleton's two halves share (not for agents)
//
// SYNOPSIS
//     tern::detail::AgentRuntime& rt = tern::detail::agent_runtime();
//     rt.context->client_done();
// DESCRIPTION
//     run_delivery_agent (lib/mail/delivery_agent.cpp) fills this once at
//     start-up, after main.cf is loaded; DeliveryJob::finish
//     (lib/mail/delivery_job.cpp) reads it. Without a running agent
//     (unit tests) context is null, soft_bounce false, and finish works
//     on paths relative to the current directory.
#pragma once

#include "lib/mail/delivery_agent.h"
#include "lib/mail/event_server.h"

namespace tern::detail {

struct AgentRuntime {
    ServerContext* context = nullptr;
    bool soft_bounce = false;
    DeliveryRequestFn on_request;  // the agent's callback
};

[[nodiscard]] AgentRuntime& agent_runtime() noexcept;

}  // namespace tern::detail
