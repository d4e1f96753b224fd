// tests/unit/smtp_client_protocol_test.cpp - smtp/protocol and smtp/dot_stuff against scripted replies
#include "smtp/protocol.h"

#include <catch2/catch.hpp>

#include <string>

#include "smtp/dot_stuff.h"

using namespace smtp;
using tern::DeliveryStatus;
using tern::SmtpReply;

namespace {

SmtpReply reply(std::string_view wire) {
    tern::ReplyParser parser;
    const tern::ReplyFeed fed = parser.feed(wire);
    REQUIRE(fed.status == tern::ReplyStatus::Complete);
    return parser.take();
}

const char* kEhloPipelining = "250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250 DSN\r\n";
const char* kEhloPlain = "250 mx.example\r\n";

Protocol ready(const char* ehlo, Dialect dialect = Dialect::Smtp) {
    Protocol p(dialect, {.helo_name = "me.example", .skip_5xx_greeting = true, .my_hostname = ""}, "mx.example[192.0.2.7]");
    REQUIRE(p.awaiting() == Stage::Greeting);
    CHECK(p.on_reply(reply("220 mx.example ESMTP\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == (dialect == Dialect::Lmtp ? "LHLO me.example\r\n" : "EHLO me.example\r\n"));
    CHECK(p.on_reply(reply(ehlo)) == Protocol::Event::Ready);
    return p;
}

Transaction two_recipients() {
    Transaction tx;
    tx.sender = "a@example.org";
    tx.recipients = {{"b@example.com", "", 0}, {"c@example.com", "", 0}};
    tx.size = 100;
    return tx;
}

}  // namespace

TEST_CASE("pipelined transaction, per-recipient results", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    CHECK(p.features().pipelining);
    CHECK(p.features().size_limit == 1000);
    Transaction tx = two_recipients();
    tx.eightbitmime = true;
    tx.ret = tern::DsnRet::Headers;
    tx.envid = "id+1";
    tx.recipients[0].notify = tern::kDsnNotifySuccess | tern::kDsnNotifyFailure;
    tx.recipients[0].orcpt = "rfc822;b@example.com";
    CHECK(p.begin(tx) == Protocol::Event::None);
    CHECK(p.take_output() ==
          "MAIL FROM:<a@example.org> SIZE=100 BODY=8BITMIME RET=HDRS ENVID=id+2B1\r\n"
          "RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@example.com\r\n"
          "RCPT TO:<c@example.com>\r\n"
          "DATA\r\n");
    CHECK(p.on_reply(reply("250 2.1.0 Ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("550 5.1.1 <b@example.com>: Recipient address rejected\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 2.1.5 Ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("354 go ahead\r\n")) == Protocol::Event::SendContent);
    CHECK(p.stage() == Stage::Content);
    p.content_sent();
    CHECK(p.awaiting() == Stage::Dot);
    CHECK(p.on_reply(reply("250 2.0.0 Ok: queued as X1\r\n")) == Protocol::Event::Done);
    CHECK(p.reusable());
    const auto& r = p.results();
    REQUIRE(r.size() == 2);
    CHECK(r[0].status == DeliveryStatus::Bounced);
    CHECK(r[0].dsn == "5.1.1");
    CHECK(r[0].reason ==
          "host mx.example[192.0.2.7] said: 550 5.1.1 <b@example.com>: Recipient address rejected "
          "(in reply to RCPT TO command)");
    CHECK(r[0].diagnostic == "smtp; 550 5.1.1 <b@example.com>: Recipient address rejected");
    CHECK(r[1].status == DeliveryStatus::Sent);
    CHECK(r[1].dsn == "2.0.0");
    CHECK(r[1].reason == "250 2.0.0 Ok: queued as X1");
    CHECK(p.take_output().empty());
}

TEST_CASE("without PIPELINING commands go one at a time", "[smtp_client]") {
    Protocol p = ready(kEhloPlain);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    CHECK(p.take_output() == "MAIL FROM:<a@example.org>\r\n");
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "RCPT TO:<b@example.com>\r\n");
    CHECK(p.on_reply(reply("450 4.2.0 greylisted\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "RCPT TO:<c@example.com>\r\n");
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "DATA\r\n");
    CHECK(p.on_reply(reply("354 go\r\n")) == Protocol::Event::SendContent);
    p.content_sent();
    CHECK(p.on_reply(reply("451 4.3.0 try later\r\n")) == Protocol::Event::Done);
    CHECK(p.results()[0].status == DeliveryStatus::Deferred);
    CHECK(p.results()[0].dsn == "4.2.0");
    CHECK(p.results()[1].status == DeliveryStatus::Deferred);
    CHECK(p.results()[1].reason ==
          "host mx.example[192.0.2.7] said: 451 4.3.0 try later (in reply to end of DATA command)");
    CHECK(p.results()[1].dsn == "4.3.0");
}

TEST_CASE("no recipient accepted: no DATA, RSET before reuse", "[smtp_client]") {
    Protocol p = ready(kEhloPlain);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    (void)p.take_output();
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("550 no\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("550 no\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "RCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nRSET\r\n");
    CHECK(p.awaiting() == Stage::Rset);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::Done);
    CHECK(p.reusable());
    CHECK(p.results()[0].dsn == "5.0.0");
    CHECK(p.results()[1].status == DeliveryStatus::Bounced);
}

TEST_CASE("pipelined MAIL failure settles all and swallows the rest", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    (void)p.take_output();
    CHECK(p.on_reply(reply("452 4.3.1 Insufficient system storage\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("503 5.5.1 need MAIL\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("503 5.5.1 need MAIL\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("354 huh\r\n")) == Protocol::Event::None);  // a broken server
    CHECK(p.take_output() == ".\r\n");
    CHECK(p.on_reply(reply("554 no valid recipients\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "RSET\r\n");
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::Done);
    for (const RcptResult& r : p.results()) {
        CHECK(r.status == DeliveryStatus::Deferred);
        CHECK(r.reason == "host mx.example[192.0.2.7] said: 452 4.3.1 Insufficient system storage "
                          "(in reply to MAIL FROM command)");
    }
}

TEST_CASE("DATA refused settles accepted recipients", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("550 5.7.1 no\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("554 5.5.1 Error: no valid recipients\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::Done);
    CHECK(p.results()[0].reason ==
          "host mx.example[192.0.2.7] said: 554 5.5.1 Error: no valid recipients (in reply to DATA command)");
    CHECK(p.results()[1].dsn == "5.7.1");
}

TEST_CASE("LMTP gives one reply per accepted recipient", "[smtp_client]") {
    Protocol p = ready("250-lmtp.example\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n", Dialect::Lmtp);
    Transaction tx = two_recipients();
    tx.recipients.push_back({"d@example.com", "", 0});
    CHECK(p.begin(tx) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("550 5.1.1 <c@example.com> User doesn't exist\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("354 OK\r\n")) == Protocol::Event::SendContent);
    p.content_sent();
    CHECK(p.on_reply(reply("250 2.0.0 <b@example.com> Saved\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("452 4.2.2 <d@example.com> Quota exceeded\r\n")) == Protocol::Event::Done);
    CHECK(p.results()[0].status == DeliveryStatus::Sent);
    CHECK(p.results()[0].reason == "250 2.0.0 <b@example.com> Saved");
    CHECK(p.results()[1].status == DeliveryStatus::Bounced);
    CHECK(p.results()[2].status == DeliveryStatus::Deferred);
    CHECK(p.results()[2].reason ==
          "host mx.example[192.0.2.7] said: 452 4.2.2 <d@example.com> Quota exceeded (in reply to end of DATA command)");
}

TEST_CASE("EHLO refused falls back to HELO; LHLO does not", "[smtp_client]") {
    Protocol p(Dialect::Smtp, {.helo_name = "me", .skip_5xx_greeting = true, .my_hostname = ""}, "h[1.2.3.4]");
    CHECK(p.on_reply(reply("220 hi\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "EHLO me\r\n");
    CHECK(p.on_reply(reply("502 what\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "HELO me\r\n");
    CHECK(p.on_reply(reply("250 hi\r\n")) == Protocol::Event::Ready);
    CHECK_FALSE(p.features().esmtp);
    Protocol l(Dialect::Lmtp, {.helo_name = "me", .skip_5xx_greeting = true, .my_hostname = ""}, "h[1.2.3.4]");
    CHECK(l.on_reply(reply("220 hi\r\n")) == Protocol::Event::None);
    CHECK(l.on_reply(reply("500 what\r\n")) == Protocol::Event::Failed);
    CHECK(l.failure().status == DeliveryStatus::Bounced);
    CHECK(l.failure().reason == "host h[1.2.3.4] said: 500 what (in reply to LHLO command)");
}

TEST_CASE("greeting refusals", "[smtp_client]") {
    Protocol p(Dialect::Smtp, {.helo_name = "me", .skip_5xx_greeting = true, .my_hostname = ""}, "h[1.2.3.4]");
    CHECK(p.on_reply(reply("554 5.7.1 go away\r\n")) == Protocol::Event::Failed);
    CHECK(p.failure().status == DeliveryStatus::Deferred);
    CHECK(p.failure().dsn == "4.7.1");
    CHECK(p.failure().reason == "host h[1.2.3.4] refused to talk to me: 554 5.7.1 go away");
    Protocol q(Dialect::Smtp, {.helo_name = "me", .skip_5xx_greeting = false, .my_hostname = ""}, "h[1.2.3.4]");
    CHECK(q.on_reply(reply("554 go away\r\n")) == Protocol::Event::Failed);
    CHECK(q.failure().status == DeliveryStatus::Bounced);
    CHECK(q.failure().dsn == "5.0.0");
}

TEST_CASE("lost connection and timeouts name the stage", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    const Failure f = p.lost(true);
    CHECK(f.reason == "conversation with mx.example[192.0.2.7] timed out while sending RCPT TO");
    CHECK(f.dsn == "4.4.2");
    Protocol q(Dialect::Smtp, {.helo_name = "me", .skip_5xx_greeting = true, .my_hostname = ""}, "h[1.2.3.4]");
    CHECK(q.lost(false).reason == "lost connection with h[1.2.3.4] while receiving the initial server greeting");
}

TEST_CASE("421 ends the session", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("421 4.4.2 bye\r\n")) == Protocol::Event::Failed);
    CHECK(p.failure().reason == "host mx.example[192.0.2.7] said: 421 4.4.2 bye (in reply to RCPT TO command)");
    CHECK_FALSE(p.reusable());
}

TEST_CASE("SIZE and SMTPUTF8 refusals need no command", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    Transaction tx = two_recipients();
    tx.size = 1001;
    CHECK(p.begin(tx) == Protocol::Event::Done);
    CHECK(p.results()[0].dsn == "5.3.4");
    CHECK(p.results()[0].reason == "message size 1001 exceeds size limit 1000 of server mx.example[192.0.2.7]");
    CHECK(p.take_output().empty());
    CHECK(p.reusable());
    tx.size = 10;
    tx.recipients[1].address = "j\xc3\xb6rg@example.com";
    CHECK(p.begin(tx) == Protocol::Event::Done);
    CHECK(p.results()[1].dsn == "5.6.7");
    CHECK(p.results()[1].reason == "SMTPUTF8 is required, but was not offered by host mx.example[192.0.2.7]");
}

TEST_CASE("SMTPUTF8 and null sender in MAIL FROM", "[smtp_client]") {
    Protocol p = ready("250-mx\r\n250 SMTPUTF8\r\n");
    Transaction tx = two_recipients();
    tx.sender = "";
    tx.smtputf8 = true;
    CHECK(p.begin(tx) == Protocol::Event::None);
    CHECK(p.take_output() == "MAIL FROM:<> SMTPUTF8\r\n");
}

TEST_CASE("multi-line replies are quoted line by line", "[smtp_client]") {
    const SmtpReply r = reply("550-5.1.1 first\r\n550 5.1.1 second\r\n");
    CHECK(quote_reply(r) == "550-5.1.1 first 550 5.1.1 second");
    CHECK(reply_dsn(reply("250 ok\r\n")) == "2.0.0");
    CHECK(reply_dsn(reply("550 4.1.1 mismatch\r\n")) == "5.0.0");
}

TEST_CASE("dot-stuffing across chunks", "[smtp_client]") {
    DotStuffer s;
    std::string out;
    s.feed(".a\r\n.", out);
    s.feed(".b\r\nc\nd", out);
    s.finish(out);
    CHECK(out == "..a\r\n...b\r\nc\r\nd\r\n.\r\n");
    DotStuffer empty;
    std::string none;
    empty.finish(none);
    CHECK(none == ".\r\n");
    DotStuffer cr;
    std::string ended;
    cr.feed("x\r\n", ended);
    cr.feed(std::string("\0\xff\r", 3), ended);
    cr.finish(ended);
    CHECK(ended == std::string("x\r\n\0\xff\r\n.\r\n", 10));
}

TEST_CASE("a 3xx where 2xx belongs bounces; a 2xx to DATA defers", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    (void)p.take_output();
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("354 4.1.1 what\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 2.0.0 no need\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "RSET\r\n");
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::Done);
    CHECK(p.results()[0].status == DeliveryStatus::Bounced);
    CHECK(p.results()[0].dsn == "5.0.0");
    CHECK(p.results()[1].status == DeliveryStatus::Deferred);
    CHECK(p.results()[1].dsn == "4.5.0");
    CHECK(p.results()[1].reason ==
          "host mx.example[192.0.2.7] said: 250 2.0.0 no need (in reply to DATA command)");
    CHECK(p.reusable());
}

TEST_CASE("a 3xx end-of-data reply and a 3xx greeting are failures", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    Transaction tx = two_recipients();
    tx.recipients.pop_back();
    CHECK(p.begin(tx) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("354 go\r\n")) == Protocol::Event::SendContent);
    p.content_sent();
    CHECK(p.on_reply(reply("354 again\r\n")) == Protocol::Event::Done);
    CHECK(p.results()[0].status == DeliveryStatus::Bounced);
    CHECK(p.results()[0].dsn == "5.0.0");
    Protocol g(Dialect::Smtp, {.helo_name = "me", .skip_5xx_greeting = true, .my_hostname = ""}, "h[1.2.3.4]");
    CHECK(g.on_reply(reply("354 hello\r\n")) == Protocol::Event::Failed);
    CHECK(g.failure().status == DeliveryStatus::Deferred);
    CHECK(g.failure().dsn == "4.0.0");
}

TEST_CASE("a reused session: RSET after a failed transaction, then the next one", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    (void)p.take_output();
    CHECK(p.on_reply(reply("250 ok\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("450 4.2.0 later\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("550 5.1.1 no\r\n")) == Protocol::Event::None);
    CHECK(p.on_reply(reply("554 5.5.1 no valid recipients\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "RSET\r\n");
    CHECK(p.awaiting() == Stage::Rset);
    CHECK(p.on_reply(reply("250 2.0.0 Ok\r\n")) == Protocol::Event::Done);
    CHECK(p.reusable());
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    CHECK(p.take_output() ==
          "MAIL FROM:<a@example.org> SIZE=100\r\nRCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n");
    for (const char* r : {"250 ok\r\n", "250 ok\r\n", "250 ok\r\n"}) CHECK(p.on_reply(reply(r)) == Protocol::Event::None);
    CHECK(p.on_reply(reply("354 go\r\n")) == Protocol::Event::SendContent);
    p.content_sent();
    CHECK(p.on_reply(reply("250 2.0.0 queued\r\n")) == Protocol::Event::Done);
    CHECK(p.results()[0].status == DeliveryStatus::Sent);
    CHECK(p.results()[1].status == DeliveryStatus::Sent);
    Protocol q = ready(kEhloPlain);
    CHECK(q.begin(two_recipients()) == Protocol::Event::None);
    CHECK(q.on_reply(reply("550 5.7.1 sender\r\n")) == Protocol::Event::None);
    CHECK(q.take_output() == "MAIL FROM:<a@example.org>\r\nRSET\r\n");
    CHECK(q.on_reply(reply("421 4.4.2 bye\r\n")) == Protocol::Event::Done);
    CHECK_FALSE(q.reusable());  // RSET refused: the session is not cached
}

TEST_CASE("timeouts name each stage as Postfix does", "[smtp_client]") {
    Protocol p = ready(kEhloPipelining);
    CHECK(p.begin(two_recipients()) == Protocol::Event::None);
    for (const char* r : {"250 ok\r\n", "250 ok\r\n", "250 ok\r\n"}) CHECK(p.on_reply(reply(r)) == Protocol::Event::None);
    CHECK(p.stage() == Stage::Data);
    Protocol content = p;
    CHECK(p.lost(true).reason == "conversation with mx.example[192.0.2.7] timed out while sending DATA command");
    CHECK(content.on_reply(reply("354 go\r\n")) == Protocol::Event::SendContent);
    CHECK(content.lost(true).reason == "conversation with mx.example[192.0.2.7] timed out while sending message body");
    Protocol greeting(Dialect::Lmtp, {.helo_name = "me", .skip_5xx_greeting = true, .my_hostname = ""}, "h[1.2.3.4]");
    CHECK(greeting.on_reply(reply("220 hi\r\n")) == Protocol::Event::None);
    CHECK(greeting.lost(true).reason == "conversation with h[1.2.3.4] timed out while performing the LHLO handshake");
}

TEST_CASE("a server that greets with my own hostname is a mail loop: 5.4.6 bounce", "[smtp_client]") {
    Protocol p(Dialect::Smtp, {.helo_name = "me.example", .skip_5xx_greeting = true, .my_hostname = "Me.Example"}, "mx.example[192.0.2.7]");
    CHECK(p.on_reply(reply("220 mx.example ESMTP\r\n")) == Protocol::Event::None);
    CHECK(p.take_output() == "EHLO me.example\r\n");
    CHECK(p.on_reply(reply("250-me.example hello\r\n250 PIPELINING\r\n")) == Protocol::Event::Failed);
    CHECK(p.failure().status == DeliveryStatus::Bounced);
    CHECK(p.failure().dsn == "5.4.6");
    CHECK(p.failure().reason == "mail for mx.example loops back to myself");
}

TEST_CASE("another name, or LMTP, is no loop", "[smtp_client]") {
    SECTION("SMTP, other name") {
        Protocol p(Dialect::Smtp, {.helo_name = "me.example", .skip_5xx_greeting = true, .my_hostname = "me.example"}, "mx.example[192.0.2.7]");
        CHECK(p.on_reply(reply("220 mx.example ESMTP\r\n")) == Protocol::Event::None);
        CHECK(p.on_reply(reply("250 me.example.org\r\n")) == Protocol::Event::Ready);
    }
    SECTION("LMTP without my_hostname") {
        Protocol p(Dialect::Lmtp, {.helo_name = "me.example", .skip_5xx_greeting = true, .my_hostname = ""}, "dovecot[/run/lmtp]");
        CHECK(p.on_reply(reply("220 dovecot ready\r\n")) == Protocol::Event::None);
        CHECK(p.on_reply(reply("250 me.example\r\n")) == Protocol::Event::Ready);
    }
}
