// tests/unit/cleanup_headers_test.cpp - cleanup/headers.h: the incremental header-section parser
#include "cleanup/headers.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

struct Collect final : cleanup::HeaderSink {
    std::vector<std::string> headers;
    std::vector<bool> truncated;
    std::string body;
    int ends = 0;
    std::size_t headers_at_end = 0;
    void on_header(std::string_view h, bool t) override {
        REQUIRE(ends == 0);
        headers.emplace_back(h);
        truncated.push_back(t);
    }
    void on_end_of_headers() override {
        ++ends;
        headers_at_end = headers.size();
    }
    void on_body(std::string_view b) override {
        REQUIRE(ends == 1);
        body.append(b);
    }
};

Collect parse(std::string_view text, std::size_t step, std::size_t limit = 102400) {
    cleanup::HeaderParser p({.header_size_limit = limit});
    Collect c;
    for (std::size_t i = 0; i < text.size(); i += step) p.feed(text.substr(i, step), c);
    p.finish(c);
    REQUIRE(c.ends == 1);
    return c;
}

}  // namespace

TEST_CASE("headers: folding, body and the empty line, whatever the split", "[cleanup]") {
    const std::string text = "Subject: a\r\n b\r\nFrom: x@y\r\n\r\nbody\r\n\r\nmore\r\n";
    for (std::size_t step : {1, 2, 3, 7, 1000}) {
        const Collect c = parse(text, step);
        REQUIRE(c.headers == std::vector<std::string>{"Subject: a\r\n b\r\n", "From: x@y\r\n"});
        CHECK(c.body == "\r\nbody\r\n\r\nmore\r\n");
    }
}

TEST_CASE("headers: empty content and content that ends in the headers", "[cleanup]") {
    CHECK(parse("", 1).headers.empty());
    const Collect c = parse("Subject: no newline", 4);
    REQUIRE(c.headers == std::vector<std::string>{"Subject: no newline"});
    CHECK(c.body.empty());
    const Collect d = parse("X: 1\r\n", 1);
    REQUIRE(d.headers == std::vector<std::string>{"X: 1\r\n"});
}

TEST_CASE("headers: a non-header line ends the header section without an empty line", "[cleanup]") {
    const Collect c = parse("X: 1\r\nthis is body\r\nY: 2\r\n", 2);
    REQUIRE(c.headers == std::vector<std::string>{"X: 1\r\n"});
    CHECK(c.body == "this is body\r\nY: 2\r\n");
    const Collect d = parse(" leading space\r\n", 3);
    CHECK(d.headers.empty());
    CHECK(d.body == " leading space\r\n");
    const Collect e = parse("\rX: 1\r\n", 1);
    CHECK(e.headers.empty());
    CHECK(e.body == "\rX: 1\r\n");
}

TEST_CASE("headers: white space before the colon, bare LF, 8-bit and NUL bytes", "[cleanup]") {
    const std::string text("Subject : x\nX-8: \xff\x00y\r\n\nb\n", 25);
    const Collect c = parse(text, 1);
    REQUIRE(c.headers.size() == 2);
    CHECK(c.headers[0] == "Subject : x\n");
    CHECK(c.headers[1] == std::string("X-8: \xff\x00y\r\n", 10));
    CHECK(c.body == "\nb\n");
    const Collect d = parse("Bad\x01name: x\r\n", 1);
    CHECK(d.headers.empty());
}

TEST_CASE("headers: header_size_limit truncates the header and drops its continuation", "[cleanup]") {
    const std::string at_limit = "X: " + std::string(15, 'a') + "\r\n";  // 20 bytes
    Collect c = parse(at_limit + "\r\n", 5, 20);
    REQUIRE(c.headers == std::vector<std::string>{at_limit});
    CHECK_FALSE(c.truncated[0]);
    c = parse("X: " + std::string(16, 'a') + "\r\n more\r\nY: 1\r\n\r\nbody", 3, 20);
    REQUIRE(c.headers.size() == 2);
    CHECK(c.headers[0] == "X: " + std::string(15, 'a') + "\r\n");
    CHECK(c.headers[0].size() == 20);
    CHECK(c.truncated[0]);
    CHECK(c.headers[1] == "Y: 1\r\n");
    CHECK(c.body == "\r\nbody");
}

TEST_CASE("headers: a long line without a colon is body, never lost", "[cleanup]") {
    const std::string line(100, 'z');
    const Collect c = parse(line + "\r\nrest", 7, 20);
    CHECK(c.headers.empty());
    CHECK(c.body == line + "\r\nrest");
}
