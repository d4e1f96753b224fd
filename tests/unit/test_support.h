// tests/unit/test_support.h - temporary folders and files for the unit tests
//
// SYNOPSIS
//     tern_test::TempDir dir;                    // a fresh /tmp/tern-test-XXXXXX
//     const std::string path = dir.file("main.cf");
//     const std::string table = dir.write("access", "key value\n");
//     tern_test::write_file(path, "myhostname = mx.example\n");
//     const std::string text = tern_test::read_file(path);
//     tern::Fd fd = tern_test::temp_fd();        // a read-write file with no name
//     const timeval tv = tern_test::at(1700000000, 42);
// DESCRIPTION
//     TempDir makes a private folder (mode 0700) and removes it with all it
//     holds when it goes out of scope, even when a test fails half way.
//     temp_fd opens a temporary file and unlinks it at once, so nothing is
//     left behind. at() builds a timeval from seconds and microseconds.
// LIMITS
//     Test code only: a failure is a Catch2 REQUIRE, which stops the test.
#pragma once

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>

#include "lib/base/fd.h"

namespace tern_test {

// A temporary directory removed with everything in it at scope exit.
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "tern-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // The path of `name` (may hold slashes) inside the directory.
    [[nodiscard]] std::string file(std::string_view name) const { return (path_ / name).string(); }
    // Writes `content` to `name` inside the directory and returns its path.
    std::string write(std::string_view name, std::string_view content) const;

private:
    std::filesystem::path path_;
};

// The whole file as bytes; "" when it cannot be read.
inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Creates or truncates `path` and writes `text` to it.
inline void write_file(const std::string& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    REQUIRE(out.good());
}

inline std::string TempDir::write(std::string_view name, std::string_view content) const {
    const std::string full = file(name);
    write_file(full, content);
    return full;
}

// An open, already unlinked temporary file.
inline tern::Fd temp_fd() {
    char name[] = "/tmp/tern-test-file-XXXXXX";
    tern::Fd fd{::mkostemp(name, O_CLOEXEC)};
    REQUIRE(fd.valid());
    ::unlink(name);
    return fd;
}

inline timeval at(long seconds, long micros) {
    timeval tv{};
    tv.tv_sec = seconds;
    tv.tv_usec = micros;
    return tv;
}

}  // namespace tern_test
