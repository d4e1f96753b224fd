// tests/unit/mailbox_content_test.cpp - CRLF -> LF, ">From " quoting, the mbox frame, at any chunk split
#include "lib/mail/mailbox_content.h"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "tests/unit/mailbox_test_support.h"
#include "tests/unit/test_support.h"

namespace {

std::string filter_whole(std::string_view input, bool quote_from) {
    tern::MailboxLineFilter filter(quote_from);
    std::string out;
    filter.feed(input, out);
    filter.finish(out);
    return out;
}

// The input fed in two pieces split at `at`, then in single bytes.
std::string filter_split(std::string_view input, std::size_t at, bool quote_from) {
    tern::MailboxLineFilter filter(quote_from);
    std::string out;
    filter.feed(input.substr(0, at), out);
    filter.feed(input.substr(at), out);
    filter.finish(out);
    return out;
}

std::string filter_bytes(std::string_view input, bool quote_from) {
    tern::MailboxLineFilter filter(quote_from);
    std::string out;
    for (const char c : input) filter.feed(std::string_view(&c, 1), out);
    filter.finish(out);
    return out;
}

}  // namespace

TEST_CASE("CRLF becomes LF, bare CR stays, bare LF stays a line end", "[mailbox]") {
    CHECK(filter_whole("a\r\nb\r\n", false) == "a\nb\n");
    CHECK(filter_whole("a\rb\r\n", false) == "a\rb\n");
    CHECK(filter_whole("a\r\r\n", false) == "a\r\n");
    CHECK(filter_whole("a\nb\n", false) == "a\nb\n");
    CHECK(filter_whole("no end", false) == "no end");
    CHECK(filter_whole("ends in cr\r", false) == "ends in cr\r");
    CHECK(filter_whole("\r\n\r\n", false) == "\n\n");
}

TEST_CASE("empty input gives empty output", "[mailbox]") {
    tern::MailboxLineFilter filter(true);
    std::string out;
    filter.feed("", out);
    filter.finish(out);
    CHECK(out.empty());
    CHECK(filter.ends_line());
}

TEST_CASE("From quoting only for lines that start with \"From \"", "[mailbox]") {
    CHECK(filter_whole("From me\r\n", true) == ">From me\n");
    CHECK(filter_whole("x\r\nFrom me\r\nFrom\r\n", true) == "x\n>From me\nFrom\n");
    CHECK(filter_whole("a From b\r\n", true) == "a From b\n");
    CHECK(filter_whole(">From x\r\n", true) == ">From x\n");
    CHECK(filter_whole("from x\r\n", true) == "from x\n");
    CHECK(filter_whole("Fro", true) == "Fro");
    CHECK(filter_whole("From ", true) == ">From ");
    CHECK(filter_whole("Fr\r\nFrom\rFrom x", true) == "Fr\nFrom\rFrom x");  // after a bare CR: same line
    CHECK(filter_whole("x\nFrom y\n", true) == "x\n>From y\n");            // bare LF starts a line
    CHECK(filter_whole("From me\r\n", false) == "From me\n");
}

TEST_CASE("every split point and byte-by-byte feeding give the same result", "[mailbox]") {
    const std::string input = std::string("From a\r\nb\rc\r\n\r\nFrom \r\nFro\r\nFrom\r\r\nx\xff\xfe") +
                              std::string(1, '\0') + "y\r\nFrom z";
    for (const bool quote : {false, true}) {
        const std::string expected = filter_whole(input, quote);
        for (std::size_t at = 0; at <= input.size(); ++at) {
            INFO("split at " << at << " quote " << quote);
            CHECK(filter_split(input, at, quote) == expected);
        }
        CHECK(filter_bytes(input, quote) == expected);
    }
    CHECK(filter_whole(input, true) ==
          std::string(">From a\nb\rc\n\n>From \nFro\nFrom\r\nx\xff\xfe") + std::string(1, '\0') + "y\n>From z");
}

TEST_CASE("8-bit bytes and NUL pass unchanged", "[mailbox]") {
    std::string input;
    for (int c = 0; c < 256; ++c)
        if (c != '\r' && c != '\n') input.push_back(static_cast<char>(c));
    CHECK(filter_whole(input, true) == input);
}

TEST_CASE("mbox From line: sender or MAILER-DAEMON, two spaces, asctime date", "[mailbox]") {
    tern::MailboxMessage m{.sender = "a@example.com", .arrival = tern_test::at(1700000000, 0), .prefix = {}, .content = nullptr};
    const std::string line = tern::mbox_from_line(m);
    REQUIRE(line.rfind("From a@example.com  ", 0) == 0);
    CHECK(line.size() == std::string("From a@example.com  ").size() + 24 + 1);
    CHECK(line.back() == '\n');
    CHECK(line.find("2023") != std::string::npos);
    m.sender.clear();
    CHECK(tern::mbox_from_line(m).rfind("From MAILER-DAEMON  ", 0) == 0);
}

TEST_CASE("copy_message: mbox frame, prefix, final empty line, partial last line completed", "[mailbox]") {
    tern_test::TempDir dir;
    const std::string path = dir.file("out");
    SECTION("complete last line") {
        mailbox_test::StoredMessage stored("Subject: x\r\n\r\nFrom here\r\n");
        tern::ContentReader reader = stored.reader();
        tern::Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)};
        REQUIRE(tern::copy_message(fd.get(), stored.message(&reader, "Delivered-To: b@example.com\n"),
                                   tern::MailboxFormat::Mbox, path));
        const std::string text = tern_test::read_file(path);
        const std::size_t first_lf = text.find('\n');
        CHECK(text.substr(first_lf + 1) == "Delivered-To: b@example.com\nSubject: x\n\n>From here\n\n");
    }
    SECTION("partial last line, maildir format: no From line, no quoting, no blank line") {
        mailbox_test::StoredMessage stored("Subject: x\r\n\r\nFrom here");
        tern::ContentReader reader = stored.reader();
        tern::Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)};
        REQUIRE(tern::copy_message(fd.get(), stored.message(&reader, "X: y\n"), tern::MailboxFormat::Maildir, path));
        CHECK(tern_test::read_file(path) == "X: y\nSubject: x\n\nFrom here");
    }
    SECTION("partial last line in mbox gets its LF and the blank line") {
        mailbox_test::StoredMessage stored("Subject: x\r\n\r\nend");
        tern::ContentReader reader = stored.reader();
        tern::Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)};
        REQUIRE(tern::copy_message(fd.get(), stored.message(&reader), tern::MailboxFormat::Mbox, path));
        const std::string text = tern_test::read_file(path);
        CHECK(text.substr(text.find('\n') + 1) == "Subject: x\n\nend\n\n");
    }
    SECTION("CRLF split across content chunks and reads") {
        std::string content = "Subject: x\r\n\r\n";
        while (content.size() < 200'000) content += "From line\r\nabc\r\n";
        mailbox_test::StoredMessage stored(content, "a@example.com", 4097);  // odd chunk sizes
        tern::ContentReader reader = stored.reader();
        tern::Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)};
        REQUIRE(tern::copy_message(fd.get(), stored.message(&reader), tern::MailboxFormat::Mbox, path));
        const std::string text = tern_test::read_file(path);
        CHECK(text.substr(text.find('\n') + 1) == filter_whole(content, true) + "\n");
        CHECK(text.find('\r') == std::string::npos);
    }
}
