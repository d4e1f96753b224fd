// tests/unit/delivery_job_test.cpp - DeliveryJob::finish: records, queue file marks, reply, lost jobs
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lib/mail/attr.h"
#include "lib/mail/delivery_agent.h"
#include "lib/mail/delivery_agent_internal.h"
#include "lib/mail/delivery_log.h"
#include "lib/mail/queue_file_writer.h"
#include "tests/unit/test_support.h"

namespace {

constexpr std::string_view kId = "1xVjby00001";

// A queue directory with one queue file in active/; the test works inside it.
struct QueueFixture {
    tern_test::TempDir dir;
    std::filesystem::path old_cwd = std::filesystem::current_path();
    tern::QueueFile file;
    std::string path = "active/" + std::string(kId);

    explicit QueueFixture(const std::vector<std::string>& recipients) {
        for (const char* name : {"active", "bounce", "defer"}) std::filesystem::create_directory(dir.path() / name);
        std::filesystem::current_path(dir.path());
        tern::QueueFileWriter writer(tern::Fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)), path);
        REQUIRE(writer.add_arrival({1700000000, 0}));
        REQUIRE(writer.add_sender("a@example.com"));
        for (const std::string& r : recipients) {
            tern::RecipientSpec spec;
            spec.address = r;
            spec.notify = r.starts_with("notify") ? tern::kDsnNotifySuccess : 0u;
            REQUIRE(writer.add_recipient(spec));
        }
        REQUIRE(writer.add_content("Subject: x\r\n\r\nbody\r\n"));
        REQUIRE(writer.finish());
        reread();
    }
    ~QueueFixture() {
        std::error_code ignored;
        std::filesystem::current_path(old_cwd, ignored);
        tern::detail::agent_runtime().soft_bounce = false;
    }
    void reread() {
        tern::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        auto parsed = tern::read_queue_file(fd.get(), path);
        REQUIRE(parsed);
        file = std::move(*parsed);
    }
    // A job for every recipient of the file; `peer` gets the qmgr end of the socket.
    std::unique_ptr<tern::DeliveryJob> job(tern::Fd& peer) {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
        peer = tern::Fd(fds[0]);
        tern::DeliveryRequest request;
        request.queue_id = std::string(kId);
        request.transport = "test";
        request.arrival = file.arrival;
        request.active_since = file.arrival;
        for (const tern::QueueRecipient& r : file.recipients)
            request.recipients.push_back({.address = r.address, .orcpt = r.orcpt, .notify = r.notify,
                                          .offset = r.status_offset});
        return std::make_unique<tern::DeliveryJob>(tern::Fd(fds[1]), tern::Fd(::open(path.c_str(), O_RDWR | O_CLOEXEC)),
                                                   std::move(request), file, path, file.arrival);
    }
};

tern::AgentOutcome outcome(tern::DeliveryStatus status, std::string dsn, std::string reason) {
    tern::AgentOutcome o;
    o.status = status;
    o.dsn = std::move(dsn);
    o.reason = std::move(reason);
    o.relay = "test";
    return o;
}

tern::DeliveryReply reply_from(const tern::Fd& peer, std::size_t count) {
    auto message = tern::read_attr_message(peer.get(), tern::kDeliveryAttrLimits, 5000);
    REQUIRE(message);
    auto reply = tern::decode_delivery_reply(*message, count);
    REQUIRE(reply);
    return *reply;
}

std::vector<bool> done(QueueFixture& q) {
    q.reread();
    std::vector<bool> out;
    for (const tern::QueueRecipient& r : q.file.recipients) out.push_back(r.status == tern::RecipientStatus::Done);
    return out;
}

}  // namespace

TEST_CASE("finish records, marks done and replies", "[delivery_job]") {
    QueueFixture q({"sent@x", "defer@x", "bounce@x", "notify@x", "missing@x"});
    tern::Fd peer;
    std::vector<tern::AgentOutcome> outcomes{
        outcome(tern::DeliveryStatus::Sent, "2.0.0", "ok"),
        outcome(tern::DeliveryStatus::Deferred, "", "later"),
        outcome(tern::DeliveryStatus::Bounced, "4.1.1", "no such user"),
        outcome(tern::DeliveryStatus::Sent, "2.1.5", "ok too"),
    };
    tern::DeliveryJob::finish(q.job(peer), std::move(outcomes), true);
    const tern::DeliveryReply reply = reply_from(peer, 5);
    REQUIRE(reply.outcomes.size() == 5);
    CHECK(reply.destination_dead);
    CHECK(reply.outcomes[0] == tern::RecipientOutcome{tern::DeliveryStatus::Sent, "2.0.0", "ok"});
    CHECK(reply.outcomes[1] == tern::RecipientOutcome{tern::DeliveryStatus::Deferred, "4.0.0", "later"});
    CHECK(reply.outcomes[2] == tern::RecipientOutcome{tern::DeliveryStatus::Bounced, "5.1.1", "no such user"});
    CHECK(reply.outcomes[3].status == tern::DeliveryStatus::Sent);
    CHECK(reply.outcomes[4].status == tern::DeliveryStatus::Deferred);
    CHECK(reply.outcomes[4].dsn == "4.3.0");
    CHECK(done(q) == std::vector<bool>{true, false, true, true, false});

    auto bounces = tern::read_delivery_log("", tern::DeliveryLog::Bounce, kId);
    REQUIRE(bounces);
    REQUIRE(bounces->size() == 2);
    CHECK((*bounces)[0].recipient == "bounce@x");
    CHECK((*bounces)[0].action == "failed");
    CHECK((*bounces)[1].recipient == "notify@x");
    CHECK((*bounces)[1].action == "delivered");
    CHECK((*bounces)[1].status == "2.1.5");
    auto defers = tern::read_delivery_log("", tern::DeliveryLog::Defer, kId);
    REQUIRE(defers);
    REQUIRE(defers->size() == 2);
    CHECK((*defers)[0].recipient == "defer@x");
    CHECK((*defers)[1].recipient == "missing@x");
    char byte = 0;
    CHECK(::read(peer.get(), &byte, 1) == 0);  // the agent closed its end
}

TEST_CASE("soft_bounce defers bounces", "[delivery_job]") {
    QueueFixture q({"bounce@x"});
    tern::detail::agent_runtime().soft_bounce = true;
    tern::Fd peer;
    tern::DeliveryJob::finish(q.job(peer), {outcome(tern::DeliveryStatus::Bounced, "5.1.1", "gone")});
    const tern::DeliveryReply reply = reply_from(peer, 1);
    CHECK(reply.outcomes[0] == tern::RecipientOutcome{tern::DeliveryStatus::Deferred, "4.1.1", "gone"});
    CHECK(done(q) == std::vector<bool>{false});
    CHECK_FALSE(std::filesystem::exists("bounce/" + std::string(kId)));
}

TEST_CASE("a bounce that cannot be recorded is deferred, never marked done", "[delivery_job]") {
    QueueFixture q({"bounce@x", "sent@x"});
    std::filesystem::remove("bounce");
    tern::Fd peer;
    tern::DeliveryJob::finish(q.job(peer), {outcome(tern::DeliveryStatus::Bounced, "5.1.1", "gone"),
                                            outcome(tern::DeliveryStatus::Sent, "2.0.0", "ok")});
    const tern::DeliveryReply reply = reply_from(peer, 2);
    CHECK(reply.outcomes[0].status == tern::DeliveryStatus::Deferred);
    CHECK(reply.outcomes[0].dsn == "4.1.1");
    CHECK(reply.outcomes[0].reason.starts_with("cannot update bounce log"));
    CHECK(reply.outcomes[1].status == tern::DeliveryStatus::Sent);
    CHECK(done(q) == std::vector<bool>{false, true});
}

TEST_CASE("a job dropped without finish defers everything", "[delivery_job]") {
    QueueFixture q({"a@x", "b@x"});
    tern::Fd peer;
    q.job(peer).reset();
    const tern::DeliveryReply reply = reply_from(peer, 2);
    for (const tern::RecipientOutcome& o : reply.outcomes)
        CHECK(o == tern::RecipientOutcome{tern::DeliveryStatus::Deferred, "4.3.0", "delivery agent lost the request"});
    CHECK(done(q) == std::vector<bool>{false, false});
}

TEST_CASE("a job reads its content", "[delivery_job]") {
    QueueFixture q({"a@x"});
    tern::Fd peer;
    auto job = q.job(peer);
    tern::ContentReader reader = job->content();
    auto all = reader.read_all(1000);
    REQUIRE(all);
    CHECK(*all == "Subject: x\r\n\r\nbody\r\n");
    CHECK(job->queue_path() == "active/1xVjby00001");
    tern::DeliveryJob::finish(std::move(job), {outcome(tern::DeliveryStatus::Sent, "2.0.0", "ok")});
    CHECK(reply_from(peer, 1).outcomes[0].status == tern::DeliveryStatus::Sent);
}

TEST_CASE("a next hop that notifies success itself gets no success record here", "[delivery_job]") {
    QueueFixture q({"notify@x", "notify2@x"});
    tern::Fd peer;
    tern::AgentOutcome passed_on = outcome(tern::DeliveryStatus::Sent, "2.0.0", "250 ok");
    passed_on.next_hop_notifies = true;
    tern::AgentOutcome relayed = outcome(tern::DeliveryStatus::Sent, "2.0.0", "250 ok");
    relayed.success_action = "relayed";
    tern::DeliveryJob::finish(q.job(peer), {passed_on, relayed});
    CHECK(reply_from(peer, 2).outcomes[0].status == tern::DeliveryStatus::Sent);
    CHECK(done(q) == std::vector<bool>{true, true});
    auto bounces = tern::read_delivery_log("", tern::DeliveryLog::Bounce, kId);
    REQUIRE(bounces);
    REQUIRE(bounces->size() == 1);
    CHECK((*bounces)[0].recipient == "notify2@x");
    CHECK((*bounces)[0].action == "relayed");
}
