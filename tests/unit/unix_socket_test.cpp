// tests/unit/unix_socket_test.cpp - lib/base/unix_socket: listen, connect,
// stale sockets, flags, timed reads and writes
#include "lib/base/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "tests/unit/test_support.h"

using namespace tern;
using tern_test::TempDir;

namespace {

bool has_cloexec(int fd) { return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }
bool has_nonblock(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

}  // namespace

TEST_CASE("unix_listen and unix_connect talk; descriptors are close-on-exec", "[unix_socket]") {
    TempDir dir;
    const std::string path = dir.file("sock");
    auto listener = unix_listen(path, 10, 0620);
    REQUIRE(listener);
    CHECK(has_cloexec(listener->get()));
    struct stat st{};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 07777) == 0620);

    auto client = unix_connect(path, 1000);
    REQUIRE(client);
    CHECK(has_cloexec(client->get()));
    CHECK(has_nonblock(client->get()));
    Fd server{::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC)};
    REQUIRE(server);

    REQUIRE(write_all(client->get(), std::string_view("hi\0\xff", 4), 1000));
    std::array<char, 16> buffer{};
    auto got = read_some(server.get(), buffer, 1000);
    REQUIRE(got);
    CHECK(std::string_view(buffer.data(), *got) == std::string_view("hi\0\xff", 4));
}

TEST_CASE("unix_listen replaces an old socket but nothing else", "[unix_socket]") {
    TempDir dir;
    const std::string path = dir.file("sock");
    auto first = unix_listen(path, 10, 0600);
    REQUIRE(first);
    first->reset();
    auto second = unix_listen(path, 10, 0600);
    REQUIRE(second);
    CHECK(unix_connect(path, 1000));

    const std::string regular = dir.file("regular");
    Fd file{::open(regular.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600)};
    REQUIRE(file);
    auto refused = unix_listen(regular, 10, 0600);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().text, Catch::Contains("is not a socket"));
    CHECK(std::filesystem::exists(regular));
}

TEST_CASE("bad socket paths are refused", "[unix_socket]") {
    CHECK_FALSE(unix_listen("", 10, 0600));
    CHECK_FALSE(unix_listen(std::string(200, 'x'), 10, 0600));
    CHECK_FALSE(unix_connect(std::string(200, 'x'), 100));
    auto nobody = unix_connect("/nonexistent/tern/sock", 100);
    REQUIRE_FALSE(nobody);
    CHECK(nobody.error().temporary());
    CHECK_THAT(nobody.error().text, Catch::Contains("/nonexistent/tern/sock"));
}

TEST_CASE("set_nonblocking and set_cloexec change the flags", "[unix_socket]") {
    int raw[2];
    REQUIRE(::pipe(raw) == 0);
    Fd read_end{raw[0]};
    Fd write_end{raw[1]};
    CHECK_FALSE(has_cloexec(read_end.get()));
    REQUIRE(set_cloexec(read_end.get()));
    CHECK(has_cloexec(read_end.get()));
    REQUIRE(set_nonblocking(read_end.get()));
    CHECK(has_nonblock(read_end.get()));
    REQUIRE(set_nonblocking(read_end.get(), false));
    CHECK_FALSE(has_nonblock(read_end.get()));
    CHECK_FALSE(set_cloexec(-1));
}

TEST_CASE("read_some times out, sees EOF, and works on pipes", "[unix_socket]") {
    auto pair = unix_socketpair();
    REQUIRE(pair);
    std::array<char, 8> buffer{};
    auto timed_out = read_some(pair->second.get(), buffer, 30);
    REQUIRE_FALSE(timed_out);
    CHECK(timed_out.error().errno_value == ETIMEDOUT);
    CHECK(timed_out.error().temporary());
    pair->first.reset();
    CHECK(read_some(pair->second.get(), buffer, 1000) == 0u);

    int raw[2];
    REQUIRE(::pipe2(raw, O_CLOEXEC) == 0);
    Fd read_end{raw[0]};
    Fd write_end{raw[1]};
    REQUIRE(write_all(write_end.get(), "pipe", 1000));
    auto got = read_some(read_end.get(), buffer, 1000);
    REQUIRE(got);
    CHECK(std::string_view(buffer.data(), *got) == "pipe");
}

TEST_CASE("write_all writes large buffers in pieces and times out on a stuck peer", "[unix_socket]") {
    auto pair = unix_socketpair();
    REQUIRE(pair);
    // Far more than the socket buffers hold: nobody reads, so it must time out.
    const std::string big(8 * 1024 * 1024, 'x');
    auto stuck = write_all(pair->first.get(), big, 50);
    REQUIRE_FALSE(stuck);
    CHECK(stuck.error().errno_value == ETIMEDOUT);

    auto pair2 = unix_socketpair();
    REQUIRE(pair2);
    const std::string payload(1024 * 1024, 'y');
    std::string received;
    std::array<char, 65536> buffer{};
    // One thread: write pieces the socket buffer holds, drain after each.
    std::string_view rest = payload;
    while (!rest.empty() || received.size() < payload.size()) {
        if (!rest.empty()) {
            const std::string_view piece = rest.substr(0, 100000);
            REQUIRE(write_all(pair2->first.get(), piece, 1000));
            rest.remove_prefix(piece.size());
        }
        while (received.size() < payload.size() - rest.size()) {
            auto got = read_some(pair2->second.get(), buffer, 1000);
            REQUIRE(got);
            REQUIRE(*got > 0);
            received.append(buffer.data(), *got);
        }
    }
    CHECK(received == payload);
}

TEST_CASE("Deadline counts down and -1 means none", "[unix_socket]") {
    CHECK(Deadline(-1).remaining_ms() == -1);
    CHECK_FALSE(Deadline(-1).expired());
    CHECK(Deadline(0).expired());
    const int left = Deadline(10000).remaining_ms();
    CHECK(left > 9000);
    CHECK(left <= 10000);
}
