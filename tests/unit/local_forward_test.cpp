// tests/unit/local_forward_test.cpp - local/forward: forward_path and .forward trust checks
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "local/forward.h"

TEST_CASE("forward_paths expands and splits forward_path", "[local]") {
    const local::MacroValues v{{"home", "/home/j"}, {"recipient_delimiter", "+"}, {"extension", "x"}};
    const auto p = local::forward_paths("$home/.forward${recipient_delimiter}${extension}, $home/.forward", v);
    REQUIRE(p.size() == 2);
    CHECK(p[0] == "/home/j/.forward+x");
    CHECK(p[1] == "/home/j/.forward");
    CHECK(local::forward_paths("", v).empty());
}

TEST_CASE("forward_file_problem", "[local]") {
    struct stat st {};
    st.st_mode = S_IFREG | 0644;
    st.st_uid = 1000;
    CHECK(!local::forward_file_problem(st, 1000));
    st.st_uid = 0;
    CHECK(!local::forward_file_problem(st, 1000));
    st.st_uid = 1001;
    CHECK(local::forward_file_problem(st, 1000) == "bad owner uid 1001");
    st.st_uid = 1000;
    st.st_mode = S_IFREG | 0646;
    CHECK(local::forward_file_problem(st, 1000) == "world writable");
    st.st_mode = S_IFREG | 0664;
    CHECK(local::forward_file_problem(st, 1000) == "group writable");
    st.st_mode = S_IFDIR | 0755;
    CHECK(local::forward_file_problem(st, 1000) == "not a regular file");
}

TEST_CASE("read_forward takes the first usable file", "[local]") {
    char dir[] = "/tmp/tern-local-fwd-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    const std::string base = dir;
    local::UserAccount me{"me", ::geteuid(), ::getegid(), base, "/bin/sh"};
    { std::ofstream(base + "/.forward") << "joe\n"; }
    ::chmod((base + "/.forward").c_str(), 0644);
    auto f = local::read_forward({base + "/.forward+x", base + "/.forward"}, me);
    REQUIRE(f);
    REQUIRE(*f);
    CHECK((*f)->text == "joe\n");
    ::chmod((base + "/.forward").c_str(), 0666);
    auto refused = local::read_forward({base + "/.forward"}, me);
    REQUIRE(refused);
    CHECK(!*refused);
    ::symlink((base + "/.forward").c_str(), (base + "/link").c_str());
    ::chmod((base + "/.forward").c_str(), 0644);
    auto link = local::read_forward({base + "/link"}, me);
    REQUIRE(link);
    CHECK(!*link);
    auto include = local::read_include(base + "/.forward", me.uid, me.gid);
    REQUIRE(include);
    CHECK(include->text == "joe\n");
    CHECK(!local::read_include(base + "/missing", me.uid, me.gid));
    ::unlink((base + "/link").c_str());
    ::unlink((base + "/.forward").c_str());
    ::rmdir(dir);
}
