// tests/unit/postdrop_drop_test.cpp - postdrop's write into maildrop/
#include "tools/postdrop/drop.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "lib/mail/queue_file_writer.h"
#include "lib/mail/queue_id.h"
#include "tests/unit/test_support.h"

namespace {

// A queue-file stream as sendmail writes it, in an unlinked file.
tern::Fd stream(const std::string& content, bool forged_uid) {
    tern::Fd fd = tern_test::temp_fd();
    tern::QueueFileWriter w(std::move(fd), "stream");
    REQUIRE(w.add_arrival(tern_test::at(1, 0)));
    REQUIRE(w.add_sender("s@x"));
    REQUIRE(w.add_envid("e1"));
    REQUIRE(w.add_attribute("rewrite_context", "local"));
    if (forged_uid) REQUIRE(w.add_attribute("submit_uid", "0"));
    REQUIRE(w.add_recipient({.address = "r@y", .notify = tern::kDsnNotifySuccess}));
    REQUIRE(w.add_content(content));
    REQUIRE(w.finish());
    return w.release_fd();
}

std::vector<std::string> names(const tern_test::TempDir& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) out.push_back(e.path().filename());
    return out;
}

}  // namespace

TEST_CASE("postdrop writes a checked copy named by queue ID", "[postdrop]") {
    tern_test::TempDir dir;
    tern::Fd dir_fd{::open(dir.path().c_str(), O_PATH | O_DIRECTORY)};
    const std::string content("Subject: x\r\n\r\n\0\xff body\r\n", 22);
    tern::Fd in = stream(content, true);
    tern::Result<tern::QueueFile> q = tern::read_queue_file(in.get(), "in");
    REQUIRE(q);
    tern::Result<std::string> id = postdrop::drop_message(dir_fd.get(), in.get(), *q, 4242);
    REQUIRE(id);
    CHECK(tern::is_valid_queue_id(*id));
    CHECK(names(dir) == std::vector<std::string>{*id});
    const std::string bytes = tern_test::read_file(dir.file(*id));
    tern::Result<tern::QueueFile> out = tern::parse_queue_file(bytes);
    REQUIRE(out);
    CHECK(out->sender == "s@x");
    CHECK(out->envid == "e1");
    REQUIRE(out->attribute("submit_uid") != nullptr);
    CHECK(*out->attribute("submit_uid") == "4242");
    std::size_t uids = 0;
    for (const auto& a : out->attributes) uids += a.name == "submit_uid";
    CHECK(uids == 1);
    REQUIRE(out->recipients.size() == 1);
    CHECK(out->recipients[0].address == "r@y");
    CHECK(out->recipients[0].notify == tern::kDsnNotifySuccess);
    CHECK(tern::content_from_bytes(bytes, *out) == content);
    struct stat st {};
    REQUIRE(::stat(dir.file(*id).c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);
}

TEST_CASE("postdrop skips a planted link at its temporary name", "[postdrop]") {
    tern_test::TempDir dir;
    tern_test::TempDir elsewhere;
    const std::string target = elsewhere.file("victim");
    tern_test::write_file(target, "keep");
    // Plant links at every name this process could try next.
    for (int n = 0; n < 40; ++n)
        REQUIRE(::symlink(target.c_str(), dir.file("tmp." + std::to_string(::getpid()) + "." + std::to_string(n)).c_str()) == 0);
    tern::Fd dir_fd{::open(dir.path().c_str(), O_PATH | O_DIRECTORY)};
    tern::Fd in = stream("x\r\n", false);
    tern::Result<tern::QueueFile> q = tern::read_queue_file(in.get(), "in");
    REQUIRE(q);
    tern::Result<std::string> id = postdrop::drop_message(dir_fd.get(), in.get(), *q, 1);
    CHECK_FALSE(id);  // every name it tried was taken: refused, nothing followed
    CHECK(tern_test::read_file(target) == "keep");
    CHECK(names(dir).size() == 40);  // the links are not removed either
}

TEST_CASE("postdrop removes its temporary file when the input fails", "[postdrop]") {
    tern_test::TempDir dir;
    tern::Fd dir_fd{::open(dir.path().c_str(), O_PATH | O_DIRECTORY)};
    tern::Fd in = stream(std::string(100000, 'x'), false);
    tern::Result<tern::QueueFile> q = tern::read_queue_file(in.get(), "in");
    REQUIRE(q);
    REQUIRE(::ftruncate(in.get(), 1000) == 0);  // the content is gone after the check
    tern::Result<std::string> id = postdrop::drop_message(dir_fd.get(), in.get(), *q, 1);
    CHECK_FALSE(id);
    CHECK(names(dir).empty());
}
