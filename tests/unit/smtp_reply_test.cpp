// tests/unit/smtp_reply_test.cpp - lib/mail/smtp_reply: formatting, sanitizing, client reply parser
#include "lib/mail/smtp_reply.h"

#include <catch2/catch.hpp>

#include <string>

using namespace tern;

TEST_CASE("format_reply", "[smtp_reply]") {
    CHECK(format_reply(250, "2.1.0", "Ok") == "250 2.1.0 Ok\r\n");
    CHECK(format_reply(250, "", "mx.example") == "250 mx.example\r\n");
    CHECK(format_reply(354, "", "End data with <CR><LF>.<CR><LF>") == "354 End data with <CR><LF>.<CR><LF>\r\n");
    CHECK(format_reply("501 5.5.4 Syntax: DATA") == "501 5.5.4 Syntax: DATA\r\n");
    CHECK(format_reply(250, "2.0.0", "") == "250 2.0.0\r\n");
}

TEST_CASE("reply text cannot inject lines", "[smtp_reply]") {
    CHECK(format_reply(550, "5.1.1", "a\r\n250 ok") == "550 5.1.1 a  250 ok\r\n");
    CHECK(format_reply("550 x\r\n250 y") == "550 x  250 y\r\n");
    CHECK(format_reply(550, "5.1.1", std::string("a\0b\x7f", 4)) == "550 5.1.1 a b \r\n");
    CHECK(format_reply(550, "5.1.1", "caf\xc3\xa9") == "550 5.1.1 caf\xc3\xa9\r\n");
    CHECK(sanitize_reply_text("\t") == " ");
}

TEST_CASE("reply lines are cut to 512 bytes", "[smtp_reply]") {
    const std::string wire = format_reply(550, "5.0.0", std::string(1000, 'x'));
    CHECK(wire.size() == kMaxReplyLineBytes);
    CHECK(wire.substr(wire.size() - 2) == "\r\n");
    CHECK(format_reply(std::string(1000, 'x')).size() == kMaxReplyLineBytes);
}

TEST_CASE("format_multiline", "[smtp_reply]") {
    CHECK(format_multiline(250, "", {"mx.example", "PIPELINING", "SIZE 10240000"}) ==
          "250-mx.example\r\n250-PIPELINING\r\n250 SIZE 10240000\r\n");
    CHECK(format_multiline(550, "5.7.1", {"a", "b"}) == "550-5.7.1 a\r\n550 5.7.1 b\r\n");
    CHECK(format_multiline(250, "", {"only"}) == "250 only\r\n");
    CHECK(format_multiline(250, "2.0.0", {}) == "250 2.0.0\r\n");
}

TEST_CASE("closes_session", "[smtp_reply]") {
    CHECK(closes_session("421 4.4.2 mx Error: timeout exceeded"));
    CHECK(closes_session("521 5.5.4 Syntax: BDAT count [LAST]"));
    CHECK_FALSE(closes_session("501 5.5.4 Syntax: DATA"));
    CHECK_FALSE(closes_session(""));
}

TEST_CASE("ReplyParser: single and multi-line replies", "[smtp_reply]") {
    ReplyParser parser;
    std::string_view input = "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n220 next";
    ReplyFeed fed = parser.feed(input);
    CHECK(fed.status == ReplyStatus::Complete);
    CHECK(fed.consumed == 46);
    SmtpReply reply = parser.take();
    CHECK(reply.code == 250);
    CHECK(reply.enhanced.empty());
    CHECK(reply.lines == std::vector<std::string>{"mx.example", "PIPELINING", "8BITMIME"});
    CHECK(reply.positive());
    input.remove_prefix(fed.consumed);
    fed = parser.feed(input);
    CHECK(fed.status == ReplyStatus::NeedMore);
    CHECK(fed.consumed == input.size());
    fed = parser.feed("\r\n");
    CHECK(fed.status == ReplyStatus::Complete);
    reply = parser.take();
    CHECK(reply.code == 220);
    CHECK(reply.text() == "next");
}

TEST_CASE("ReplyParser: enhanced status codes", "[smtp_reply]") {
    ReplyParser parser;
    REQUIRE(parser.feed("550-5.1.1 <u@x>: Recipient\r\n550 5.1.1 address rejected\r\n").status ==
            ReplyStatus::Complete);
    SmtpReply reply = parser.take();
    CHECK(reply.enhanced == "5.1.1");
    CHECK(reply.text() == "<u@x>: Recipient address rejected");
    CHECK(reply.permanent());
    REQUIRE(parser.feed("451 4.3.0\r\n").status == ReplyStatus::Complete);
    reply = parser.take();
    CHECK(reply.enhanced == "4.3.0");
    CHECK(reply.temporary());
    REQUIRE(parser.feed("250 5.1.1 wrong class\r\n").status == ReplyStatus::Complete);
    CHECK(parser.take().enhanced.empty());
    REQUIRE(parser.feed("250 2.1.1000 no\r\n").status == ReplyStatus::Complete);
    CHECK(parser.take().enhanced.empty());
    REQUIRE(parser.feed("354\r\n").status == ReplyStatus::Complete);
    reply = parser.take();
    CHECK(reply.code == 354);
    CHECK(reply.lines == std::vector<std::string>{""});
}

TEST_CASE("ReplyParser: byte by byte, bare LF line ends", "[smtp_reply]") {
    ReplyParser parser;
    const std::string input = "250-a\r\n250 b\r\n";
    for (std::size_t i = 0; i < input.size(); ++i) {
        const ReplyFeed fed = parser.feed(std::string_view(input).substr(i, 1));
        CHECK(fed.consumed == 1);
        CHECK(fed.status == (i + 1 == input.size() ? ReplyStatus::Complete : ReplyStatus::NeedMore));
    }
    CHECK(parser.take().lines.size() == 2);
    REQUIRE(parser.feed("250-a\n250 b\n").status == ReplyStatus::Complete);
    CHECK(parser.take().text() == "a b");
}

TEST_CASE("ReplyParser: errors", "[smtp_reply]") {
    for (const char* bad : {"hello\r\n", "25\r\n", "2500 x\r\n", "250x\r\n", "150 x\r\n", "650 x\r\n",
                            "250-a\r\n251 b\r\n", "\r\n", "\n"}) {
        INFO(Catch::Detail::stringify(std::string(bad)));
        ReplyParser parser;
        CHECK(parser.feed(bad).status == ReplyStatus::Error);
        CHECK_FALSE(parser.error().empty());
        CHECK(parser.feed("250 ok\r\n").status == ReplyStatus::Error);  // stays failed
    }
}

TEST_CASE("ReplyParser: limits", "[smtp_reply]") {
    const ReplyLimits limits{.max_line_bytes = 10, .max_lines = 3};
    {
        ReplyParser parser(limits);
        CHECK(parser.feed("250 123456\r\n").status == ReplyStatus::Complete);  // exactly 10
    }
    {
        ReplyParser parser(limits);
        CHECK(parser.feed("250 1234567\r\n").status == ReplyStatus::Error);  // 11
    }
    {
        ReplyParser parser(limits);
        CHECK(parser.feed("250 1234567").status == ReplyStatus::Error);  // 11 before any line end
    }
    {
        ReplyParser parser(limits);
        CHECK(parser.feed("250-a\r\n250-b\r\n250 c\r\n").status == ReplyStatus::Complete);
    }
    {
        ReplyParser parser(limits);
        CHECK(parser.feed("250-a\r\n250-b\r\n250-c\r\n250 d\r\n").status == ReplyStatus::Error);
    }
}
