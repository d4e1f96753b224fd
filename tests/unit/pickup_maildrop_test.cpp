// tests/unit/pickup_maildrop_test.cpp - pickup's checks on maildrop entries
#include "pickup/maildrop.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "tests/unit/test_support.h"

namespace {

tern::Fd open_dir(const std::string& path) {
    tern::Fd fd{::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    REQUIRE(fd);
    return fd;
}

}  // namespace

TEST_CASE("classify_name: dotted names are never taken; old tmp files go", "[pickup]") {
    const std::time_t now = 1'700'000'000;
    using pickup::NameAction;
    CHECK(pickup::classify_name("4Xb2kQ1Zz3z9v", now, now) == NameAction::Take);
    CHECK(pickup::classify_name("anything", now - 10 * pickup::kStaleTempSeconds, now) == NameAction::Take);
    CHECK(pickup::classify_name("", now, now) == NameAction::Skip);
    CHECK(pickup::classify_name(".", 0, now) == NameAction::Skip);
    CHECK(pickup::classify_name("..", 0, now) == NameAction::Skip);
    CHECK(pickup::classify_name("tmp.123.0", now, now) == NameAction::Skip);
    CHECK(pickup::classify_name("tmp.123.0", now - pickup::kStaleTempSeconds, now) == NameAction::Skip);
    CHECK(pickup::classify_name("tmp.123.0", now - pickup::kStaleTempSeconds - 1, now) == NameAction::RemoveStale);
    CHECK(pickup::classify_name("other.x", 0, now) == NameAction::Skip);
    CHECK(pickup::classify_name("tmp", 0, now) == NameAction::Take);
}

TEST_CASE("list_names: sorted, without . and .., at most max", "[pickup]") {
    tern_test::TempDir dir;
    (void)dir.write("b", "");
    (void)dir.write("a", "");
    (void)dir.write("tmp.1.0", "");
    const tern::Fd fd = open_dir(dir.file(""));
    auto names = pickup::list_names(fd.get(), 100);
    REQUIRE(names);
    CHECK(*names == std::vector<std::string>{"a", "b", "tmp.1.0"});
    auto two = pickup::list_names(fd.get(), 2);
    REQUIRE(two);
    CHECK(two->size() == 2);
    auto again = pickup::list_names(fd.get(), 100);  // the descriptor is reusable
    REQUIRE(again);
    CHECK(again->size() == 3);
}

TEST_CASE("open_maildrop_file refuses links, FIFOs, folders and hard links", "[pickup]") {
    tern_test::TempDir dir;
    (void)dir.write("good", "x");
    (void)dir.write("linked", "x");
    REQUIRE(::link(dir.file("linked").c_str(), dir.file("second").c_str()) == 0);
    REQUIRE(::symlink(dir.file("good").c_str(), dir.file("sym").c_str()) == 0);
    REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0600) == 0);
    REQUIRE(::mkdir(dir.file("sub").c_str(), 0700) == 0);
    const tern::Fd fd = open_dir(dir.file(""));

    auto good = pickup::open_maildrop_file(fd.get(), "good");
    REQUIRE(good);
    CHECK(good->st.st_size == 1);
    for (const char* bad : {"linked", "sym", "fifo", "sub"}) {
        auto refused = pickup::open_maildrop_file(fd.get(), bad);
        REQUIRE_FALSE(refused);
        CHECK_FALSE(refused.error().temporary());
        CHECK(refused.error().text.find(std::string("maildrop/") + bad) != std::string::npos);
    }
    auto gone = pickup::open_maildrop_file(fd.get(), "missing");
    REQUIRE_FALSE(gone);
    CHECK(gone.error().temporary());
    CHECK(gone.error().errno_value == ENOENT);
}

TEST_CASE("move_to_corrupt keeps an older file of the same name", "[pickup]") {
    tern_test::TempDir dir;
    REQUIRE(::mkdir(dir.file("maildrop").c_str(), 0700) == 0);
    REQUIRE(::mkdir(dir.file("corrupt").c_str(), 0700) == 0);
    tern_test::write_file(dir.file("maildrop/X"), "new");
    tern_test::write_file(dir.file("corrupt/X"), "old");
    REQUIRE(::symlink("/etc/passwd", dir.file("maildrop/L").c_str()) == 0);
    const tern::Fd maildrop = open_dir(dir.file("maildrop"));
    const tern::Fd corrupt = open_dir(dir.file("corrupt"));
    REQUIRE(pickup::move_to_corrupt(maildrop.get(), corrupt.get(), "X"));
    REQUIRE(pickup::move_to_corrupt(maildrop.get(), corrupt.get(), "L"));
    CHECK(tern_test::read_file(dir.file("corrupt/X")) == "old");
    CHECK(tern_test::read_file(dir.file("corrupt/X-1")) == "new");
    struct stat st {};
    REQUIRE(::lstat(dir.file("corrupt/L").c_str(), &st) == 0);
    CHECK(S_ISLNK(st.st_mode));
    CHECK_FALSE(pickup::move_to_corrupt(maildrop.get(), corrupt.get(), "X"));
    CHECK(pickup::entry_mtime(corrupt.get(), "L").has_value());
    CHECK_FALSE(pickup::entry_mtime(maildrop.get(), "L").has_value());
}
