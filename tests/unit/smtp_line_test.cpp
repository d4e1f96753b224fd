// tests/unit/smtp_line_test.cpp - lib/mail/smtp_line: CRLF lines, bare LF/CR, length limit
#include "lib/mail/smtp_line.h"

#include <catch2/catch.hpp>

#include <string>

using namespace tern;

TEST_CASE("scan_smtp_line finds CRLF lines", "[smtp_line]") {
    LineScan scan = scan_smtp_line("EHLO x\r\nMAIL", 100);
    CHECK(scan.status == LineStatus::Complete);
    CHECK(scan.line == "EHLO x");
    CHECK(scan.consumed == 8);

    scan = scan_smtp_line("\r\n", 100);  // an empty line is a line
    CHECK(scan.status == LineStatus::Complete);
    CHECK(scan.line.empty());
    CHECK(scan.consumed == 2);

    CHECK(scan_smtp_line("", 100).status == LineStatus::NeedMore);
    CHECK(scan_smtp_line("EHLO x\r", 100).status == LineStatus::NeedMore);
    CHECK(scan_smtp_line("EHLO x\r", 100).consumed == 0);

    const std::string with_nul("A\0B\r\n", 5);
    scan = scan_smtp_line(with_nul, 100);
    CHECK(scan.status == LineStatus::Complete);
    CHECK(scan.line == std::string_view("A\0B", 3));
    CHECK(scan_smtp_line("\xc3\xa9\xff\r\n", 100).status == LineStatus::Complete);
}

TEST_CASE("scan_smtp_line reports bare LF and lone CR", "[smtp_line]") {
    LineScan scan = scan_smtp_line("QUIT\nNOOP\r\n", 100);
    CHECK(scan.status == LineStatus::BareLf);
    CHECK(scan.line == "QUIT");
    CHECK(scan.consumed == 5);
    scan = scan_smtp_line("\n", 100);
    CHECK(scan.status == LineStatus::BareLf);
    CHECK(scan.consumed == 1);
    scan = scan_smtp_line("MAIL\rFROM:<a@b>\r\n", 100);
    CHECK(scan.status == LineStatus::BareCr);
    CHECK(scan.consumed == 17);
    scan = scan_smtp_line("\r\r\n", 100);
    CHECK(scan.status == LineStatus::BareCr);
}

TEST_CASE("scan_smtp_line limit", "[smtp_line]") {
    const std::size_t max = 10;
    const std::string at_limit = std::string(max, 'a') + "\r\n";
    CHECK(scan_smtp_line(at_limit, max).status == LineStatus::Complete);
    CHECK(scan_smtp_line(at_limit, max).line.size() == max);
    const std::string one_past = std::string(max + 1, 'a') + "\r\n";
    CHECK(scan_smtp_line(one_past, max).status == LineStatus::TooLong);
    CHECK(scan_smtp_line(one_past, max).consumed == 0);
    // Not yet known: max + 1 bytes could still be max bytes and a CR.
    CHECK(scan_smtp_line(std::string(max + 1, 'a'), max).status == LineStatus::NeedMore);
    CHECK(scan_smtp_line(std::string(max + 2, 'a'), max).status == LineStatus::TooLong);
    CHECK(scan_smtp_line(std::string(max, 'a') + "\n", max).status == LineStatus::BareLf);
    CHECK(scan_smtp_line("\r\n", 0).status == LineStatus::Complete);
    CHECK(scan_smtp_line("a\r\n", 0).status == LineStatus::TooLong);
}

TEST_CASE("skip_line drops the rest of an overlong line", "[smtp_line]") {
    LineSkip skip = skip_line("aaaa\r\nNOOP\r\n");
    CHECK(skip.consumed == 6);
    CHECK(skip.ended);
    skip = skip_line("aaaa");
    CHECK(skip.consumed == 4);
    CHECK_FALSE(skip.ended);
    skip = skip_line("");
    CHECK(skip.consumed == 0);
    CHECK_FALSE(skip.ended);
}

static_assert(scan_smtp_line("A\r\n", 5).status == LineStatus::Complete, "usable at compile time");
