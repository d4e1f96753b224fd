// tests/unit/delivery_status_line_test.cpp - lib/mail/status_line: Postfix's delay format and the to= line
#include "lib/mail/status_line.h"

#include <catch2/catch.hpp>

#include <string>

#include "lib/base/log.h"
#include "lib/mail/delivery_agent.h"
#include "tests/unit/test_support.h"

TEST_CASE("delays print with Postfix's precision", "[delivery_status_line]") {
    CHECK(tern::format_delay(0) == "0");
    CHECK(tern::format_delay(-3) == "0");
    CHECK(tern::format_delay(0.004) == "0");
    CHECK(tern::format_delay(0.005) == "0.01");
    CHECK(tern::format_delay(0.012) == "0.01");
    CHECK(tern::format_delay(0.05) == "0.05");
    CHECK(tern::format_delay(0.1) == "0.1");
    CHECK(tern::format_delay(0.123) == "0.12");
    CHECK(tern::format_delay(0.4) == "0.4");
    CHECK(tern::format_delay(0.999) == "1");
    CHECK(tern::format_delay(1) == "1");
    CHECK(tern::format_delay(1.26) == "1.3");
    CHECK(tern::format_delay(9.96) == "10");
    CHECK(tern::format_delay(12.4) == "12");
    CHECK(tern::format_delay(12.5) == "13");
    CHECK(tern::format_delay(123.7) == "124");
    CHECK(tern::format_delay(86400 * 5) == "432000");
}

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
    ~LogFile() { tern::log_use_stderr(true); }
};

timeval ago(double seconds) {
    timeval now{};
    ::gettimeofday(&now, nullptr);
    const auto us = static_cast<long long>(now.tv_sec) * 1000000 + now.tv_usec - static_cast<long long>(seconds * 1e6);
    return {static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

}  // namespace

TEST_CASE("the to= line has Postfix's shape", "[delivery_status_line]") {
    LogFile log;
    tern::log_recipient_status({.queue_id = "4Xb2kQ1Zz3z9v", .recipient = "b@example.com",
                                .orcpt = "rfc822;B+2Bx@example.com", .relay = "local", .arrival = ago(20),
                                .active_since = ago(19.5), .received = ago(19.5), .conn_setup_s = 0,
                                .transmit_s = 0.02, .dsn = "2.0.0", .status = tern::DeliveryStatus::Sent,
                                .reason = "delivered to maildir"});
    tern::log_recipient_status({.queue_id = "4Xb2kQ1Zz3z9v", .recipient = "c@example.com",
                                .orcpt = "rfc822;c@example.com", .relay = "none", .arrival = ago(0),
                                .active_since = ago(0), .received = ago(0), .dsn = "5.1.1",
                                .status = tern::DeliveryStatus::Bounced, .reason = "bad\r\nnews"});
    const std::string text = tern_test::read_file(log.path);
    CHECK(text.find("tern/unittest[") != std::string::npos);
    CHECK(text.find(": 4Xb2kQ1Zz3z9v: to=<b@example.com>, orig_to=<B+x@example.com>, relay=local, delay=20, "
                    "delays=0.5/0/0/0.02, dsn=2.0.0, status=sent (delivered to maildir)\n") != std::string::npos);
    CHECK(text.find(": 4Xb2kQ1Zz3z9v: to=<c@example.com>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, "
                    "status=bounced (bad??news)\n") != std::string::npos);
}
