// tests/unit/queue_layout_test.cpp - lib/mail/queue_layout: create, warn, refuse links
//
// Runs in a fresh directory under /tmp. As root it also checks owners, with
// nobody:nogroup standing in for mail_owner:setgid_group (they exist on
// every Debian system); as anyone else only modes are set and checked.
#include "lib/mail/queue_layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "lib/base/account.h"
#include "lib/base/fd.h"
#include "tests/unit/test_support.h"

using namespace tern;
namespace fs = std::filesystem;
using tern_test::TempDir;

namespace {

QueueLayout layout_in(const fs::path& queue) { return QueueLayout{queue.string(), "nobody", "nogroup"}; }

struct stat stat_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st;
}

bool has_warning(const std::vector<std::string>& warnings, const std::string& text) {
    return std::find(warnings.begin(), warnings.end(), text) != warnings.end();
}

}  // namespace

TEST_CASE("check_queue_layout creates every missing folder with its mode and owner", "[queue_layout]") {
    TempDir temp;
    const fs::path queue = temp.path() / "spool" / "tern";
    std::vector<std::string> warnings;
    REQUIRE(check_queue_layout(layout_in(queue), true, warnings));
    CHECK(warnings.empty());

    CHECK((stat_of(queue).st_mode & 07777) == 0755);
    for (const QueueDirSpec& spec : kQueueDirs) {
        INFO(spec.name);
        const struct stat st = stat_of(queue / std::string(spec.name));
        CHECK(S_ISDIR(st.st_mode));
        CHECK((st.st_mode & 07777) == spec.mode);
    }
    if (::geteuid() == 0) {
        const auto nobody = lookup_account("nobody");
        const auto nogroup = lookup_group("nogroup");
        REQUIRE(nobody);
        REQUIRE(nogroup);
        CHECK(stat_of(queue).st_uid == 0);
        CHECK(stat_of(queue / "pid").st_uid == 0);
        CHECK(stat_of(queue / "incoming").st_uid == nobody->uid);
        CHECK(stat_of(queue / "private").st_uid == nobody->uid);
        CHECK(stat_of(queue / "maildrop").st_uid == nobody->uid);
        CHECK(stat_of(queue / "maildrop").st_gid == *nogroup);
        CHECK(stat_of(queue / "public").st_gid == *nogroup);
    }

    // A second run finds everything in order.
    REQUIRE(check_queue_layout(layout_in(queue), true, warnings));
    CHECK(warnings.empty());
}

TEST_CASE("check_queue_layout warns about a wrong mode and does not fix it", "[queue_layout]") {
    TempDir temp;
    const fs::path queue = temp.path() / "queue";
    std::vector<std::string> warnings;
    REQUIRE(check_queue_layout(layout_in(queue), true, warnings));
    REQUIRE(::chmod((queue / "hold").c_str(), 0755) == 0);
    REQUIRE(::chmod((queue / "pid").c_str(), 0775) == 0);

    REQUIRE(check_queue_layout(layout_in(queue), true, warnings));
    CHECK(has_warning(warnings, "wrong mode 0755, expected 0700: " + (queue / "hold").string()));
    CHECK(has_warning(warnings, "group or other writable: " + (queue / "pid").string()));
    CHECK(warnings.size() == 2);
    CHECK((stat_of(queue / "hold").st_mode & 07777) == 0755);
}

TEST_CASE("check_queue_layout warns about wrong owners when run as root", "[queue_layout]") {
    if (::geteuid() != 0) return;  // only root can give a folder away
    TempDir temp;
    const fs::path queue = temp.path() / "queue";
    std::vector<std::string> warnings;
    REQUIRE(check_queue_layout(layout_in(queue), true, warnings));
    REQUIRE(::chown((queue / "incoming").c_str(), 0, 0) == 0);
    REQUIRE(::chown((queue / "public").c_str(), static_cast<uid_t>(-1), 0) == 0);
    const auto nobody = lookup_account("nobody");
    REQUIRE(nobody);
    REQUIRE(::chown((queue / "pid").c_str(), nobody->uid, static_cast<gid_t>(-1)) == 0);

    REQUIRE(check_queue_layout(layout_in(queue), true, warnings));
    CHECK(has_warning(warnings, "not owned by nobody: " + (queue / "incoming").string()));
    CHECK(has_warning(warnings, "not owned by group nogroup: " + (queue / "public").string()));
    CHECK(has_warning(warnings, "not owned by root: " + (queue / "pid").string()));
    CHECK(warnings.size() == 3);
}

TEST_CASE("check_queue_layout refuses a symbolic link or a file in place of a folder", "[queue_layout]") {
    TempDir temp;
    const fs::path queue = temp.path() / "queue";
    std::vector<std::string> warnings;
    REQUIRE(check_queue_layout(layout_in(queue), true, warnings));

    fs::remove(queue / "deferred");
    fs::create_directory_symlink(temp.path(), queue / "deferred");
    auto linked = check_queue_layout(layout_in(queue), true, warnings);
    REQUIRE_FALSE(linked);
    CHECK(linked.error().text == "symbolic link in the queue, refused: " + (queue / "deferred").string());

    fs::remove(queue / "deferred");
    { Fd file{::open((queue / "deferred").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)}; }
    auto plain = check_queue_layout(layout_in(queue), true, warnings);
    REQUIRE_FALSE(plain);
    CHECK(plain.error().text == "not a directory: " + (queue / "deferred").string());
}

TEST_CASE("check_queue_layout without create_missing reports what is missing", "[queue_layout]") {
    TempDir temp;
    const fs::path queue = temp.path() / "queue";
    std::vector<std::string> warnings;
    auto absent = check_queue_layout(layout_in(queue), false, warnings);
    REQUIRE_FALSE(absent);
    CHECK(absent.error().text == "missing queue directory: " + queue.string());
    CHECK_FALSE(fs::exists(queue));

    REQUIRE(check_queue_layout(layout_in(queue), true, warnings));
    fs::remove(queue / "bounce");
    auto one_gone = check_queue_layout(layout_in(queue), false, warnings);
    REQUIRE_FALSE(one_gone);
    CHECK(one_gone.error().text == "missing queue directory: " + (queue / "bounce").string());
    CHECK(warnings.empty());
}

TEST_CASE("check_queue_layout refuses a relative or empty queue_directory and unknown accounts", "[queue_layout]") {
    std::vector<std::string> warnings;
    CHECK_FALSE(check_queue_layout(QueueLayout{"", "nobody", "nogroup"}, true, warnings));
    CHECK_FALSE(check_queue_layout(QueueLayout{"spool/tern", "nobody", "nogroup"}, true, warnings));
    if (::geteuid() != 0) return;
    TempDir temp;
    auto user = check_queue_layout(QueueLayout{temp.path().string(), "no-such-user-x", "nogroup"}, true, warnings);
    REQUIRE_FALSE(user);
    CHECK(user.error().text == "mail_owner: unknown user: no-such-user-x");
    auto group = check_queue_layout(QueueLayout{temp.path().string(), "nobody", "no-such-group-x"}, true, warnings);
    REQUIRE_FALSE(group);
    CHECK(group.error().text == "setgid_group: unknown group: no-such-group-x");
    auto root = check_queue_layout(QueueLayout{temp.path().string(), "root", "nogroup"}, true, warnings);
    REQUIRE_FALSE(root);
    CHECK(warnings.empty());
}
