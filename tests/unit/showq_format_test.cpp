// tests/unit/showq_format_test.cpp - mailq text and postqueue -j lines (tools/postqueue/format.h)
#include "tools/postqueue/format.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <string>

using tern::ListedMessage;

namespace {

// The expected text was printed by Postfix 3.7's postqueue -p for the
// same messages (TZ=UTC).
struct UtcZone {
    UtcZone() {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
};

ListedMessage message(std::string queue, std::string id, long long size) {
    return {.queue_name = std::move(queue), .queue_id = std::move(id), .arrival_time = 1795503126,
            .message_size = size, .sender = "sender@example.com",
            .recipients = {{"rcpt1@example.com", ""}, {"rcpt2@example.org", ""}}};
}

}  // namespace

TEST_CASE("mailq text is Postfix's layout byte for byte", "[showq]") {
    UtcZone utc;
    postqueue::TextListing listing(postqueue::IdLayout::Short);
    std::string out;
    listing.add(message("maildrop", "AFFE0A9A282", 133), out);
    listing.add(message("active", "B0FE0A9A28", 133), out);
    listing.add(message("incoming", "C0FE0A9A28", 133), out);
    listing.add(message("hold", "AFFE0A9A282", 133), out);
    listing.finish(out);
    const std::string rcpts = "                                         rcpt1@example.com\n"
                              "                                         rcpt2@example.org\n\n";
    CHECK(out == "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
                 "AFFE0A9A282     133 Tue Nov 24 06:52:06  sender@example.com\n" + rcpts +
                 "B0FE0A9A28*     133 Tue Nov 24 06:52:06  sender@example.com\n" + rcpts +
                 "C0FE0A9A28      133 Tue Nov 24 06:52:06  sender@example.com\n" + rcpts +
                 "AFFE0A9A282!     133 Tue Nov 24 06:52:06  sender@example.com\n" + rcpts +
                 "-- 0 Kbytes in 4 Requests.\n");
}

TEST_CASE("mailq text with long queue IDs is Postfix's enable_long_queue_ids layout", "[showq]") {
    UtcZone utc;
    postqueue::TextListing listing(postqueue::IdLayout::Long);
    std::string out;
    const auto one = [](std::string queue, std::string id) {
        ListedMessage m{.queue_name = std::move(queue), .queue_id = std::move(id), .arrival_time = 1795504587,
                        .message_size = 105, .sender = "s@example.com", .recipients = {{"r@example.com", ""}}};
        return m;
    };
    listing.add(one("maildrop", "4jYYyM2CSKz1cmy9"), out);
    listing.add(one("active", "4jYYyM2CSKz1cmy8"), out);
    listing.add(one("incoming", "AFFE0A9A28"), out);
    ListedMessage deferred = one("deferred", "4jYYyM2CSKz1cmy9");
    deferred.recipients[0].delay_reason = "short";
    listing.add(deferred, out);
    listing.add(one("hold", "4jYYyM2CSKz1cmy9"), out);
    listing.finish(out);
    const std::string rcpt = std::string(47, ' ') + "r@example.com\n\n";
    CHECK(out == "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------\n"
                 "4jYYyM2CSKz1cmy9       105 Tue Nov 24 07:16:27 s@example.com\n" + rcpt +
                 "4jYYyM2CSKz1cmy8*      105 Tue Nov 24 07:16:27 s@example.com\n" + rcpt +
                 "AFFE0A9A28             105 Tue Nov 24 07:16:27 s@example.com\n" + rcpt +
                 "4jYYyM2CSKz1cmy9       105 Tue Nov 24 07:16:27 s@example.com\n" +
                 std::string(71, ' ') + "(short)\n" + rcpt +
                 "4jYYyM2CSKz1cmy9!      105 Tue Nov 24 07:16:27 s@example.com\n" + rcpt +
                 "-- 0 Kbytes in 5 Requests.\n");
}

TEST_CASE("mailq text: empty queue, one request, Kbytes, null sender, reasons, control bytes", "[showq]") {
    UtcZone utc;
    SECTION("empty") {
        std::string out;
        postqueue::TextListing(postqueue::IdLayout::Long).finish(out);
        CHECK(out == "Mail queue is empty\n");
    }
    SECTION("one request of exactly 2048 bytes, one of 1023") {
        postqueue::TextListing listing(postqueue::IdLayout::Short);
        std::string out;
        listing.add(message("incoming", "4Xb2kQ1Zz3z9v", 2048), out);
        listing.finish(out);
        CHECK(out.ends_with("\n\n-- 2 Kbytes in 1 Request.\n"));
        postqueue::TextListing small(postqueue::IdLayout::Short);
        std::string tiny;
        small.add(message("incoming", "4Xb2kQ1Zz3z9v", 1023), tiny);
        small.finish(tiny);
        CHECK(tiny.ends_with("-- 0 Kbytes in 1 Request.\n"));
    }
    SECTION("null sender, a shared reason printed once, right-aligned, control bytes as ?") {
        ListedMessage m = message("deferred", "4Xb2kQ1Zz3z9v", 12345678);
        m.sender = "";
        m.recipients = {{"a\r\n@x", "timeout"}, {"b@x", "timeout"}, {"c@x", "other"}};
        postqueue::TextListing listing(postqueue::IdLayout::Short);
        std::string out;
        listing.add(m, out);
        CHECK(out.find("4Xb2kQ1Zz3z9v12345678 Tue Nov 24 06:52:06  MAILER-DAEMON\n") != std::string::npos);
        CHECK(out.find(std::string(69, ' ') + "(timeout)\n" + std::string(41, ' ') + "a??@x\n" +
                       std::string(41, ' ') + "b@x\n" + std::string(71, ' ') + "(other)\n") != std::string::npos);
    }
    SECTION("deferred recipients without a reason: \"reason unavailable\", as Postfix 3.7") {
        ListedMessage m = message("deferred", "E8867A9A016", 152);
        m.recipients = {{"rcpt1@example.com", "connect to mx.example.com[192.0.2.1]:25: Connection refused"},
                        {"rcpt2@example.org", "short"}, {"rcpt3@example.org", ""}, {"rcpt4@example.org", ""}};
        postqueue::TextListing listing(postqueue::IdLayout::Short);
        std::string out;
        listing.add(m, out);
        CHECK(out == "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
                     "E8867A9A016     152 Tue Nov 24 06:52:06  sender@example.com\n"
                     "                 (connect to mx.example.com[192.0.2.1]:25: Connection refused)\n"
                     "                                         rcpt1@example.com\n"
                     "                                                                       (short)\n"
                     "                                         rcpt2@example.org\n"
                     "                                                          (reason unavailable)\n"
                     "                                         rcpt3@example.org\n"
                     "                                         rcpt4@example.org\n\n");
        ListedMessage held = message("hold", "E8867A9A016", 152);
        std::string no_reason;
        postqueue::TextListing(postqueue::IdLayout::Short).add(held, no_reason);
        CHECK(no_reason.find('(') == std::string::npos);
    }
    SECTION("a reason longer than the line is not indented") {
        ListedMessage m = message("deferred", "4Xb2kQ1Zz3z9v", 1);
        m.recipients = {{"a@x", std::string(100, 'r')}};
        postqueue::TextListing listing(postqueue::IdLayout::Short);
        std::string out;
        listing.add(m, out);
        CHECK(out.find("\n(" + std::string(100, 'r') + ")\n") != std::string::npos);
    }
}

TEST_CASE("postqueue -j prints Postfix's JSON object", "[showq]") {
    ListedMessage m = message("maildrop", "AFFE0A9A282", 133);
    CHECK(postqueue::json_line(m) ==
          "{\"queue_name\": \"maildrop\", \"queue_id\": \"AFFE0A9A282\", \"arrival_time\": 1795503126, "
          "\"message_size\": 133, \"forced_expire\": false, \"sender\": \"sender@example.com\", \"recipients\": "
          "[{\"address\": \"rcpt1@example.com\"}, {\"address\": \"rcpt2@example.org\"}]}\n");
    m.recipients = {{"x@y", "4.4.1 \"down\""}};
    m.forced_expire = true;
    CHECK(postqueue::json_line(m).ends_with(
        "\"forced_expire\": true, \"sender\": \"sender@example.com\", \"recipients\": "
        "[{\"address\": \"x@y\", \"delay_reason\": \"4.4.1 \\\"down\\\"\"}]}\n"));
    m.recipients = {};
    CHECK(postqueue::json_line(m).ends_with("\"recipients\": []}\n"));
}

TEST_CASE("JSON quoting: controls, backslash, UTF-8 kept, stray 8-bit bytes escaped", "[showq]") {
    CHECK(postqueue::json_quote("") == "\"\"");
    CHECK(postqueue::json_quote(std::string("a\0b", 3)) == "\"a\\u0000b\"");
    CHECK(postqueue::json_quote("\\\n\t\x7f") == "\"\\\\\\n\\t\\u007f\"");
    CHECK(postqueue::json_quote("s\xc3\xa9") == "\"s\xc3\xa9\"");
    CHECK(postqueue::json_quote("\xe9t\xc3") == "\"\\u00e9t\\u00c3\"");
}
