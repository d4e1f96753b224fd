// tests/unit/sendmail_recipients_test.cpp - address lists and sendmail -t
#include "tools/sendmail/recipients.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using sendmail::extract_recipients;
using sendmail::parse_address_list;
using List = std::vector<std::string>;

TEST_CASE("address lists: names, comments, groups, quotes", "[sendmail]") {
    CHECK(parse_address_list("") == List{});
    CHECK(parse_address_list("a@x") == List{"a@x"});
    CHECK(parse_address_list("Joe Q. <j@x>, k@y (Kay (nested) \\) x)") == List{"j@x", "k@y"});
    CHECK(parse_address_list("\"Doe, John\" <jd@x>") == List{"jd@x"});
    CHECK(parse_address_list("friends: a@x, B <b@y>; c@z") == List{"a@x", "b@y", "c@z"});
    CHECK(parse_address_list("undisclosed-recipients:;") == List{});
    CHECK(parse_address_list("<@r1,@r2:u@d>") == List{"u@d"});
    CHECK(parse_address_list("\"a b\"@x") == List{"a b@x"});
    CHECK(parse_address_list("u@[192.0.2.1]") == List{"u@[192.0.2.1]"});
    CHECK(parse_address_list("<>, ,,") == List{});
    CHECK(parse_address_list("a@x,\r\n b@y") == List{"a@x", "b@y"});
    CHECK(parse_address_list("(unterminated comment a@x") == List{});
    CHECK(parse_address_list("\"unterminated@x") == List{"unterminated@x"});
    CHECK(parse_address_list("postmaster") == List{"postmaster"});
    CHECK(parse_address_list("J\xc3\xb6rg <j\xc3\xb6@x>") == List{"j\xc3\xb6@x"});
}

TEST_CASE("-t takes To, Cc, Bcc and removes Bcc with its folded lines", "[sendmail]") {
    const std::string in =
        "From: me@x\r\n"
        "To: a@x,\r\n"
        "\tb@y\r\n"
        "bcc: Secret <s@z>,\r\n"
        " t@z\r\n"
        "Cc: (c) c@x\r\n"
        "Subject: To: not@this\r\n"
        "\r\n"
        "To: body@x\r\n"
        "Bcc: body@y\r\n";
    const auto h = extract_recipients(in);
    CHECK(h.recipients == List{"a@x", "b@y", "s@z", "t@z", "c@x"});
    CHECK(h.content ==
          "From: me@x\r\nTo: a@x,\r\n\tb@y\r\nCc: (c) c@x\r\nSubject: To: not@this\r\n\r\n"
          "To: body@x\r\nBcc: body@y\r\n");
}

TEST_CASE("-t with Resent- headers uses only those", "[sendmail]") {
    const std::string in = "To: old@x\r\nResent-To: new@x\r\nResent-Bcc: hidden@x\r\nBcc: oldbcc@x\r\n\r\nbody\r\n";
    const auto h = extract_recipients(in);
    CHECK(h.recipients == List{"new@x", "hidden@x"});
    CHECK(h.content == "To: old@x\r\nResent-To: new@x\r\n\r\nbody\r\n");
}

TEST_CASE("-t: headers end at a non-header line; edge inputs", "[sendmail]") {
    CHECK(extract_recipients("").recipients.empty());
    CHECK(extract_recipients("").content.empty());
    const auto h = extract_recipients("To: a@x\r\nthis is body\r\nTo: b@x\r\n");
    CHECK(h.recipients == List{"a@x"});
    const auto no_crlf = extract_recipients("To: a@x");
    CHECK(no_crlf.recipients == List{"a@x"});
    const auto lead = extract_recipients(" To: a@x\r\n\r\n");
    CHECK(lead.recipients.empty());
    const auto bcc_only = extract_recipients("Bcc: z@x\r\n\r\nhi\r\n");
    CHECK(bcc_only.recipients == List{"z@x"});
    CHECK(bcc_only.content == "\r\nhi\r\n");
    const std::string nul("To: a@x\r\nX: \0\r\n\r\n", 17);
    CHECK(extract_recipients(nul).content == nul);
}
