// tests/unit/queue_file_writer_test.cpp - writing queue files: argument checks, write errors
#include "lib/mail/queue_file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "tests/unit/test_support.h"

using tern_test::at;
using tern_test::temp_fd;

TEST_CASE("writer refuses what the reader would refuse and stays usable", "[queue_file_writer]") {
    tern::QueueFileWriter w(temp_fd(), "incoming/x");
    CHECK_FALSE(w.finish());  // no arrival, sender or recipient yet
    REQUIRE(w.add_arrival(at(1, 0)));
    CHECK_FALSE(w.add_arrival(at(1, 0)));
    CHECK_FALSE(w.add_sender(std::string_view("a\0b", 3)));
    REQUIRE(w.add_sender("a@b"));
    CHECK_FALSE(w.add_sender("c@d"));
    CHECK_FALSE(w.add_recipient({.address = ""}));
    CHECK_FALSE(w.add_recipient({.address = "x\r\ny"}));
    CHECK_FALSE(w.add_recipient({.address = "x", .notify = 3}));
    CHECK_FALSE(w.add_recipient({.address = "x", .notify = 16}));
    CHECK_FALSE(w.add_recipient({.address = std::string(20000, 'x')}));
    CHECK_FALSE(w.add_attribute("Upper", "x"));
    CHECK_FALSE(w.add_attribute("", "x"));
    CHECK_FALSE(w.add_attribute(std::string(65, 'a'), "x"));
    REQUIRE(w.add_attribute(std::string(64, 'a'), "x"));
    CHECK_FALSE(w.add_attribute(std::string(64, 'a'), "y"));
    CHECK_FALSE(w.add_envid(""));
    REQUIRE(w.add_ret(tern::DsnRet::None));
    REQUIRE(w.add_ret(tern::DsnRet::Full));
    CHECK_FALSE(w.add_ret(tern::DsnRet::Headers));
    CHECK_FALSE(w.finish());  // still no recipient
    REQUIRE(w.add_recipient({.address = "ok@x", .status = tern::RecipientStatus::Done}));
    REQUIRE(w.finish());
    CHECK(w.finished());
    CHECK_FALSE(w.add_content("late"));
    auto file = tern::read_queue_file(w.fd(), "incoming/x");
    REQUIRE(file);
    CHECK(file->recipients.size() == 1);
    CHECK(file->recipients[0].status == tern::RecipientStatus::Done);
    CHECK(file->ret == tern::DsnRet::Full);
}

TEST_CASE("a write error is Temporary, names the file, and sticks", "[queue_file_writer]") {
    char name[] = "/tmp/tern-queue-ro-XXXXXX";
    tern::Fd made{::mkstemp(name)};
    REQUIRE(made.valid());
    tern::Fd read_only{::open(name, O_RDONLY | O_CLOEXEC)};
    ::unlink(name);
    tern::QueueFileWriter w(std::move(read_only), "incoming/ro");
    REQUIRE(w.add_arrival(at(1, 0)));
    REQUIRE(w.add_sender("a@b"));
    REQUIRE(w.add_recipient({.address = "c@d"}));
    auto done = w.finish();
    REQUIRE_FALSE(done);
    CHECK(done.error().temporary());
    CHECK(done.error().text.find("incoming/ro") != std::string::npos);
    CHECK(done.error().errno_value == EBADF);
    CHECK_FALSE(w.add_content("x"));
    CHECK(w.add_content("x").error().temporary());
}
