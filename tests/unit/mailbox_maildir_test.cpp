// tests/unit/mailbox_maildir_test.cpp - deliver_maildir: folders, unique names, content, refusals
#include "lib/mail/mailbox.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

#include "lib/mail/mailbox_content.h"
#include "tests/unit/mailbox_test_support.h"
#include "tests/unit/test_support.h"

namespace {

std::size_t entries(const std::string& dir) {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
    return n;
}

}  // namespace

TEST_CASE("maildir: folders made 0700, message in new/, nothing left in tmp/", "[mailbox]") {
    tern_test::TempDir dir;
    const std::string maildir = dir.file("Maildir/");
    mailbox_test::StoredMessage stored("Subject: x\r\n\r\nFrom here\r\nbare\rcr\r\n\xe9t\xe9\r\n");
    tern::ContentReader reader = stored.reader();
    tern::Result<std::string> name = tern::deliver_maildir(maildir, stored.message(&reader, "Delivered-To: b@x\n"));
    REQUIRE(name);
    CHECK(name->rfind("new/", 0) == 0);
    for (const char* sub : {"", "tmp", "new", "cur"}) {
        struct stat st {};
        REQUIRE(::lstat((maildir + sub).c_str(), &st) == 0);
        CHECK(S_ISDIR(st.st_mode));
        CHECK((st.st_mode & 07777) == 0700);
    }
    CHECK(entries(maildir + "tmp") == 0);
    CHECK(entries(maildir + "new") == 1);
    const std::string path = maildir + *name;
    CHECK(tern_test::read_file(path) == "Delivered-To: b@x\nSubject: x\n\nFrom here\nbare\rcr\n\xe9t\xe9\n");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("maildir: empty content and a path without trailing slash", "[mailbox]") {
    tern_test::TempDir dir;
    mailbox_test::StoredMessage stored("");
    tern::ContentReader reader = stored.reader();
    tern::Result<std::string> name = tern::deliver_maildir(dir.file("md"), stored.message(&reader, "X: y\n"));
    REQUIRE(name);
    CHECK(tern_test::read_file(dir.file("md/") + *name) == "X: y\n");
}

TEST_CASE("maildir: unique names differ within a microsecond and carry pid and host", "[mailbox]") {
    const timeval now = tern_test::at(1700000000, 5);
    std::set<std::string> names;
    for (int i = 0; i < 1000; ++i) names.insert(tern::maildir_unique_name(now));
    CHECK(names.size() == 1000);
    const std::string one = *names.begin();
    CHECK(one.rfind("1700000000.M5P" + std::to_string(::getpid()) + "Q", 0) == 0);
    CHECK(one.find('/') == std::string::npos);
    CHECK(one.find(':') == std::string::npos);

    tern_test::TempDir dir;
    mailbox_test::StoredMessage stored("a\r\n");
    for (int i = 0; i < 20; ++i) {
        tern::ContentReader reader = stored.reader();
        REQUIRE(tern::deliver_maildir(dir.file("md/"), stored.message(&reader)));
    }
    CHECK(entries(dir.file("md/new")) == 20);
}

TEST_CASE("maildir: a symlink where a folder should be is refused", "[mailbox]") {
    tern_test::TempDir dir;
    std::filesystem::create_directories(dir.file("elsewhere"));
    std::filesystem::create_directories(dir.file("md"));
    std::filesystem::create_directory_symlink(dir.file("elsewhere"), dir.file("md/tmp"));
    mailbox_test::StoredMessage stored("a\r\n");
    tern::ContentReader reader = stored.reader();
    tern::Result<std::string> name = tern::deliver_maildir(dir.file("md/"), stored.message(&reader));
    REQUIRE_FALSE(name);
    CHECK(name.error().temporary());
    CHECK(name.error().text.find("md/tmp") != std::string::npos);
    CHECK(entries(dir.file("elsewhere")) == 0);
}

TEST_CASE("maildir: a missing parent directory and a broken queue file are temporary errors", "[mailbox]") {
    tern_test::TempDir dir;
    mailbox_test::StoredMessage stored("a\r\n");
    tern::ContentReader reader = stored.reader();
    tern::Result<std::string> missing = tern::deliver_maildir(dir.file("no/such/md/"), stored.message(&reader));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().temporary());

    std::string big(200'000, 'x');
    mailbox_test::StoredMessage shrinking(big);
    shrinking.shrink_to(100'000);
    tern::ContentReader broken = shrinking.reader();
    tern::Result<std::string> failed = tern::deliver_maildir(dir.file("md/"), shrinking.message(&broken));
    REQUIRE_FALSE(failed);
    CHECK(failed.error().temporary());
    CHECK(failed.error().text.find("error reading message") != std::string::npos);
    CHECK(entries(dir.file("md/tmp")) == 0);
    CHECK(entries(dir.file("md/new")) == 0);
}
