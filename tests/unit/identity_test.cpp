// tests/unit/identity_test.cpp - ScopedIdentity switches the effective ids and restores them
#include "lib/base/identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lib/base/fd.h"
#include "tests/unit/test_support.h"

namespace {

constexpr uid_t kNobodyUid = 65534;
constexpr gid_t kNogroupGid = 65534;

std::vector<gid_t> groups_now() {
    std::vector<gid_t> groups(static_cast<std::size_t>(::getgroups(0, nullptr)));
    groups.resize(static_cast<std::size_t>(::getgroups(static_cast<int>(groups.size()), groups.data())));
    return groups;
}

}  // namespace

TEST_CASE("switching to one's own ids always succeeds and changes nothing", "[identity]") {
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    {
        tern::ScopedIdentity same(uid, gid);
        CHECK(same.ok());
        CHECK(::geteuid() == uid);
    }
    CHECK(::geteuid() == uid);
    CHECK(::getegid() == gid);
}

TEST_CASE("as root: files are created as the user, root comes back with its groups", "[identity]") {
    if (::geteuid() != 0) {
        tern::ScopedIdentity other(::geteuid() + 1, ::getegid());
        CHECK_FALSE(other.ok());
        CHECK(other.error().temporary());
        return;
    }
    tern_test::TempDir dir;
    REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
    const std::vector<gid_t> groups_before = groups_now();
    const std::string path = dir.file("owned");
    {
        tern::ScopedIdentity as_nobody(kNobodyUid, kNogroupGid);
        REQUIRE(as_nobody.ok());
        CHECK(::geteuid() == kNobodyUid);
        CHECK(::getegid() == kNogroupGid);
        CHECK(::getuid() == 0);  // real id stays root
        CHECK(groups_now() == std::vector<gid_t>{kNogroupGid});
        tern::Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
        REQUIRE(fd.valid());
        // nobody may not write where only root may
        tern::Fd denied{::open("/etc/tern-identity-test", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
        CHECK_FALSE(denied.valid());
    }
    CHECK(::geteuid() == 0);
    CHECK(::getegid() == 0);
    CHECK(groups_now() == groups_before);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(st.st_uid == kNobodyUid);
    CHECK(st.st_gid == kNogroupGid);
    {
        tern::ScopedIdentity again(kNobodyUid, kNogroupGid);  // the next recipient: switch again
        CHECK(again.ok());
        CHECK(::geteuid() == kNobodyUid);
    }
    CHECK(::geteuid() == 0);
}
