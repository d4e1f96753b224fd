// tests/unit/pickup_cleanup_client_test.cpp - pickup's side of the cleanup protocol, against a fake
#include "pickup/cleanup_client.h"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "lib/base/unix_socket.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/queue_file_writer.h"
#include "tests/unit/test_support.h"

namespace {

constexpr int kTimeoutMs = 5000;

struct Fake {
    tern::AttrList greeting;
    tern::AttrList verdict;
    std::vector<tern::AttrList> received;
};

// Plays cleanup on `fd`: greeting, read until request=end, verdict.
void play_cleanup(int fd, Fake& fake) {
    (void)tern::write_attr_message(fd, fake.greeting, kTimeoutMs);
    for (;;) {
        tern::Result<tern::AttrList> m = tern::read_attr_message(fd, tern::AttrLimits{}, kTimeoutMs);
        if (!m) return;
        fake.received.push_back(*m);
        if (m->get("request") == std::optional<std::string_view>("end")) break;
    }
    if (!fake.verdict.empty()) (void)tern::write_attr_message(fd, fake.verdict, kTimeoutMs);
}

tern::AttrList reply(std::string_view status, std::string_view id, std::string_view reason) {
    tern::AttrList r;
    r.add("status", status);
    if (!id.empty()) r.add("queue_id", id);
    if (!reason.empty()) r.add("reason", reason);
    return r;
}

}  // namespace

TEST_CASE("parse_cleanup_reply: verdicts and protocol errors", "[pickup]") {
    auto ok = pickup::parse_cleanup_reply(reply("0", "4Xb2kQ1Zz3z9v", "250 2.0.0 Ok: queued as 4Xb2kQ1Zz3z9v"));
    REQUIRE(ok);
    CHECK(ok->verdict == pickup::CleanupVerdict::Queued);
    CHECK(ok->queue_id == "4Xb2kQ1Zz3z9v");
    auto deferred = pickup::parse_cleanup_reply(reply("451", "", "451 4.3.0 Error: queue file write error"));
    REQUIRE(deferred);
    CHECK(deferred->verdict == pickup::CleanupVerdict::Deferred);
    auto rejected = pickup::parse_cleanup_reply(reply("550", "", "550 5.7.1 no\r\nthanks"));
    REQUIRE(rejected);
    CHECK(rejected->verdict == pickup::CleanupVerdict::Rejected);
    CHECK(rejected->reason == "550 5.7.1 no??thanks");
    CHECK_FALSE(pickup::parse_cleanup_reply(reply("0", "", "")));        // queued without an ID
    CHECK_FALSE(pickup::parse_cleanup_reply(reply("200", "X", "")));
    CHECK_FALSE(pickup::parse_cleanup_reply(reply("abc", "X", "")));
    CHECK_FALSE(pickup::parse_cleanup_reply(reply("0", "../etc", "")));  // not a queue ID
    tern::AttrList extra = reply("0", "4Xb2kQ1Zz3z9v", "");
    extra.add("surprise", "1");
    CHECK_FALSE(pickup::parse_cleanup_reply(extra));
    CHECK(pickup::verdict_of(499) == pickup::CleanupVerdict::Deferred);
    CHECK(pickup::verdict_of(599) == pickup::CleanupVerdict::Rejected);
    CHECK_FALSE(pickup::verdict_of(600).has_value());
    CHECK_FALSE(pickup::verdict_of(-1).has_value());
}

TEST_CASE("a message goes to cleanup as envelope, recipients, content chunks, end", "[pickup]") {
    auto pair = tern::unix_socketpair();
    REQUIRE(pair);
    Fake fake{reply("0", "4Xb2kQ1Zz3z9v", ""), reply("0", "4Xb2kQ1Zz3z9v", "250 2.0.0 Ok: queued as 4Xb2kQ1Zz3z9v"), {}};
    std::thread server(play_cleanup, pair->second.get(), std::ref(fake));

    // Content just over one chunk, so it needs two content requests.
    std::string content(tern::kCleanupMaxChunkBytes + 10, 'x');
    content.replace(0, 4, "a\r\n\0", 4);
    tern::QueueFileWriter w(tern_test::temp_fd(), "maildrop/ID");
    REQUIRE(w.add_arrival(tern_test::at(1, 0)));
    REQUIRE(w.add_sender("s@x"));
    REQUIRE(w.add_recipient({.address = "r@x"}));
    REQUIRE(w.add_content(content));
    REQUIRE(w.finish());
    tern::Fd file_fd = w.release_fd();
    auto file = tern::read_queue_file(file_fd.get(), "maildrop/ID");
    REQUIRE(file);

    pickup::CleanupClient client(std::move(pair->first), kTimeoutMs);
    auto id = client.greeting();
    REQUIRE(id);
    CHECK(*id == "4Xb2kQ1Zz3z9v");
    tern::AttrList env;
    env.add("request", "envelope").add("sender", "s@x");
    REQUIRE(client.send(env));
    tern::ContentReader reader(file_fd.get(), *file);
    REQUIRE(client.send_content(reader));
    auto verdict = client.finish();
    server.join();
    REQUIRE(verdict);
    CHECK(verdict->verdict == pickup::CleanupVerdict::Queued);
    REQUIRE(fake.received.size() == 4);
    CHECK(fake.received[0] == env);
    std::string got;
    for (int i : {1, 2}) {
        CHECK(fake.received[i].get("request") == std::optional<std::string_view>("content"));
        got += std::string(*fake.received[i].get("data"));
    }
    CHECK(got == content);
    CHECK(fake.received[3].get("request") == std::optional<std::string_view>("end"));
}

TEST_CASE("cleanup that refuses at greeting or closes early is Temporary", "[pickup]") {
    {
        auto pair = tern::unix_socketpair();
        REQUIRE(pair);
        REQUIRE(tern::write_attr_message(pair->second.get(), reply("451", "", "451 4.3.0 Error: queue file write error"),
                                         kTimeoutMs));
        pickup::CleanupClient client(std::move(pair->first), kTimeoutMs);
        auto id = client.greeting();
        REQUIRE_FALSE(id);
        CHECK(id.error().temporary());
        CHECK(id.error().text.find("451 4.3.0") != std::string::npos);
    }
    {
        auto pair = tern::unix_socketpair();
        REQUIRE(pair);
        Fake fake{reply("0", "4Xb2kQ1Zz3z9v", ""), {}, {}};  // no verdict: closes after end
        std::thread server(play_cleanup, pair->second.get(), std::ref(fake));
        pickup::CleanupClient client(std::move(pair->first), kTimeoutMs);
        REQUIRE(client.greeting());
        auto verdict = client.finish();
        server.join();
        pair->second.reset();
        REQUIRE_FALSE(verdict);
        CHECK(verdict.error().temporary());
    }
}

TEST_CASE("a silent cleanup costs one timeout", "[pickup]") {
    auto pair = tern::unix_socketpair();
    REQUIRE(pair);
    pickup::CleanupClient client(std::move(pair->first), 100);
    auto id = client.greeting();
    REQUIRE_FALSE(id);
    CHECK(id.error().temporary());
}

TEST_CASE("connect to a missing socket is Temporary", "[pickup]") {
    tern_test::TempDir dir;
    auto client = pickup::CleanupClient::connect(dir.file("public/cleanup"), 100);
    REQUIRE_FALSE(client);
}
