// tests/unit/cleanup_client_test.cpp - the event-driven cleanup client against a scripted cleanup
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "lib/base/event_loop.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/cleanup_client.h"
#include "lib/mail/cleanup_protocol.h"
#include "tests/unit/test_support.h"

namespace {

struct Recorder final : tern::CleanupListener {
    std::string queue_id;
    std::optional<tern::CleanupReply> reply;
    std::string failure;
    std::unique_ptr<tern::CleanupClient>* owner = nullptr;  // destroyed from a callback when set
    void on_cleanup_queue_id(std::string_view id) noexcept override { queue_id = std::string(id); }
    void on_cleanup_reply(const tern::CleanupReply& r) noexcept override {
        reply = r;
        if (owner) owner->reset();
    }
    void on_cleanup_failure(const std::string& why) noexcept override {
        failure = why;
        if (owner) owner->reset();
    }
};

// Runs the loop until cond() holds (or a bounded number of rounds).
template <class Cond>
bool spin(event_base* base, Cond cond) {
    for (int i = 0; i < 2000 && !cond(); ++i) {
        event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
        ::usleep(1000);
    }
    return cond();
}

tern::AttrList greeting(long long status, std::string_view id) {
    tern::AttrList a;
    a.add_int(tern::kCleanupStatus, status).add(tern::kCleanupQueueId, id);
    return a;
}

}  // namespace

TEST_CASE("cleanup client: queue ID, messages in order, final reply", "[cleanup_client]") {
    tern_test::TempDir dir;
    const std::string path = dir.file("cleanup");
    tern::Result<tern::Fd> listener = tern::unix_listen(path, 10, 0600);
    REQUIRE(listener);
    tern::Result<tern::EventBasePtr> base = tern::make_event_base();
    REQUIRE(base);
    Recorder rec;
    auto client = tern::CleanupClient::open(base->get(), path, rec, 5000);
    REQUIRE(client);
    rec.owner = &*client;
    tern::Fd peer{::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC)};
    REQUIRE(peer);
    tern::AttrList env;
    env.add(tern::kCleanupRequest, tern::kCleanupRequestEnvelope).add(tern::kCleanupSender, "a@b");
    (*client)->send(env);  // queued before the ID arrives
    REQUIRE(tern::write_attr_message(peer.get(), greeting(0, "QID7"), 1000));
    CHECK(spin(base->get(), [&] { return !rec.queue_id.empty(); }));
    CHECK(rec.queue_id == "QID7");
    tern::Result<tern::AttrList> got = tern::read_attr_message(peer.get(), {}, 1000);
    REQUIRE(got);
    CHECK(got->get(tern::kCleanupSender) == "a@b");
    (*client)->finish();
    CHECK(spin(base->get(), [&] { return (*client)->pending_bytes() == 0; }));
    got = tern::read_attr_message(peer.get(), {}, 1000);
    REQUIRE(got);
    CHECK(got->get(tern::kCleanupRequest) == tern::kCleanupRequestEnd);
    tern::AttrList done = greeting(0, "QID7");
    done.add(tern::kCleanupReason, "250 2.0.0 Ok: queued as QID7");
    REQUIRE(tern::write_attr_message(peer.get(), done, 1000));
    CHECK(spin(base->get(), [&] { return rec.reply.has_value(); }));
    CHECK(rec.reply->status == 0);
    CHECK(rec.reply->reason == "250 2.0.0 Ok: queued as QID7");
    CHECK(!*client);  // the listener destroyed it from inside the callback
}

TEST_CASE("cleanup client: refusals, early close and no server", "[cleanup_client]") {
    tern_test::TempDir dir;
    const std::string path = dir.file("cleanup");
    tern::Result<tern::EventBasePtr> base = tern::make_event_base();
    REQUIRE(base);
    Recorder rec;
    CHECK_FALSE(tern::CleanupClient::open(base->get(), path, rec, 1000));  // nothing listens

    tern::Result<tern::Fd> listener = tern::unix_listen(path, 10, 0600);
    REQUIRE(listener);
    auto client = tern::CleanupClient::open(base->get(), path, rec, 5000);
    REQUIRE(client);
    rec.owner = &*client;
    tern::Fd peer{::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC)};
    tern::AttrList refused = greeting(451, "");
    refused.add(tern::kCleanupReason, "451 4.3.0 Error: queue file write error");
    REQUIRE(tern::write_attr_message(peer.get(), refused, 1000));
    CHECK(spin(base->get(), [&] { return !rec.failure.empty(); }));
    CHECK(rec.failure == "451 4.3.0 Error: queue file write error");

    Recorder second;
    auto other = tern::CleanupClient::open(base->get(), path, second, 5000);
    REQUIRE(other);
    second.owner = &*other;
    tern::Fd peer2{::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC)};
    REQUIRE(tern::write_attr_message(peer2.get(), greeting(0, "Q2"), 1000));
    CHECK(spin(base->get(), [&] { return second.queue_id == "Q2"; }));
    peer2.reset();  // cleanup dies
    CHECK(spin(base->get(), [&] { return !second.failure.empty(); }));
    CHECK_FALSE(second.reply);
}

TEST_CASE("cleanup client: timeout waiting for the answer", "[cleanup_client]") {
    tern_test::TempDir dir;
    const std::string path = dir.file("cleanup");
    tern::Result<tern::Fd> listener = tern::unix_listen(path, 10, 0600);
    REQUIRE(listener);
    tern::Result<tern::EventBasePtr> base = tern::make_event_base();
    REQUIRE(base);
    Recorder rec;
    auto client = tern::CleanupClient::open(base->get(), path, rec, 50);
    REQUIRE(client);
    CHECK(spin(base->get(), [&] { return !rec.failure.empty(); }));
    CHECK(rec.failure.find("timeout") != std::string::npos);
}
