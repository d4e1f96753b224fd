// tests/unit/queue_record_test.cpp - record framing and fixed payloads of queue files
#include "lib/mail/queue_record.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "tests/unit/test_support.h"

using tern_test::at;

TEST_CASE("record header framing", "[queue_record]") {
    std::string out;
    tern::append_record(out, tern::RecordType::Sender, "abc");
    CHECK(out == std::string("F\0\0\0\x03" "abc", 8));
    const auto header = tern::decode_record_header(out);
    REQUIRE(header);
    CHECK(header->type == 'F');
    CHECK(header->length == 3);
    std::string big;
    tern::append_record_header(big, tern::RecordType::Content, 0xfffefdfcu);
    CHECK(tern::decode_record_header(big)->length == 0xfffefdfcu);
    CHECK_FALSE(tern::decode_record_header(big.substr(0, 4)));
    CHECK(tern::is_known_record_type('C'));
    CHECK_FALSE(tern::is_known_record_type('Z'));
    CHECK_FALSE(tern::is_known_record_type('\0'));
}

TEST_CASE("delay warning record codec: 12 digits, 0 is not yet", "[queue_record]") {
    CHECK(tern::encode_warning(0) == "000000000000");
    CHECK(tern::encode_warning(1700000000) == "001700000000");
    CHECK(tern::encode_warning(-5) == "000000000000");
    CHECK(tern::encode_warning(tern::kMaxScheduleSeconds + 1) == "999999999999");
    CHECK(tern::encode_warning(1700000000).size() == tern::kWarningPayloadBytes);
    CHECK(tern::decode_warning("000000000000") == std::int64_t{0});
    CHECK(tern::decode_warning("001700000000") == std::int64_t{1700000000});
    CHECK(tern::decode_warning("999999999999") == tern::kMaxScheduleSeconds);
    CHECK_FALSE(tern::decode_warning(""));
    CHECK_FALSE(tern::decode_warning("00170000000"));     // one short
    CHECK_FALSE(tern::decode_warning("0017000000000"));   // one long
    CHECK_FALSE(tern::decode_warning("-01700000000"));
    CHECK_FALSE(tern::decode_warning("+01700000000"));
    CHECK_FALSE(tern::decode_warning(" 01700000000"));
    CHECK_FALSE(tern::decode_warning(std::string("00170000000") + std::string(1, '\0')));
    CHECK_FALSE(tern::decode_warning("00170000000\xff"));
    CHECK(tern::is_known_record_type('W'));
    CHECK(tern::record_type_name(tern::RecordType::Warning) == "delay warning");
}

TEST_CASE("fixed payload codecs", "[queue_record]") {
    CHECK(tern::encode_schedule({1700000000, 5}) == "001700000000 000005");
    CHECK(tern::decode_schedule("001700000000 000005") == tern::Schedule{1700000000, 5});
    CHECK(tern::encode_schedule({-1, 5000000}) == "000000000000 999999");
    CHECK_FALSE(tern::decode_schedule("001700000000-000005"));
    CHECK_FALSE(tern::decode_schedule("00170000000+ 000005"));
    CHECK_FALSE(tern::decode_schedule("001700000000 00005"));
    CHECK(tern::encode_arrival(at(1700000000, 5)) == "1700000000.000005");
    CHECK(tern::decode_arrival("0.000000").has_value());
    CHECK_FALSE(tern::decode_arrival("01.000000"));
    CHECK_FALSE(tern::decode_arrival("1.00000"));
    CHECK_FALSE(tern::decode_arrival("1.0000000"));
    CHECK_FALSE(tern::decode_arrival(".000000"));
    CHECK_FALSE(tern::decode_arrival("1000000000000.000000"));
    CHECK(tern::decode_end(tern::encode_end(UINT64_MAX)) == UINT64_MAX);
    CHECK_FALSE(tern::decode_end("99999999999999999999"));  // past 2^64
    CHECK(tern::decode_notify("15") == std::nullopt);        // NEVER with others
    CHECK(tern::decode_notify("14") == 14u);
    CHECK(tern::decode_notify("1") == 1u);
    CHECK(tern::decode_status("D") == tern::RecipientStatus::Done);
    CHECK_FALSE(tern::decode_status("d"));
}
