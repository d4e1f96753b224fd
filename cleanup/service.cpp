// cleanup/service.cpp - the streams, committer and qmgr trigger of one process (see service.h)
#include "cleanup/service.h"

#include "cleanup/queue_output.h"
#include "cleanup/stream.h"
#include "lib/base/log.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/config.h"

namespace cleanup {
namespace {

std::unique_ptr<Service>& the_service() {
    static std::unique_ptr<Service> service;
    return service;
}

}  // namespace

Service::Service(tern::ServerContext& context) : context_(context) {}

Service::~Service() {
    committer_.reset();  // first: no done callback may run into a stream that is going
    streams_.clear();
}

void Service::create(tern::ServerContext& context) {
    auto service = std::make_unique<Service>(context);
    tern::GroupCommitOptions commit;
    if (tern::Result<bool> batched = tern::config().boolean("cleanup_group_commit"); batched && !*batched)
        commit.mode = tern::CommitMode::Synchronous;
    tern::Result<std::unique_ptr<tern::GroupCommitter>> gc = tern::GroupCommitter::create(context.base(), commit);
    if (!gc) tern::log_fatal("%s", gc.error().describe().c_str());
    service->committer_ = std::move(*gc);
    tern::Result<std::unique_ptr<QmgrTrigger>> trigger =
        QmgrTrigger::create(context.base(), std::string(tern::kQmgrSocketPath));
    if (!trigger) tern::log_fatal("%s", trigger.error().describe().c_str());
    service->trigger_ = std::move(*trigger);
    if (tern::Result<long long> t = tern::config().seconds("ipc_timeout"); t && *t > 0)
        service->timeout_ms_ = *t * 1000;
    (void)remove_stale_temp_files("incoming");
    the_service() = std::move(service);
}

void Service::destroy() { the_service().reset(); }

Service* Service::instance() noexcept { return the_service().get(); }

void Service::accept(tern::Fd fd) noexcept {
    auto stream = std::make_unique<Stream>(*this, std::move(fd));
    Stream* raw = stream.get();
    streams_.emplace(raw, std::move(stream));
    if (!raw->start()) remove(raw);
}

void Service::remove(Stream* stream) noexcept {
    if (streams_.erase(stream) > 0) context_.client_done();
}

}  // namespace cleanup
