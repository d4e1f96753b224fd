// tests/unit/sendmail_content_test.cpp - sendmail's input to CRLF queue content
#include "tools/sendmail/content.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

std::string convert(const std::string& in, bool dot_ends, std::size_t max = 1000, bool* ok = nullptr) {
    sendmail::ContentBuilder b(dot_ends, max);
    bool good = true;
    for (const char c : in) {  // one byte at a time: every split point
        if (b.done()) break;
        good = good && b.feed(std::string_view(&c, 1));
    }
    good = good && b.finish();
    if (ok != nullptr) *ok = good;
    return b.take();
}

}  // namespace

TEST_CASE("content: LF and CRLF become CRLF, other bytes stay", "[sendmail]") {
    CHECK(convert("", true).empty());
    CHECK(convert("a\nb\r\n", true) == "a\r\nb\r\n");
    CHECK(convert("no newline", true) == "no newline\r\n");
    CHECK(convert("\n\n", true) == "\r\n\r\n");
    CHECK(convert("bare\rcr\n", true) == "bare\rcr\r\n");
    CHECK(convert(std::string("n\0l\xff\n", 5), true) == std::string("n\0l\xff\r\n", 6));
    CHECK(convert("..dots\n", true) == "..dots\r\n");
}

TEST_CASE("content: a dot line ends input unless -i", "[sendmail]") {
    CHECK(convert("a\n.\nb\n", true) == "a\r\n");
    CHECK(convert("a\r\n.\r\nb\n", true) == "a\r\n");
    CHECK(convert(".\n", true).empty());
    CHECK(convert("a\n.", true) == "a\r\n");  // a final "." without LF ends it too
    CHECK(convert("a\n.\nb\n", false) == "a\r\n.\r\nb\r\n");
    CHECK(convert("a\n. \n", true) == "a\r\n. \r\n");
    sendmail::ContentBuilder b(true, 100);
    CHECK(b.feed("x\n.\nrest"));
    CHECK(b.done());
}

TEST_CASE("content: message_size_limit at, and one past, the limit", "[sendmail]") {
    bool ok = false;
    CHECK(convert("abc\n", true, 5, &ok) == "abc\r\n");
    CHECK(ok);
    convert("abcd\n", true, 5, &ok);
    CHECK_FALSE(ok);
    convert("abcd", true, 5, &ok);
    CHECK_FALSE(ok);
    convert(std::string(100000, 'x'), false, 1000, &ok);
    CHECK_FALSE(ok);
}
