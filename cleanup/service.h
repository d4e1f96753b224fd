// cleanup/service.h - what all streams of one cleanup process share
//
// SYNOPSIS
//     cleanup::Service::create(ctx);                 // after the privilege drop
//     cleanup::Service::instance()->accept(std::move(fd));
//     cleanup::Service::destroy();                   // on stop
// DESCRIPTION
//     Owns the streams (cleanup/stream.h), the group committer
//     (lib/mail/group_commit.h) and the qmgr trigger
//     (cleanup/qmgr_trigger.h). A stream asks to be removed with
//     remove(), which destroys it and tells the event server the client
//     is done. destroy() drops the committer first (no done callback runs
//     afterwards, temp files of unstarted jobs are removed), then the
//     streams, whose temp files are removed with them.
// LIMITS
//     The number of streams is bounded by master (busy_at_clients) and
//     by max_use.
#pragma once

#include <memory>
#include <unordered_map>

#include "cleanup/qmgr_trigger.h"
#include "lib/base/fd.h"
#include "lib/mail/event_server.h"
#include "lib/mail/group_commit.h"

namespace cleanup {

class Stream;

class Service {
public:
    explicit Service(tern::ServerContext& context);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    static void create(tern::ServerContext& context);
    static void destroy();
    [[nodiscard]] static Service* instance() noexcept;

    void accept(tern::Fd fd) noexcept;
    void remove(Stream* stream) noexcept;
    [[nodiscard]] event_base* base() noexcept { return context_.base(); }
    [[nodiscard]] tern::GroupCommitter& committer() noexcept { return *committer_; }
    void poke_qmgr() noexcept { trigger_->request(); }
    [[nodiscard]] long long timeout_ms() const noexcept { return timeout_ms_; }

private:
    tern::ServerContext& context_;
    std::unique_ptr<tern::GroupCommitter> committer_;
    std::unique_ptr<QmgrTrigger> trigger_;
    std::unordered_map<Stream*, std::unique_ptr<Stream>> streams_;
    long long timeout_ms_ = 3600 * 1000;
};

}  // namespace cleanup
