// tests/unit/mailbox_mbox_test.cpp - deliver_mbox: format, truncation on error, dotlock, fcntl lock wait, refusals
#include "lib/mail/mailbox.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>

#include "lib/base/fd.h"
#include "tests/unit/mailbox_test_support.h"
#include "tests/unit/test_support.h"

namespace {

constexpr tern::MboxLocking kFcntlOnly{.dotlock = false, .fcntl_lock = true, .lock_timeout_s = 10};

// Text after the first line (the From line) of `text` at `from`.
std::string after_from_line(const std::string& text, std::size_t from = 0) {
    return text.substr(text.find('\n', from) + 1);
}

// A child that takes an fcntl write lock on `path`, writes `held_text`,
// tells the parent (one byte on the pipe), and keeps the lock until the
// parent writes to `release` or hold_ms pass; then it appends `done_text`.
struct LockHolder {
    pid_t pid = -1;
    tern::Fd locked;   // parent reads one byte when the child holds the lock
    tern::Fd release;  // parent writes one byte to let it go
};

LockHolder start_lock_holder(const std::string& path, int hold_ms) {
    int to_parent[2];
    int to_child[2];
    REQUIRE(::pipe2(to_parent, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(to_child, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        if (fd < 0 || ::fcntl(fd, F_SETLKW, &lock) < 0) ::_exit(1);
        if (::write(fd, "HOLDER-START\n", 13) != 13 || ::write(to_parent[1], "L", 1) != 1) ::_exit(1);
        pollfd wait_for{.fd = to_child[0], .events = POLLIN, .revents = 0};
        (void)::poll(&wait_for, 1, hold_ms);
        if (::write(fd, "HOLDER-END\n", 11) != 11) ::_exit(1);
        ::_exit(0);
    }
    ::close(to_parent[1]);
    ::close(to_child[0]);
    LockHolder holder{pid, tern::Fd(to_parent[0]), tern::Fd(to_child[1])};
    char byte = 0;
    REQUIRE(::read(holder.locked.get(), &byte, 1) == 1);
    return holder;
}

int wait_child(pid_t pid) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("mbox: From line, prefix, quoting, final empty line; messages append", "[mailbox]") {
    tern_test::TempDir dir;
    const std::string path = dir.file("b");
    mailbox_test::StoredMessage first("Subject: one\r\n\r\nFrom me\r\n\xe9\r\n");
    mailbox_test::StoredMessage second("Subject: two\r\n\r\nno end", "");
    tern::ContentReader r1 = first.reader();
    REQUIRE(tern::deliver_mbox(path, first.message(&r1, "Delivered-To: b@x\n"), tern::MboxLocking{}));
    tern::ContentReader r2 = second.reader();
    REQUIRE(tern::deliver_mbox(path, second.message(&r2), tern::MboxLocking{}));
    const std::string text = tern_test::read_file(path);
    REQUIRE(text.rfind("From a@example.com  ", 0) == 0);
    const std::size_t second_start = text.find("\nFrom MAILER-DAEMON  ");
    REQUIRE(second_start != std::string::npos);
    CHECK(after_from_line(text.substr(0, second_start + 1)) == "Delivered-To: b@x\nSubject: one\n\n>From me\n\xe9\n\n");
    CHECK(after_from_line(text, second_start + 1) == "Subject: two\n\nno end\n\n");
    CHECK_FALSE(std::filesystem::exists(path + ".lock"));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("mbox: an error mid message truncates the file back to its old size", "[mailbox]") {
    tern_test::TempDir dir;
    const std::string path = dir.write("b", "From old  Thu Jan  1 00:00:00 1970\nold\n\n");
    const std::string before = tern_test::read_file(path);
    std::string big = "Subject: big\r\n\r\n";
    while (big.size() < 400'000) big += "line of text\r\n";
    mailbox_test::StoredMessage stored(big);
    stored.shrink_to(250'000);  // the reader fails after more than one write buffer went out
    tern::ContentReader reader = stored.reader();
    tern::Status s = tern::deliver_mbox(path, stored.message(&reader, "Delivered-To: b@x\n"), tern::MboxLocking{});
    REQUIRE_FALSE(s);
    CHECK(s.error().temporary());
    CHECK(s.error().text.find("error reading message") != std::string::npos);
    CHECK(tern_test::read_file(path) == before);
    CHECK_FALSE(std::filesystem::exists(path + ".lock"));
}

TEST_CASE("mbox: symlinks, hard links and non-regular files are refused", "[mailbox]") {
    tern_test::TempDir dir;
    const std::string target = dir.write("target", "untouched");
    mailbox_test::StoredMessage stored("a\r\n");
    SECTION("symlink") {
        std::filesystem::create_symlink(target, dir.file("b"));
        tern::ContentReader reader = stored.reader();
        tern::Status s = tern::deliver_mbox(dir.file("b"), stored.message(&reader), kFcntlOnly);
        REQUIRE_FALSE(s);
        CHECK(s.error().text.find("symbolic link") != std::string::npos);
    }
    SECTION("hard link") {
        std::filesystem::create_hard_link(target, dir.file("b"));
        tern::ContentReader reader = stored.reader();
        tern::Status s = tern::deliver_mbox(dir.file("b"), stored.message(&reader), kFcntlOnly);
        REQUIRE_FALSE(s);
        CHECK(s.error().text.find("hard links") != std::string::npos);
    }
    SECTION("fifo") {
        REQUIRE(::mkfifo(dir.file("b").c_str(), 0600) == 0);
        tern::ContentReader reader = stored.reader();
        tern::Status s = tern::deliver_mbox(dir.file("b"), stored.message(&reader), kFcntlOnly);
        REQUIRE_FALSE(s);
    }
    CHECK(tern_test::read_file(target) == "untouched");
}

TEST_CASE("mbox: a stale dotlock is removed, a fresh one makes delivery wait and fail", "[mailbox]") {
    tern_test::TempDir dir;
    const std::string path = dir.file("b");
    const std::string lock = dir.write("b.lock", "");
    mailbox_test::StoredMessage stored("a\r\n");
    SECTION("stale") {
        const timeval old[2] = {tern_test::at(time(nullptr) - tern::kStaleDotlockS - 10, 0),
                                tern_test::at(time(nullptr) - tern::kStaleDotlockS - 10, 0)};
        REQUIRE(::utimes(lock.c_str(), old) == 0);
        tern::ContentReader reader = stored.reader();
        REQUIRE(tern::deliver_mbox(path, stored.message(&reader), {.lock_timeout_s = 2}));
        CHECK_FALSE(std::filesystem::exists(lock));
        CHECK(after_from_line(tern_test::read_file(path)) == "a\n\n");
    }
    SECTION("fresh") {
        const auto start = std::chrono::steady_clock::now();
        tern::ContentReader reader = stored.reader();
        tern::Status s = tern::deliver_mbox(path, stored.message(&reader), {.lock_timeout_s = 1});
        REQUIRE_FALSE(s);
        CHECK(s.error().temporary());
        CHECK(s.error().text.find("cannot lock mailbox") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(900));
        CHECK(std::filesystem::exists(lock));  // someone else's: left alone
        CHECK_FALSE(std::filesystem::exists(path));
    }
}

TEST_CASE("mbox: a process holding the fcntl lock delays delivery until it lets go", "[mailbox]") {
    tern_test::TempDir dir;
    const std::string path = dir.file("b");
    mailbox_test::StoredMessage stored("Subject: x\r\n\r\nbody\r\n");
    LockHolder holder = start_lock_holder(path, 400);
    const auto start = std::chrono::steady_clock::now();
    tern::ContentReader reader = stored.reader();
    REQUIRE(tern::deliver_mbox(path, stored.message(&reader), kFcntlOnly));
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300));
    CHECK(wait_child(holder.pid) == 0);
    const std::string text = tern_test::read_file(path);
    REQUIRE(text.rfind("HOLDER-START\nHOLDER-END\nFrom a@example.com  ", 0) == 0);
    CHECK(after_from_line(text, 24) == "Subject: x\n\nbody\n\n");
}

TEST_CASE("mbox: a lock held past the timeout defers without touching the file", "[mailbox]") {
    tern_test::TempDir dir;
    const std::string path = dir.file("b");
    mailbox_test::StoredMessage stored("a\r\n");
    LockHolder holder = start_lock_holder(path, 20'000);
    tern::ContentReader reader = stored.reader();
    tern::Status s = tern::deliver_mbox(path, stored.message(&reader), {.dotlock = false, .lock_timeout_s = 1});
    REQUIRE_FALSE(s);
    CHECK(s.error().text.find("cannot lock mailbox") != std::string::npos);
    CHECK(::write(holder.release.get(), "R", 1) == 1);
    CHECK(wait_child(holder.pid) == 0);
    CHECK(tern_test::read_file(path) == "HOLDER-START\nHOLDER-END\n");
}
