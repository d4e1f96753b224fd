// tests/unit/smtpd_protocol_test.cpp - the smtpd state machine with a fake cleanup and policy
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lib/mail/cleanup_protocol.h"
#include "smtpd/protocol.h"

namespace {

struct FakePolicy final : smtpd::Policy {
    std::string reject_recipient;  // this recipient is refused as relay
    smtpd::Verdict check(smtpd::Stage stage, const smtpd::PolicyContext& ctx) const override {
        if (stage == smtpd::Stage::Recipient && ctx.recipient == reject_recipient)
            return {smtpd::VerdictKind::Reject, "554 5.7.1 <" + reject_recipient + ">: Relay access denied"};
        return {};
    }
};

struct FakeCleanup final : smtpd::CleanupHost {
    bool fail_open = false;
    int opens = 0, finishes = 0, aborts = 0;
    std::vector<std::string> recipients;
    std::string content;
    std::string sender;
    std::size_t largest_piece = 0;
    bool open_cleanup(const tern::AttrList& env) override {
        if (fail_open) return false;
        ++opens;
        sender = std::string(env.get(tern::kCleanupSender).value_or("?"));
        return true;
    }
    void send_cleanup(const tern::AttrList& m) override {
        const std::string_view kind = m.get(tern::kCleanupRequest).value_or("");
        if (kind == tern::kCleanupRequestRecipient) recipients.emplace_back(m.get(tern::kCleanupAddress).value_or(""));
        if (kind == tern::kCleanupRequestContent) {
            const std::string_view data = m.get(tern::kCleanupData).value_or("");
            content += data;
            largest_piece = std::max(largest_piece, data.size());
        }
    }
    void finish_cleanup() override { ++finishes; }
    void abort_cleanup() override { ++aborts; }
};

struct Fixture {
    smtpd::Settings settings;
    FakePolicy policy;
    FakeCleanup cleanup;
    std::unique_ptr<smtpd::Protocol> p;

    Fixture() { settings.myhostname = "mx.test", settings.banner = "mx.test ESMTP tern"; }
    smtpd::Protocol& start() {
        p = std::make_unique<smtpd::Protocol>(settings, policy, cleanup,
                                              smtpd::ClientInfo{.name = "localhost", .address = "127.0.0.1", .port = "25"});
        p->greet();
        (void)p->take_output();
        return *p;
    }
    // Feeds everything it can; returns the replies.
    std::string send(std::string_view input) {
        const std::size_t used = p->feed(input);
        CHECK(used <= input.size());
        return p->take_output();
    }
    void open_transaction() {
        (void)send("EHLO c\r\nMAIL FROM:<s@x>\r\nRCPT TO:<r@x>\r\n");
        REQUIRE(p->waiting());
        p->cleanup_opened("QID1");
        REQUIRE(p->take_output() == "250 2.1.5 Ok\r\n");
    }
};

}  // namespace

TEST_CASE("protocol: greeting and EHLO in Postfix's order", "[smtpd][protocol]") {
    Fixture f;
    f.p = std::make_unique<smtpd::Protocol>(f.settings, f.policy, f.cleanup, smtpd::ClientInfo{});
    f.p->greet();
    CHECK(f.p->take_output() == "220 mx.test ESMTP tern\r\n");
    CHECK(f.send("EHLO client.example\r\n") ==
          "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ENHANCEDSTATUSCODES\r\n"
          "250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
    CHECK(f.send("HELO client.example\r\n") == "250 mx.test\r\n");
    f.settings.disable_vrfy = true;
    f.settings.discard_ehlo_keywords = {"chunking", "DSN"};
    CHECK(f.send("EHLO c\r\n").find("VRFY") == std::string::npos);
    CHECK(f.send("VRFY u@x\r\n") == "502 5.5.1 VRFY command is disabled\r\n");
}

TEST_CASE("protocol: a pipelined group is answered in one batch, waiting for the queue ID", "[smtpd][protocol]") {
    Fixture f;
    f.start();
    const std::string group = "EHLO c\r\nMAIL FROM:<s@x>\r\nRCPT TO:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n";
    const std::size_t used = f.p->feed(group);
    CHECK(used == group.find("RCPT TO:<b@x>"));  // stops after the first RCPT: waits for cleanup
    CHECK(f.p->waiting());
    CHECK(f.cleanup.opens == 1);
    CHECK(f.cleanup.sender == "s@x");
    f.p->cleanup_opened("QID1");
    CHECK(f.p->feed(std::string_view(group).substr(used)) == group.size() - used);
    const std::string replies = f.p->take_output();
    CHECK(replies.ends_with("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"));
    CHECK(f.cleanup.recipients == std::vector<std::string>{"a@x", "b@x"});
    CHECK(f.send("line 1\r\n..dot\r\n.\r\nQUIT\r\n").empty());  // waits for cleanup's final reply
    CHECK(f.p->waiting());
    CHECK(f.cleanup.content == "line 1\r\n.dot\r\n");
    CHECK(f.cleanup.finishes == 1);
    f.p->cleanup_replied({.status = 0, .queue_id = "QID1", .reason = "250 2.0.0 Ok: queued as QID1"});
    CHECK(f.p->take_output() == "250 2.0.0 Ok: queued as QID1\r\n");
    CHECK(f.send("QUIT\r\n") == "221 2.0.0 Bye\r\n");
    CHECK(f.p->closing());
    CHECK(f.p->counts().summary() == " ehlo=1 mail=1 rcpt=2 data=1 quit=1 commands=6");
}

TEST_CASE("protocol: sequence errors in Postfix's words", "[smtpd][protocol]") {
    Fixture f;
    f.start();
    CHECK(f.send("RCPT TO:<r@x>\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
    CHECK(f.send("DATA\r\n") == "503 5.5.1 Error: need RCPT command\r\n");
    CHECK(f.send("MAIL FROM:<s@x>\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(f.send("MAIL FROM:<s@x>\r\n") == "503 5.5.1 Error: nested MAIL command\r\n");
    CHECK(f.send("DATA\r\n") == "554 5.5.1 Error: no valid recipients\r\n");
    CHECK(f.send("HELP\r\nEXPN x\r\nFOO\r\n") == "500 5.5.2 Error: command not recognized\r\n"
                                                     "500 5.5.2 Error: command not recognized\r\n"
                                                     "500 5.5.2 Error: command not recognized\r\n");
    CHECK(f.send("STARTTLS\r\n") == "502 5.5.1 Error: command not implemented\r\n");
    CHECK(f.send("RSET x\r\n") == "501 5.5.4 Syntax: RSET\r\n");
    CHECK(f.send("RSET\r\nNOOP\r\n") == "250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n");
    CHECK(f.send("VRFY <u@x>\r\n") == "252 2.0.0 u@x\r\n");
    f.settings.helo_required = true;
    CHECK(f.send("MAIL FROM:<s@x>\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
}

TEST_CASE("protocol: relay refused, limits", "[smtpd][protocol]") {
    Fixture f;
    f.policy.reject_recipient = "far@away";
    f.settings.recipient_limit = 2;
    f.settings.message_size_limit = 1000;
    f.start();
    f.open_transaction();
    CHECK(f.send("RCPT TO:<far@away>\r\n") == "554 5.7.1 <far@away>: Relay access denied\r\n");
    CHECK(f.send("RCPT TO:<b@x>\r\nRCPT TO:<c@x>\r\n") == "250 2.1.5 Ok\r\n452 4.5.3 Error: too many recipients\r\n");
    CHECK(f.send("DATA\r\n").starts_with("354 "));
    CHECK(f.send(std::string(1200, 'x') + "\r\n.\r\n") == "552 5.3.4 Message size exceeds fixed limit\r\n");
    CHECK(f.cleanup.aborts == 1);
    CHECK(f.cleanup.finishes == 0);
}

TEST_CASE("protocol: SIZE over message_size_limit at MAIL", "[smtpd][protocol]") {
    Fixture f;
    f.settings.message_size_limit = 1000;
    f.start();
    CHECK(f.send("MAIL FROM:<s@x> SIZE=1000\r\n") == "250 2.1.0 Ok\r\n");
    CHECK(f.send("RSET\r\nMAIL FROM:<s@x> SIZE=1001\r\n") ==
          "250 2.0.0 Ok\r\n552 5.3.4 Message size exceeds fixed limit\r\n");
}

TEST_CASE("protocol: bare LF in a command or in DATA closes with 521", "[smtpd][protocol]") {
    Fixture f;
    f.start();
    CHECK(f.send("NOOP\n") == "521 5.5.2 mx.test Error: bare <LF> received\r\n");
    CHECK(f.p->closing());

    Fixture g;
    g.start();
    g.open_transaction();
    (void)g.send("DATA\r\n");
    CHECK(g.send("a\nb\r\n.\n").empty());  // <LF>.<LF> is no end
    CHECK(g.send("c\r\n.\r\n") == "521 5.5.2 mx.test Error: bare <LF> received\r\n");
    CHECK(g.p->closing());
    CHECK(g.cleanup.finishes == 0);
    CHECK(g.cleanup.aborts == 1);

    Fixture h;  // excluded clients: a bare LF is a line end, <LF>.<LF> still is not the end
    h.start();
    h.p = std::make_unique<smtpd::Protocol>(
        h.settings, h.policy, h.cleanup,
        smtpd::ClientInfo{.name = "localhost", .address = "127.0.0.1", .port = "25", .bare_newline_excluded = true});
    CHECK(h.send("NOOP\n") == "250 2.0.0 Ok\r\n");
}

TEST_CASE("protocol: overlong command lines", "[smtpd][protocol]") {
    Fixture f;
    f.settings.line_length_limit = 100;
    f.start();
    CHECK(f.send("NOOP " + std::string(95, 'x') + "\r\n") == "250 2.0.0 Ok\r\n");  // exactly at the limit
    CHECK(f.send("NOOP " + std::string(96, 'x') + "\r\nNOOP\r\n") ==
          "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
}

TEST_CASE("protocol: hard error limit", "[smtpd][protocol]") {
    Fixture f;
    f.settings.hard_error_limit = 3;
    f.settings.soft_error_limit = 1;
    f.start();
    CHECK(f.send("FOO\r\n") == "500 5.5.2 Error: command not recognized\r\n");
    CHECK_FALSE(f.p->take_delay());
    CHECK(f.send("FOO\r\n") == "500 5.5.2 Error: command not recognized\r\n");
    CHECK(f.p->take_delay());
    CHECK(f.send("FOO\r\nNOOP\r\n") ==
          "500 5.5.2 Error: command not recognized\r\n421 4.7.0 mx.test Error: too many errors\r\n");
    CHECK(f.p->closing());
}

TEST_CASE("protocol: BDAT chunks", "[smtpd][protocol]") {
    Fixture f;
    f.start();
    f.open_transaction();
    CHECK(f.send("BDAT 5\r\nab\r\nc") == "250 2.0.0 Ok: 5 bytes\r\n");
    CHECK(f.send("BDAT 3 LAST\r\n.\r\n").empty());
    CHECK(f.p->waiting());
    CHECK(f.cleanup.content == "ab\r\nc.\r\n");
    f.p->cleanup_replied({.status = 0, .queue_id = "QID1", .reason = ""});
    CHECK(f.p->take_output() == "250 2.0.0 Ok: queued as QID1\r\n");
    // Without a transaction the chunk is read and dropped.
    CHECK(f.send("BDAT 4\r\nRSETNOOP\r\n") == "503 5.5.1 Error: need RCPT command\r\n250 2.0.0 Ok\r\n");
    CHECK(f.send("BDAT x\r\n") == "521 5.5.4 Syntax: BDAT count [LAST]\r\n");
}

TEST_CASE("protocol: big content goes to cleanup in pieces of at most 64 KiB", "[smtpd][protocol]") {
    Fixture f;
    f.start();
    f.open_transaction();
    (void)f.send("DATA\r\n");
    const std::string line = std::string(998, 'y') + "\r\n";
    std::string body;
    while (body.size() < 300 * 1024) body += line;
    for (std::size_t at = 0; at < body.size(); at += 7000) (void)f.send(std::string_view(body).substr(at, 7000));
    (void)f.send(".\r\n");
    CHECK(f.cleanup.content == body);
    CHECK(f.cleanup.largest_piece <= tern::kCleanupMaxChunkBytes);
}

TEST_CASE("protocol: cleanup failures give 451 4.3.0", "[smtpd][protocol]") {
    Fixture f;
    f.start();
    f.cleanup.fail_open = true;
    CHECK(f.send("MAIL FROM:<s@x>\r\nRCPT TO:<r@x>\r\n") ==
          "250 2.1.0 Ok\r\n451 4.3.0 Error: queue file write error\r\n");
    f.cleanup.fail_open = false;
    (void)f.send("RCPT TO:<r@x>\r\n");
    f.p->cleanup_failed("connect: refused");
    CHECK(f.p->take_output() == "451 4.3.0 Error: queue file write error\r\n");

    Fixture g;  // cleanup dies during DATA: the client hears 451 at the end
    g.start();
    g.open_transaction();
    (void)g.send("DATA\r\nabc\r\n");
    g.p->cleanup_failed("closed");
    CHECK(g.send("more\r\n.\r\n") == "451 4.3.0 Error: queue file write error\r\n");
    CHECK_FALSE(g.p->waiting());
}

TEST_CASE("protocol: timeout and lost connection", "[smtpd][protocol]") {
    Fixture f;
    f.start();
    f.open_transaction();
    f.p->timed_out();
    CHECK(f.p->take_output() == "421 4.4.2 mx.test Error: timeout exceeded\r\n");
    CHECK(f.p->closing());
    CHECK(f.cleanup.aborts == 1);
}

TEST_CASE("protocol: a DATA cut short counts as failed", "[smtpd][protocol]") {
    Fixture f;
    f.start();
    f.open_transaction();
    (void)f.send("DATA\r\nhalf\r\n");
    f.p->lost_connection();
    CHECK(f.cleanup.aborts == 1);
    CHECK(f.p->counts().summary() == " ehlo=1 mail=1 rcpt=1 data=0/1 commands=3/4");
}
