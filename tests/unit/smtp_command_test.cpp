// tests/unit/smtp_command_test.cpp - lib/mail/smtp_command and smtp_params: verbs, paths,
// ESMTP parameters, and Postfix's reply for each error
#include "lib/mail/smtp_command.h"

#include <catch2/catch.hpp>

#include <string>

#include "lib/mail/smtp_params.h"

using namespace tern;

namespace {

SmtpCommand parsed(std::string_view line, const CommandOptions& options = {}) {
    auto cmd = parse_smtp_command(line, options);
    if (!cmd) FAIL_CHECK("refused: " << cmd.error().text);
    REQUIRE(cmd);
    return std::move(*cmd);
}

std::string refusal(std::string_view line, const CommandOptions& options = {}) {
    auto cmd = parse_smtp_command(line, options);
    REQUIRE_FALSE(cmd);
    CHECK(cmd.error().retry == Retry::Permanent);
    return cmd.error().text;
}

}  // namespace

TEST_CASE("verbs are matched without regard to case", "[smtp_command]") {
    CHECK(parsed("ehlo client.example").verb == SmtpVerb::Ehlo);
    CHECK(parsed("EHLO client.example").argument == "client.example");
    CHECK(parsed("HeLo a  b").argument == "a b");
    CHECK(parsed("DATA").verb == SmtpVerb::Data);
    CHECK(parsed("rset").verb == SmtpVerb::Rset);
    CHECK(parsed("NOOP anything at all").verb == SmtpVerb::Noop);
    CHECK(parsed("QUIT").verb == SmtpVerb::Quit);
    CHECK(parsed("STARTTLS").verb == SmtpVerb::Starttls);
    CHECK(parsed("EXPN list").verb == SmtpVerb::Expn);
    CHECK(parsed("HELP").verb == SmtpVerb::Help);
    const SmtpCommand unknown = parsed("XYZZY plugh");
    CHECK(unknown.verb == SmtpVerb::Unknown);
    CHECK(unknown.name == "XYZZY");
    CHECK(unknown.argument == "plugh");
    CHECK(verb_name(SmtpVerb::Starttls) == "STARTTLS");
    CHECK(kReplyUnknownCommand == "500 5.5.2 Error: command not recognized");
}

TEST_CASE("syntax errors in Postfix's words", "[smtp_command]") {
    CHECK(refusal("") == "500 5.5.2 Error: bad syntax");
    CHECK(refusal("   ") == "500 5.5.2 Error: bad syntax");
    CHECK(refusal(std::string_view("NOOP\0x", 6)) == "500 5.5.2 Error: bad syntax");
    CHECK(refusal("NOOP \xff") == "500 5.5.2 Error: bad UTF-8 syntax");
    CHECK(refusal("EHLO") == "501 Syntax: EHLO hostname");
    CHECK(refusal("HELO") == "501 Syntax: HELO hostname");
    CHECK(refusal("DATA x") == "501 5.5.4 Syntax: DATA");
    CHECK(refusal("RSET x") == "501 5.5.4 Syntax: RSET");
    CHECK(refusal("STARTTLS x") == "501 5.5.4 Syntax: STARTTLS");
    CHECK(refusal("AUTH") == "501 5.5.4 Syntax: AUTH mechanism");
    CHECK(refusal("AUTH PLAIN a b") == "501 5.5.4 Syntax: AUTH mechanism");
    CHECK(refusal("VRFY") == "501 5.5.4 Syntax: VRFY address [SMTPUTF8]");
    CHECK(refusal("VRFY", {.smtputf8_enable = false}) == "501 5.5.4 Syntax: VRFY address");
}

TEST_CASE("MAIL FROM: paths", "[smtp_command]") {
    SmtpCommand cmd = parsed("MAIL FROM:<a@x.example>");
    CHECK(cmd.verb == SmtpVerb::Mail);
    CHECK(cmd.path.address == "a@x.example");
    CHECK(cmd.raw_path == "<a@x.example>");
    CHECK(parsed("mail from: <a@x>").path.address == "a@x");
    CHECK(parsed("MAIL FROM:<>").path.address.empty());
    CHECK(parsed("MAIL FROM:a@x").path.address == "a@x");  // strict_rfc821_envelopes = no
    CHECK(parsed("MAIL FROM:<\"a b\"@x>").path.address == "a b@x");
    CHECK(parsed("MAIL FROM:<@r1,@r2:u@d>").path.address == "u@d");
    CHECK(parsed("MAIL\tFROM:<a@x>\t").path.address == "a@x");
    const std::string syntax = "501 5.5.4 Syntax: MAIL FROM:<address>";
    CHECK(refusal("MAIL") == syntax);
    CHECK(refusal("MAIL FROM:") == syntax);
    CHECK(refusal("MAIL TO:<a@x>") == syntax);
    CHECK(refusal("MAIL FROM :<a@x>") == syntax);
    CHECK(refusal("MAIL <a@x>") == syntax);
    const std::string bad = "501 5.1.7 Bad sender address syntax";
    CHECK(refusal("MAIL FROM:<a@x") == bad);
    CHECK(refusal("MAIL FROM:<a b@x>") == bad);
    CHECK(refusal("MAIL FROM:<a@x>junk") == bad);
    CHECK(refusal("MAIL FROM:a@x", {.strict_rfc821_envelopes = true}) == bad);
    CHECK(parsed("MAIL FROM:<a@x>", {.strict_rfc821_envelopes = true}).path.address == "a@x");
}

TEST_CASE("RCPT TO: paths", "[smtp_command]") {
    CHECK(parsed("RCPT TO:<b@y.example>").path.address == "b@y.example");
    CHECK(parsed("rcpt to:<postmaster>").path.address == "postmaster");
    CHECK(refusal("RCPT TO:<>") == "501 5.1.3 Bad recipient address syntax");
    CHECK(refusal("RCPT TO:<b@y") == "501 5.1.3 Bad recipient address syntax");
    CHECK(refusal("RCPT FROM:<b@y>") == "501 5.5.4 Syntax: RCPT TO:<address>");
    CHECK(refusal("RCPT TO:") == "501 5.5.4 Syntax: RCPT TO:<address>");
}

TEST_CASE("SMTPUTF8 and 8-bit addresses", "[smtp_command]") {
    const std::string need = "553 5.6.7 Must declare SMTPUTF8 to send unicode address";
    const CommandOptions strict{.strict_smtputf8 = true};
    // Postfix's default (strict_smtputf8 = no): accepted without SMTPUTF8.
    CHECK(parsed("MAIL FROM:<caf\xc3\xa9@x>").path.address == "caf\xc3\xa9@x");
    CHECK(parsed("RCPT TO:<caf\xc3\xa9@x>").path.address == "caf\xc3\xa9@x");
    CHECK(parsed("VRFY caf\xc3\xa9").path.address == "caf\xc3\xa9");
    CHECK(refusal("MAIL FROM:<caf\xc3\xa9@x>", strict) == need);
    SmtpCommand cmd = parsed("MAIL FROM:<caf\xc3\xa9@x> SMTPUTF8");
    CHECK(cmd.mail.smtputf8);
    CHECK(cmd.path.address == "caf\xc3\xa9@x");
    CHECK(refusal("RCPT TO:<caf\xc3\xa9@x>", strict) == need);
    CHECK(parsed("RCPT TO:<caf\xc3\xa9@x>", {.smtputf8_declared = true, .strict_smtputf8 = true}).path.address ==
          "caf\xc3\xa9@x");
    CHECK(refusal("MAIL FROM:<a@x> SMTPUTF8 smtputf8") == "501 5.5.4 Error: duplicate SMTPUTF8 parameter");
    CHECK(refusal("MAIL FROM:<a@x> SMTPUTF8", {.smtputf8_enable = false}) == "555 5.5.4 Unsupported option: SMTPUTF8");
    CHECK(refusal("MAIL FROM:<caf\xc3\xa9@x> SMTPUTF8", {.smtputf8_enable = false}) ==
          "555 5.5.4 Unsupported option: SMTPUTF8");
    CHECK(parsed("VRFY caf\xc3\xa9 SMTPUTF8").vrfy_smtputf8);
    CHECK(refusal("VRFY caf\xc3\xa9", strict) == need);
}

TEST_CASE("MAIL parameters", "[smtp_command]") {
    SmtpCommand cmd = parsed("MAIL FROM:<a@x> SIZE=12345 BODY=8BITMIME RET=HDRS ENVID=QQ+2Bx");
    REQUIRE(cmd.mail.size);
    CHECK(*cmd.mail.size == 12345);
    CHECK(cmd.mail.body == BodyType::EightBitMime);
    CHECK(cmd.mail.ret == DsnRet::Headers);
    CHECK(cmd.mail.envid == std::string("QQ+x"));
    CHECK(parsed("MAIL FROM:<a@x> body=7bit ret=full").mail.body == BodyType::SevenBit);
    CHECK(parsed("MAIL FROM:<a@x> SIZE=0").mail.size == std::uint64_t{0});
    CHECK(parsed("MAIL FROM:<a@x> SIZE=9223372036854775807").mail.size == std::uint64_t{9223372036854775807ULL});

    CHECK(refusal("MAIL FROM:<a@x> SIZE=") == "501 5.5.4 Bad message size syntax");
    CHECK(refusal("MAIL FROM:<a@x> SIZE=-1") == "501 5.5.4 Bad message size syntax");
    CHECK(refusal("MAIL FROM:<a@x> SIZE=1k") == "501 5.5.4 Bad message size syntax");
    CHECK(refusal("MAIL FROM:<a@x> SIZE=9223372036854775808") ==
          "552 5.3.4 Message size exceeds file system imposed limit");
    CHECK(refusal("MAIL FROM:<a@x> SIZE=1 SIZE=2") == "501 5.5.4 Error: duplicate SIZE parameter");
    CHECK(refusal("MAIL FROM:<a@x> BODY=7BIT BODY=8BITMIME") == "501 5.5.4 Error: duplicate BODY parameter");
    CHECK(refusal("MAIL FROM:<a@x> BODY=BINARYMIME") == "555 5.5.4 Unsupported option: BODY=BINARYMIME");
    CHECK(parsed("MAIL FROM:<a@x> BODY=BINARYMIME", {.binarymime_enable = true}).mail.body == BodyType::BinaryMime);
    CHECK(refusal("MAIL FROM:<a@x> BODY=9BIT") == "555 5.5.4 Unsupported option: BODY=9BIT");
    CHECK(refusal("MAIL FROM:<a@x> FOO") == "555 5.5.4 Unsupported option: FOO");
    CHECK(refusal("MAIL FROM:<a@x> FOO=\x01") == "555 5.5.4 Unsupported option: FOO=?");
    CHECK(refusal("MAIL FROM:<a@x> RET=NONE") == "501 5.5.4 Bad RET parameter syntax");
    CHECK(refusal("MAIL FROM:<a@x> RET=FULL RET=FULL") == "501 5.5.4 Bad RET parameter syntax");
    CHECK(refusal("MAIL FROM:<a@x> ENVID=a+b") == "501 5.5.4 Bad ENVID parameter syntax");
    CHECK(refusal("MAIL FROM:<a@x> ENVID=+0A") == "501 5.5.4 Bad ENVID parameter syntax");
    CHECK(refusal("MAIL FROM:<a@x> ENVID=a ENVID=b") == "501 5.5.4 Bad ENVID parameter syntax");
    CHECK(refusal("MAIL FROM:<a@x> RET=FULL", {.dsn_enable = false}) == "501 5.7.1 DSN support is disabled");
    CHECK(refusal("MAIL FROM:<a@x> ENVID=x", {.dsn_enable = false}) == "501 5.7.1 DSN support is disabled");
    // The address is checked before the parameters, as in Postfix.
    CHECK(refusal("MAIL FROM:<a@x FOO") == "501 5.1.7 Bad sender address syntax");
}

TEST_CASE("MAIL AUTH= parameter", "[smtp_command]") {
    CHECK(refusal("MAIL FROM:<a@x> AUTH=<>") == "555 5.5.4 Unsupported option: AUTH=<>");
    const CommandOptions auth{.auth_enable = true};
    CHECK(parsed("MAIL FROM:<a@x> AUTH=<>", auth).mail.auth == std::string("<>"));
    CHECK(parsed("MAIL FROM:<a@x> AUTH=u+2Bx@y", auth).mail.auth == std::string("u+x@y"));
    CHECK(refusal("MAIL FROM:<a@x> AUTH=<> AUTH=<>", auth) == "503 5.5.4 Error: multiple AUTH= options");
    CHECK(refusal("MAIL FROM:<a@x> AUTH=+", auth) == "501 5.5.4 Bad AUTH parameter syntax");
    CHECK(refusal("MAIL FROM:<a@x> AUTH=", auth) == "501 5.5.4 Bad AUTH parameter syntax");
}

TEST_CASE("RCPT parameters", "[smtp_command]") {
    SmtpCommand cmd = parsed("RCPT TO:<b@y> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+40y@z");
    CHECK(cmd.rcpt.notify == (kDsnNotifySuccess | kDsnNotifyFailure));
    CHECK(cmd.rcpt.orcpt_type == std::string("rfc822"));
    CHECK(cmd.rcpt.orcpt_address == std::string("b@y@z"));
    CHECK(parsed("RCPT TO:<b@y> notify=never").rcpt.notify == kDsnNotifyNever);
    CHECK(parsed("RCPT TO:<b@y> NOTIFY=DELAY,SUCCESS,FAILURE").rcpt.notify ==
          (kDsnNotifyDelay | kDsnNotifySuccess | kDsnNotifyFailure));
    CHECK(parsed("RCPT TO:<b@y> ORCPT=utf-8;caf\\x{E9}@y").rcpt.orcpt_address == std::string("caf\xc3\xa9@y"));
    const std::string bad_notify = "501 5.5.4 Error: Bad NOTIFY parameter syntax";
    for (const char* value : {"", "NEVER,SUCCESS", "SOMETIMES", "SUCCESS,SUCCESS", ",SUCCESS", "SUCCESS,", "A,,B"}) {
        INFO(value);
        CHECK(refusal(std::string("RCPT TO:<b@y> NOTIFY=") + value) == bad_notify);
    }
    CHECK(refusal("RCPT TO:<b@y> NOTIFY=NEVER NOTIFY=NEVER") == bad_notify);
    const std::string bad_orcpt = "501 5.5.4 Error: Bad ORCPT parameter syntax";
    for (const char* value : {"", "rfc822", ";b@y", "rfc822;", "rfc822;b+4", "rfc822;a+ZZ", "utf-8;\\x{0}"}) {
        INFO(value);
        CHECK(refusal(std::string("RCPT TO:<b@y> ORCPT=") + value) == bad_orcpt);
    }
    CHECK(refusal("RCPT TO:<b@y> ORCPT=rfc822;a ORCPT=rfc822;b") == bad_orcpt);
    CHECK(refusal("RCPT TO:<b@y> SIZE=1") == "555 5.5.4 Unsupported option: SIZE=1");
    CHECK(refusal("RCPT TO:<b@y> NOTIFY=NEVER", {.dsn_enable = false}) == "501 5.7.1 DSN support is disabled");
}

TEST_CASE("BDAT", "[smtp_command]") {
    SmtpCommand cmd = parsed("BDAT 1000");
    CHECK(cmd.verb == SmtpVerb::Bdat);
    CHECK(cmd.bdat_size == 1000);
    CHECK_FALSE(cmd.bdat_last);
    cmd = parsed("bdat 0 last");
    CHECK(cmd.bdat_size == 0);
    CHECK(cmd.bdat_last);
    const std::string syntax = "521 5.5.4 Syntax: BDAT count [LAST]";
    for (const char* line : {"BDAT", "BDAT x", "BDAT -1", "BDAT 1 FIRST", "BDAT 1 LAST x", "BDAT +1", "BDAT 1x"}) {
        INFO(line);
        CHECK(refusal(line) == syntax);
    }
    CHECK(refusal("BDAT 99999999999999999999") == "552 5.3.4 Chunk exceeds message size limit");
    CHECK(refusal("BDAT 0") == "551 5.7.1 Null BDAT request");
}

TEST_CASE("AUTH and VRFY arguments", "[smtp_command]") {
    SmtpCommand cmd = parsed("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=");
    CHECK(cmd.auth_mechanism == "PLAIN");
    CHECK(cmd.auth_initial_response == std::string("dGVzdAB0ZXN0AHRlc3Q="));
    CHECK_FALSE(parsed("AUTH LOGIN").auth_initial_response);
    cmd = parsed("VRFY <user@x>");
    CHECK(cmd.path.address == "user@x");
    CHECK(parsed("VRFY postmaster").path.address == "postmaster");
    CHECK(refusal("VRFY John Smith") == "501 5.1.3 Bad recipient address syntax");
    CHECK(refusal("VRFY <>") == "501 5.1.3 Bad recipient address syntax");
}

TEST_CASE("the tokenizer keeps <...> and quotes together", "[smtp_command]") {
    CHECK(parsed("MAIL FROM:<\"a > b\"@x>").path.address == "a > b@x");
    CHECK(parsed("MAIL FROM:<\"a\\\"b\"@x> SIZE=1").path.address == "a\"b@x");
    CHECK(refusal("MAIL FROM:<\"a@x>") == "501 5.1.7 Bad sender address syntax");
}

TEST_CASE("parse_notify", "[smtp_command]") {
    CHECK(parse_notify("FAILURE") == kDsnNotifyFailure);
    CHECK_FALSE(parse_notify(","));
    CHECK_FALSE(parse_notify("NEVER,NEVER"));
}
