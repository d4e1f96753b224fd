// tests/unit/cleanup_message_test.cpp - cleanup/message.h: a whole message into its queue file
#include "cleanup/message.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <utility>

#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/queue_file.h"
#include "test_support.h"

namespace {

struct Fixture {
    tern_test::TempDir dir;
    cleanup::Settings settings;
    std::string incoming;

    Fixture() : incoming(dir.file("incoming")) {
        REQUIRE(::mkdir(incoming.c_str(), 0700) == 0);
        settings.myhostname = "mx.example";
        settings.myorigin = "example.org";
    }

    cleanup::Message make() {
        tern::Result<cleanup::NewQueueFile> f = cleanup::create_queue_file(incoming);
        REQUIRE(f);
        return cleanup::Message(settings, std::move(*f));
    }

    static cleanup::Envelope remote(unsigned flags = tern::kCleanupFlagsDefault) {
        cleanup::Envelope e;
        e.sender = "s@example.com";
        e.flags = flags;
        e.client_name = "c.example";
        e.client_address = "192.0.2.1";
        e.protocol = "ESMTP";
        e.attributes = {{"client_address", "192.0.2.1"}};
        return e;
    }
};

tern::QueueFile parsed(const std::string& path) {
    tern::Result<tern::QueueFile> q = tern::parse_queue_file(tern_test::read_file(path));
    REQUIRE(q);
    return std::move(*q);
}

}  // namespace

TEST_CASE("message: envelope, recipients after content, content byte-exact", "[cleanup]") {
    Fixture fx;
    cleanup::Message m = fx.make();
    const std::string path = m.temp().path();
    REQUIRE(m.start(Fixture::remote(0)));
    m.add_recipient({.address = "r@example.net", .orcpt = "rfc822;r@example.net", .notify = 4});
    m.add_recipient({.address = "r@example.net", .orcpt = "rfc822;r@example.net", .notify = 4});
    const std::string content = "Subject: x\r\n\r\n\x00\xff body\r\n";
    m.add_content(std::string_view(content.data(), 3));
    m.add_content(std::string_view(content.data() + 3, content.size() - 3));
    const cleanup::Outcome o = m.finish();
    CHECK(o.verdict == cleanup::Verdict::Queue);
    const std::string bytes = tern_test::read_file(path);
    const tern::QueueFile q = parsed(path);
    CHECK(q.sender == "s@example.com");
    REQUIRE(q.recipients.size() == 1);
    CHECK(q.recipients[0].orcpt == "rfc822;r@example.net");
    CHECK(q.recipients[0].notify == 4);
    const std::string stored = tern::content_from_bytes(bytes, q);
    CHECK(stored.rfind("Received: from c.example (c.example [192.0.2.1])", 0) == 0);
    CHECK(stored.substr(stored.find("\r\n", stored.find("; ")) + 2) == content);
}

TEST_CASE("message: size limit, hop count and no content at all", "[cleanup]") {
    Fixture fx;
    fx.settings.message_size_limit = 300;
    {
        cleanup::Message m = fx.make();
        REQUIRE(m.start(Fixture::remote()));
        m.add_recipient({.address = "r@x"});
        m.add_content(std::string(400, 'a'));
        const cleanup::Outcome o = m.finish();
        CHECK(o.verdict == cleanup::Verdict::Reject);
        CHECK(o.reason == cleanup::kTooBigReply);
    }
    fx.settings.message_size_limit = 0;
    fx.settings.hopcount_limit = 3;
    {
        cleanup::Message m = fx.make();
        REQUIRE(m.start(Fixture::remote()));
        m.add_recipient({.address = "r@x"});
        m.add_content("Received: a\r\nReceived: b\r\n\r\n");  // with ours: 3, the limit
        CHECK(m.finish().reason == cleanup::kTooManyHopsReply);
    }
    {
        cleanup::Message m = fx.make();
        REQUIRE(m.start(Fixture::remote()));
        m.add_recipient({.address = "r@x"});
        m.add_content("Received: a\r\n\r\n");  // one below the limit
        CHECK(m.finish().verdict == cleanup::Verdict::Queue);
    }
    {
        cleanup::Message m = fx.make();
        const std::string path = m.temp().path();
        REQUIRE(m.start(Fixture::remote()));
        m.add_recipient({.address = "r@x"});
        CHECK(m.finish().verdict == cleanup::Verdict::Queue);
        const std::string bytes = tern_test::read_file(path);
        const std::string stored = tern::content_from_bytes(bytes, parsed(path));
        CHECK(stored.find("\r\nMessage-Id: <") != std::string::npos);
        CHECK(stored.find("\r\nFrom: s@example.com\r\n") != std::string::npos);
    }
}

TEST_CASE("message: header_checks REDIRECT, IGNORE, REPLACE and HOLD", "[cleanup]") {
    Fixture fx;
    tern::Result<tern::TablePtr> t = tern::parse_regexp_table(
        "/^X-Redirect:/ REDIRECT other@example.net\n/^X-Drop:/ IGNORE\n/^X-Old:/ REPLACE X-New: 1\n"
        "/^X-Hold:/ HOLD\n",
        "test");
    REQUIRE(t);
    fx.settings.header_checks.push_back(std::move(*t));
    cleanup::Message m = fx.make();
    const std::string path = m.temp().path();
    REQUIRE(m.start(Fixture::remote(tern::kCleanupFlagHeaderChecks)));
    m.add_recipient({.address = "r1@x"});
    m.add_recipient({.address = "r2@x"});
    m.add_content("X-Redirect: y\r\nX-Drop: y\r\nX-Old: y\r\nX-Hold: y\r\n\r\nb\r\n");
    CHECK(m.finish().verdict == cleanup::Verdict::Hold);
    const std::string bytes = tern_test::read_file(path);
    const tern::QueueFile q = parsed(path);
    REQUIRE(q.recipients.size() == 1);
    CHECK(q.recipients[0].address == "other@example.net");
    const std::string stored = tern::content_from_bytes(bytes, q);
    CHECK(stored.find("X-Drop") == std::string::npos);
    CHECK(stored.find("X-New: 1\r\nX-Hold: y\r\n\r\nb\r\n") != std::string::npos);
}

TEST_CASE("message: a write error defers", "[cleanup]") {
    Fixture fx;
    tern::Result<cleanup::NewQueueFile> f = cleanup::create_queue_file(fx.incoming);
    REQUIRE(f);
    f->fd = tern::Fd(::open("/dev/full", O_WRONLY | O_CLOEXEC));
    REQUIRE(f->fd);
    cleanup::Message m(fx.settings, std::move(*f));
    REQUIRE(m.start(Fixture::remote()));
    m.add_recipient({.address = "r@x"});
    m.add_content(std::string(200000, 'b'));
    const cleanup::Outcome o = m.finish();
    CHECK(o.verdict == cleanup::Verdict::Defer);
    CHECK(o.reason == cleanup::kWriteErrorReply);
}

TEST_CASE("message: the temporary file goes with its name, and is never a queue ID", "[cleanup]") {
    Fixture fx;
    std::string path;
    {
        tern::Result<cleanup::NewQueueFile> f = cleanup::create_queue_file(fx.incoming);
        REQUIRE(f);
        path = f->temp.path();
        CHECK(std::filesystem::path(path).filename().string().find('.') != std::string::npos);
        CHECK(std::filesystem::exists(path));
    }
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("message: temporary files of dead cleanup processes are removed, others kept", "[cleanup]") {
    Fixture fx;
    const std::string dead = fx.dir.write("incoming/tmp.cleanup.1073741000.1", "x");  // above any pid_max
    const std::string mine = fx.dir.write("incoming/tmp.cleanup." + std::to_string(::getpid()) + ".1", "x");
    const std::string other = fx.dir.write("incoming/1xVjqc1QLqkZsY", "x");
    const std::string odd = fx.dir.write("incoming/tmp.cleanup.x.1", "x");
    CHECK(cleanup::remove_stale_temp_files(fx.incoming) == 1);
    CHECK_FALSE(std::filesystem::exists(dead));
    CHECK(std::filesystem::exists(mine));
    CHECK(std::filesystem::exists(other));
    CHECK(std::filesystem::exists(odd));
}
