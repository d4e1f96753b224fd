// tests/unit/log_test.cpp - lib/base/log: Postfix line shape in maillog_file, one event per line
#include "lib/base/log.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <regex>
#include <string>

#include "tests/unit/test_support.h"

using tern_test::read_file;

namespace {

struct LogFile {
    tern_test::TempDir dir;
    std::string path = dir.file("maillog");
    LogFile() {
        tern::log_open("tern/unittest", "unittest");
        tern::log_use_stderr(false);
        tern::log_set_hostname("testhost");
        REQUIRE(tern::log_use_file(path));
    }
    ~LogFile() {
        tern::log_use_stderr(true);
    }
};

}  // namespace

TEST_CASE("log lines in maillog_file have Postfix's shape", "[log]") {
    LogFile file;
    tern::log_info("%s: client=%s", "4Xb2kQ1Zz3z9v", "client.example[192.0.2.1]");
    tern::log_warning("disk %d%% full", 95);
    const std::string text = read_file(file.path);
    const std::string pid = std::to_string(::getpid());
    // Test code only: std::regex is fine on our own output.
    const std::regex shape(
        "[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d testhost tern/unittest\\[" + pid +
        "\\]: 4Xb2kQ1Zz3z9v: client=client.example\\[192.0.2.1\\]\n"
        "[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d testhost tern/unittest\\[" + pid +
        "\\]: warning: disk 95% full\n");
    CHECK(std::regex_match(text, shape));
}

TEST_CASE("a log line never spans lines and is cut at the limit", "[log]") {
    LogFile file;
    tern::log_error("a\nb\rc");
    tern::log_info("%s", std::string(2 * tern::kMaxLogLineBytes, 'x').c_str());
    const std::string text = read_file(file.path);
    CHECK(text.find("error: a b c\n") != std::string::npos);
    std::size_t newlines = 0;
    for (char c : text) newlines += c == '\n';
    CHECK(newlines == 2);
    CHECK(text.size() < 2 * tern::kMaxLogLineBytes);
}

TEST_CASE("debug lines appear only with verbosity", "[log]") {
    LogFile file;
    tern::log_debug("hidden");
    tern::log_set_verbosity(1);
    tern::log_debug("shown");
    tern::log_set_verbosity(0);
    const std::string text = read_file(file.path);
    CHECK(text.find("hidden") == std::string::npos);
    CHECK(text.find("shown") != std::string::npos);
}

TEST_CASE("log_use_file names the file it cannot open", "[log]") {
    const auto status = tern::log_use_file("/nonexistent-dir/maillog");
    REQUIRE_FALSE(status);
    CHECK(status.error().describe().find("/nonexistent-dir/maillog") != std::string::npos);
    CHECK(status.error().temporary());
}
