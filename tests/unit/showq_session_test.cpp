// tests/unit/showq_session_test.cpp - showq sessions: whole listing, slow reader, timeout (showq/session.h)
#include "showq/session.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lib/base/unix_socket.h"
#include "lib/mail/queue_file_writer.h"
#include "lib/mail/queue_id.h"
#include "tests/unit/fake_server_context.h"
#include "tests/unit/test_support.h"

namespace {

// A queue with `count` messages in incoming/, each with 8 recipients.
void fill_queue(const tern_test::TempDir& dir, int count) {
    for (const char* name : {"maildrop", "incoming", "active", "deferred", "hold"})
        REQUIRE(::mkdir(dir.file(name).c_str(), 0700) == 0);
    for (int n = 0; n < count; ++n) {
        const std::string id = tern::QueueId::make(tern_test::at(1795503126, n), 1000 + n).str();
        const std::string path = dir.file("incoming/" + id);
        tern::Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        REQUIRE(fd.get() >= 0);
        tern::QueueFileWriter writer(std::move(fd), path);
        REQUIRE(writer.add_arrival(tern_test::at(1795503126, n)));
        REQUIRE(writer.add_sender("sender@example.com"));
        for (int r = 0; r < 8; ++r)
            REQUIRE(writer.add_recipient({.address = "recipient-" + std::to_string(r) + "@example.net"}));
        REQUIRE(writer.add_content("Subject: x\r\n\r\nbody\r\n"));
        REQUIRE(writer.finish());
    }
}

struct Harness {
    tern::EventBasePtr base;
    std::unique_ptr<tern_test::FakeServerContext> context;
    std::unique_ptr<showq::Service> service;
    tern::Fd client;

    Harness(const std::string& queue_directory, long long timeout_ms) {
        tern::Result<tern::EventBasePtr> made = tern::make_event_base();
        REQUIRE(made);
        base = std::move(*made);
        context = std::make_unique<tern_test::FakeServerContext>(base.get(), "showq");
        service = std::make_unique<showq::Service>(
            *context, showq::Settings{.queue_directory = queue_directory, .timeout_ms = timeout_ms, .limits = {}});
        tern::Result<std::pair<tern::Fd, tern::Fd>> pair = tern::unix_socketpair();
        REQUIRE(pair);
        const int small = 4096;
        REQUIRE(::setsockopt(pair->first.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small) == 0);
        REQUIRE(::setsockopt(pair->second.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
        REQUIRE(tern::set_nonblocking(pair->second.get()));
        REQUIRE(tern::set_nonblocking(pair->first.get()));
        client = std::move(pair->first);
        service->accept(std::move(pair->second));
    }

    void spin(int rounds) {
        for (int i = 0; i < rounds; ++i) event_base_loop(base.get(), EVLOOP_NONBLOCK);
    }

    // Reads until showq closes, running the loop in between.
    std::string read_all() {
        std::string bytes;
        char buffer[8192];
        for (int rounds = 0; rounds < 1'000'000; ++rounds) {
            spin(1);
            const ssize_t n = ::recv(client.get(), buffer, sizeof buffer, 0);
            if (n == 0) return bytes;
            if (n > 0) bytes.append(buffer, static_cast<std::size_t>(n));
        }
        FAIL("showq never closed the connection");
        return bytes;
    }
};

std::vector<tern::ListedMessage> assemble(std::string_view wire, bool& complete) {
    tern::AttrDecoder decoder;
    tern::ListingAssembler assembler;
    std::vector<tern::ListedMessage> out;
    while (!wire.empty()) {
        tern::Result<std::size_t> used = decoder.feed(wire);
        REQUIRE(used);
        wire.remove_prefix(*used);
        if (std::optional<tern::AttrList> record = decoder.take_message()) {
            auto message = assembler.feed(*record);
            REQUIRE(message);
            if (*message) out.push_back(std::move(**message));
        }
    }
    complete = assembler.done();
    return out;
}

}  // namespace

TEST_CASE("showq session streams a large listing to a reader that stalls first", "[showq]") {
    tern_test::TempDir dir;
    fill_queue(dir, 600);  // far more than kHighWaterBytes of records
    Harness harness(dir.path().string(), 10'000);
    harness.spin(50);  // the client reads nothing yet: the session must wait, not fail
    CHECK(harness.context->done == 0);
    bool complete = false;
    const std::vector<tern::ListedMessage> listed = assemble(harness.read_all(), complete);
    CHECK(complete);
    CHECK(listed.size() == 600);
    CHECK(listed.front().recipients.size() == 8);
    CHECK(harness.context->done == 1);
}

TEST_CASE("showq session: an empty queue is just the end record", "[showq]") {
    tern_test::TempDir dir;
    fill_queue(dir, 0);
    Harness harness(dir.path().string(), 10'000);
    bool complete = false;
    CHECK(assemble(harness.read_all(), complete).empty());
    CHECK(complete);
    CHECK(harness.context->done == 1);
}

TEST_CASE("showq session drops a client that stops reading past the timeout", "[showq]") {
    tern_test::TempDir dir;
    fill_queue(dir, 600);
    Harness harness(dir.path().string(), 50);
    for (int i = 0; i < 200 && harness.context->done == 0; ++i) event_base_loop(harness.base.get(), EVLOOP_ONCE);
    CHECK(harness.context->done == 1);
}

TEST_CASE("showq session ends quietly when the client goes away", "[showq]") {
    tern_test::TempDir dir;
    fill_queue(dir, 600);
    Harness harness(dir.path().string(), 10'000);
    harness.client.reset();
    for (int i = 0; i < 200 && harness.context->done == 0; ++i) event_base_loop(harness.base.get(), EVLOOP_ONCE);
    CHECK(harness.context->done == 1);
}
