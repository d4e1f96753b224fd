// tests/unit/pickup_sendmail_session_test.cpp - the SMTP conversation of sendmail -bs
// (named pickup_* because it belongs to the pickup/sendmail -bs work of issue 4)
#include "tools/sendmail/smtp_session.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

struct Queued {
    sendmail::SmtpEnvelope envelope;
    std::string content;
};

struct Harness {
    std::vector<Queued> queued;
    std::string answer = "250 2.0.0 Ok: queued";
    sendmail::SmtpSession session;

    explicit Harness(sendmail::SessionSettings settings = default_settings())
        : session(std::move(settings), [this](const sendmail::SmtpEnvelope& env, std::string_view content) {
              queued.push_back({env, std::string(content)});
              return answer;
          }) {}

    static sendmail::SessionSettings default_settings() {
        return {.hostname = "mx.example",
                .banner = "mx.example ESMTP tern",
                .max_message_bytes = 1000,
                .max_line_bytes = 100,
                .max_recipients = 2};
    }
    // Feeds `input` in pieces of `step` bytes; returns all replies.
    std::string run(std::string_view input, std::size_t step = 1000) {
        std::string out;
        for (std::size_t at = 0; at < input.size(); at += step) out += session.feed(input.substr(at, step));
        return out;
    }
};

}  // namespace

TEST_CASE("-bs: greeting, EHLO, a message with dot-stuffing, QUIT", "[pickup][sendmail_bs]") {
    Harness h;
    CHECK(h.session.greeting() == "220 mx.example ESMTP tern\r\n");
    const std::string input =
        "EHLO me\r\nMAIL FROM:<a@x> BODY=8BITMIME RET=HDRS ENVID=e+2B1\r\n"
        "RCPT TO:<b@y> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;B@y\r\nDATA\r\n"
        "Subject: t\r\n\r\n..dot\r\n..\r\n.\r\nQUIT\r\nNOOP\r\n";
    for (std::size_t step : {std::size_t{1000}, std::size_t{1}, std::size_t{7}}) {
        Harness fresh;
        const std::string out = fresh.run(input, step);
        CHECK(out ==
              "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
              "250-DSN\r\n250 SMTPUTF8\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
              "250 2.0.0 Ok: queued\r\n221 2.0.0 Bye\r\n");
        CHECK(fresh.session.finished());
        REQUIRE(fresh.queued.size() == 1);
        const Queued& q = fresh.queued[0];
        CHECK(q.content == "Subject: t\r\n\r\n.dot\r\n.\r\n");
        CHECK(q.envelope.sender == "a@x");
        CHECK(q.envelope.envid == "e+1");
        CHECK(q.envelope.ret == "HDRS");
        CHECK(q.envelope.body_type == "8BITMIME");
        REQUIRE(q.envelope.recipients.size() == 1);
        CHECK(q.envelope.recipients[0].address == "b@y");
        CHECK(q.envelope.recipients[0].orcpt == "rfc822;B@y");
        CHECK(q.envelope.recipients[0].notify == (2u | 8u));
    }
}

TEST_CASE("-bs: LF line ends are taken and stored as CRLF; 8-bit and NUL kept", "[pickup][sendmail_bs]") {
    Harness h;
    using namespace std::string_literals;
    const std::string input = "HELO me\nMAIL FROM:<>\nRCPT TO:<b@y>\nDATA\nx\xff\0y\r\n\nlast\n.\nQUIT\n"s;
    const std::string out = h.run(input);
    CHECK(out == "250 mx.example\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                 "250 2.0.0 Ok: queued\r\n221 2.0.0 Bye\r\n");
    REQUIRE(h.queued.size() == 1);
    CHECK(h.queued[0].envelope.sender.empty());
    CHECK(h.queued[0].content == "x\xff\0y\r\n\r\nlast\r\n"s);
}

TEST_CASE("-bs: command order errors in smtpd's words", "[pickup][sendmail_bs]") {
    Harness h;
    CHECK(h.run("RCPT TO:<b@y>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
    CHECK(h.run("DATA\r\n") == "503 5.5.1 Error: need RCPT command\r\n");
    CHECK(h.run("MAIL FROM:<a@x>\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(h.run("MAIL FROM:<a@x>\r\n") == "503 5.5.1 Error: nested MAIL command\r\n");
    CHECK(h.run("DATA\r\n") == "554 5.5.1 Error: no valid recipients\r\n");
    CHECK(h.run("RCPT TO:<1@y>\r\nRCPT TO:<2@y>\r\nRCPT TO:<3@y>\r\n") ==
          "250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n");
    CHECK(h.run("RSET\r\n") == "250 2.0.0 Ok\r\n");
    CHECK(h.run("RCPT TO:<b@y>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
    CHECK(h.run("MAIL FROM:<a@x> SIZE=1001\r\n") == "552 5.3.4 Message size exceeds fixed limit\r\n");
    CHECK(h.run("MAIL FROM:<a@x> SIZE=1000\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(h.run("\r\n") == "500 5.5.2 Error: bad syntax\r\n");
    CHECK(h.run("FOO\r\nHELP\r\n") == "500 5.5.2 Error: command not recognized\r\n"
                                      "500 5.5.2 Error: command not recognized\r\n");
    CHECK(h.run("VRFY a\r\n") == "502 5.5.1 VRFY command is disabled\r\n");
    CHECK(h.run("STARTTLS\r\n") == "502 5.5.1 Error: command not implemented\r\n");
    CHECK(h.run("MAIL FROM:<bad\r\n").substr(0, 4) == "501 ");
    CHECK(h.queued.empty());
    CHECK_FALSE(h.session.finished());
}

TEST_CASE("-bs: command line at the limit, one past, and very long", "[pickup][sendmail_bs]") {
    Harness h;
    const std::string at_limit = "NOOP " + std::string(95, 'x');  // 100 bytes
    CHECK(h.run(at_limit + "\r\n") == "250 2.0.0 Ok\r\n");
    CHECK(h.run(at_limit + "x\r\n") == "500 5.5.2 Error: line too long\r\n");
    CHECK(h.run(std::string(5000, 'y'), 100) == "500 5.5.2 Error: line too long\r\n");
    CHECK(h.run("tail\r\nNOOP\r\n") == "250 2.0.0 Ok\r\n");  // the rest of the long line is skipped
}

TEST_CASE("-bs: too large a message is refused after its end", "[pickup][sendmail_bs]") {
    Harness h;
    const std::string big(1200, 'z');
    const std::string out = h.run("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n" + big + "\r\n.\r\nQUIT\r\n", 64);
    CHECK(out.find("552 5.3.4 Message size exceeds fixed limit\r\n221 2.0.0 Bye\r\n") != std::string::npos);
    CHECK(h.queued.empty());
}

TEST_CASE("-bs: a long DATA line without line end is fed in pieces", "[pickup][sendmail_bs]") {
    sendmail::SessionSettings s = Harness::default_settings();
    s.max_message_bytes = 0;
    Harness h(s);
    const std::string line(200'000, 'q');
    const std::string out = h.run("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n" + line + "\r\n.\r\n", 70'000);
    CHECK(out.find("250 2.0.0 Ok: queued") != std::string::npos);
    REQUIRE(h.queued.size() == 1);
    CHECK(h.queued[0].content == line + "\r\n");
}

TEST_CASE("-bs: the queue answer is the reply; the session goes on", "[pickup][sendmail_bs]") {
    Harness h;
    h.answer = "451 4.3.0 Error: queue file write error";
    const std::string msg = "MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\nhi\r\n.\r\n";
    CHECK(h.run(msg).find("451 4.3.0 Error: queue file write error\r\n") != std::string::npos);
    h.answer = "250 2.0.0 Ok: queued";
    CHECK(h.run(msg).find("250 2.0.0 Ok: queued\r\n") != std::string::npos);
    CHECK(h.queued.size() == 2);
}

TEST_CASE("-bs: end of input ends the session; a last line counts", "[pickup][sendmail_bs]") {
    Harness h;
    CHECK(h.run("NOOP") == "");
    CHECK(h.session.end_of_input() == "250 2.0.0 Ok\r\n");
    CHECK(h.session.finished());
    Harness mid;
    CHECK(mid.run("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\npartial") ==
          "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
    CHECK(mid.session.end_of_input() == "");
    CHECK(mid.queued.empty());  // a message without its end is never queued
}
