// tests/unit/fake_server_context.h - a ServerContext for unit tests of a daemon's sessions
//
// SYNOPSIS
//     tern_test::FakeServerContext context(base.get(), "showq");
//     tern::SessionService<Session, Settings> service(context, settings);
//     CHECK(context.done == 1);          // client_done() calls so far
// DESCRIPTION
//     Stands in for the event server (lib/mail/event_server.h): base()
//     is the loop the test runs, the service name is the one given, no
//     arguments, root "/". It counts client_done() calls in `done`, so a
//     test sees when a session has ended; request_stop() does nothing.
// LIMITS
//     Test code only; base must outlive the context.
#pragma once

#include <event2/event.h>

#include <string>
#include <utility>
#include <vector>

#include "lib/mail/event_server.h"

namespace tern_test {

class FakeServerContext : public tern::ServerContext {
public:
    FakeServerContext(event_base* base, std::string service_name) : base_(base), name_(std::move(service_name)) {}
    event_base* base() noexcept override { return base_; }
    const std::string& service_name() const noexcept override { return name_; }
    const std::vector<std::string>& args() const noexcept override { return args_; }
    const std::string& root_directory() const noexcept override { return root_; }
    void client_done() noexcept override { ++done; }
    void request_stop() noexcept override {}
    int done = 0;

private:
    event_base* base_;
    std::string name_;
    std::vector<std::string> args_;
    std::string root_ = "/";
};

}  // namespace tern_test
