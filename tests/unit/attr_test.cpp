// tests/unit/attr_test.cpp - lib/mail/attr: attribute lists, wire format,
// incremental decoder limits, blocking message I/O over a socketpair
#include "lib/mail/attr.h"

#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "lib/base/unix_socket.h"

using namespace tern;

namespace {

// Decodes exactly one message from `wire`, which must hold nothing more.
Result<AttrList> decode_one(std::string_view wire, const AttrLimits& limits = {}) {
    AttrDecoder decoder(limits);
    auto used = decoder.feed(wire);
    if (!used) return tl::unexpected(used.error());
    auto message = decoder.take_message();
    REQUIRE(message);
    CHECK(*used == wire.size());
    return std::move(*message);
}

// Feeds `wire` whole and expects a refusal whose text contains `reason`.
void check_refused(std::string_view wire, std::string_view reason, const AttrLimits& limits = {}) {
    AttrDecoder decoder(limits);
    auto used = decoder.feed(wire);
    REQUIRE_FALSE(used);
    CHECK_THAT(used.error().text, Catch::Contains(std::string(reason)));
    CHECK(used.error().retry == Retry::Permanent);
    CHECK(decoder.failed());
    CHECK_FALSE(decoder.feed("TRNA"));  // stays failed
    CHECK_FALSE(decoder.take_message());
}

std::string u32(std::uint32_t value) {
    return {static_cast<char>(value >> 24), static_cast<char>(value >> 16), static_cast<char>(value >> 8),
            static_cast<char>(value)};
}

std::string header(std::uint32_t count) { return std::string("TRNA\x01") + u32(count); }

std::string attr_bytes(std::string_view name, std::string_view value) {
    return std::string(1, static_cast<char>(name.size())) + std::string(name) + u32(value.size()) + std::string(value);
}

}  // namespace

TEST_CASE("AttrList add, get, require, get_int, allow_only", "[attr]") {
    AttrList list;
    list.add("queue_id", "4Xyz").add_int("status", -42).add("empty", "");
    CHECK(list.size() == 3);
    CHECK(list.get("queue_id") == "4Xyz");
    CHECK(list.get("empty") == "");
    CHECK_FALSE(list.get("missing"));
    CHECK(*list.require("queue_id") == "4Xyz");
    auto missing = list.require("missing");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().text == "missing attribute \"missing\"");
    CHECK(*list.get_int("status") == -42);
    auto not_number = list.get_int("queue_id");
    REQUIRE_FALSE(not_number);
    CHECK_THAT(not_number.error().text, Catch::Contains("\"queue_id\""));
    CHECK_FALSE(list.get_int("empty"));
    CHECK_FALSE(list.get_int("missing"));
    CHECK(list.allow_only({"queue_id", "status", "empty", "extra"}));
    auto unknown = list.allow_only({"queue_id", "status"});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().text == "unexpected attribute \"empty\"");
}

TEST_CASE("attribute names are 1..100 characters of [a-z0-9_]", "[attr]") {
    CHECK(is_valid_attr_name("a"));
    CHECK(is_valid_attr_name("queue_id_2"));
    CHECK(is_valid_attr_name(std::string(100, 'x')));
    CHECK_FALSE(is_valid_attr_name(std::string(101, 'x')));
    CHECK_FALSE(is_valid_attr_name(""));
    CHECK_FALSE(is_valid_attr_name("Queue"));
    CHECK_FALSE(is_valid_attr_name("a-b"));
    CHECK_FALSE(is_valid_attr_name(std::string_view("a\0b", 3)));
    CHECK_FALSE(is_valid_attr_name("\xc3\xa4"));
}

TEST_CASE("the wire format is the documented one", "[attr]") {
    AttrList list;
    list.add("ab", "xyz");
    CHECK(encode(list) == std::string("TRNA\x01\0\0\0\x01\x02" "ab\0\0\0\x03xyz\n", 20));
    CHECK(encode(AttrList{}) == std::string("TRNA\x01\0\0\0\0\n", 10));
    std::string out = "prefix";
    encode(list, out);
    CHECK(out == "prefix" + encode(list));
}

TEST_CASE("round trips keep order and binary values", "[attr]") {
    CHECK(*decode_one(encode(AttrList{})) == AttrList{});

    AttrList list;
    std::string all_bytes;
    for (int c = 0; c < 256; ++c) all_bytes.push_back(static_cast<char>(c));
    list.add("zeta", std::string("a\0b\r\n.\n", 7)).add("alpha", all_bytes).add("empty", "").add("bare_lf", "\n");
    auto decoded = decode_one(encode(list));
    REQUIRE(decoded);
    CHECK(*decoded == list);
    CHECK(decoded->begin()->name == "zeta");
}

TEST_CASE("value length exactly at the limit passes, one past is refused", "[attr]") {
    AttrLimits limits;
    limits.max_value_bytes = 1000;
    AttrList at_limit;
    at_limit.add("v", std::string(1000, '\xff'));
    CHECK(*decode_one(encode(at_limit), limits) == at_limit);

    // Refused from the length field alone: nothing of the value is sent.
    check_refused(header(1) + std::string("\x01v", 2) + u32(1001), "value too long: 1001 bytes", limits);
    check_refused(header(1) + std::string("\x01v", 2) + u32(0xffffffff), "value too long", limits);
}

TEST_CASE("attribute count and name length limits", "[attr]") {
    AttrLimits limits;
    limits.max_attributes = 3;
    AttrList three;
    three.add("a", "1").add("b", "2").add("c", "3");
    CHECK(*decode_one(encode(three), limits) == three);
    AttrList four = three;
    four.add("d", "4");
    check_refused(encode(four), "too many attributes: 4 (limit 3)", limits);
    check_refused(header(0xffffffff), "too many attributes");

    AttrList long_name;
    long_name.add(std::string(100, 'n'), "x");
    CHECK(*decode_one(encode(long_name)) == long_name);
    check_refused(header(1) + std::string(1, char(101)) + std::string(101, 'n'), "name too long: 101");
    check_refused(header(1) + std::string(1, '\0'), "empty attribute name");
}

TEST_CASE("message size limit is checked before reading or allocating", "[attr]") {
    AttrLimits limits;
    limits.max_message_bytes = 100;
    AttrList fits;
    fits.add("v", std::string(100 - 10 - 1 - 1 - 4, 'x'));  // header+count 9, end 1
    REQUIRE(encode(fits).size() == 100);
    CHECK(*decode_one(encode(fits), limits) == fits);
    AttrList one_more;
    one_more.add("v", std::string(100 - 10 - 1 - 1 - 4 + 1, 'x'));
    check_refused(encode(one_more).substr(0, 20), "exceeds 100 bytes", limits);
    check_refused(header(20), "20 attributes cannot fit in 100 bytes", limits);
}

TEST_CASE("duplicate names, bad names, bad version, bad magic, bad end are refused", "[attr]") {
    check_refused(header(2) + attr_bytes("a", "1") + attr_bytes("a", "2") + "\n", "duplicate attribute \"a\"");
    check_refused(header(1) + attr_bytes("Ab", "1") + "\n", "bad character in attribute name");
    check_refused(header(1) + attr_bytes(std::string_view("a\0", 2), "1") + "\n", "bad character");
    check_refused(header(1) + attr_bytes("a-b", "1") + "\n", "bad character");
    check_refused(std::string("TRNA\x02") + u32(0) + "\n", "unsupported attribute message version 2 (expected 1)");
    check_refused(std::string("TRNA\x00", 5) + u32(0) + "\n", "version 0");
    check_refused("GET / HTTP/1.0\r\n\r\n", "bad magic");
    check_refused(header(0) + "X", "end marker");
    check_refused(header(1) + attr_bytes("a", "1") + attr_bytes("b", "2"), "end marker");
}

TEST_CASE("decoder takes input one byte at a time and stops at each message end", "[attr]") {
    AttrList first;
    first.add("request", "flush").add("data", std::string("\0\xff", 2));
    AttrList second;
    second.add("status", "0");
    const std::string wire = encode(first) + encode(second);

    AttrDecoder decoder;
    std::vector<AttrList> got;
    for (std::size_t i = 0; i < wire.size(); ++i) {
        CHECK(decoder.mid_message() == (i != 0 && i != encode(first).size()));
        CHECK(decoder.want() >= 1);
        auto used = decoder.feed(wire.substr(i, 1));
        REQUIRE(used);
        CHECK(*used == 1);
        if (auto message = decoder.take_message()) got.push_back(std::move(*message));
    }
    CHECK(got == std::vector<AttrList>{first, second});
    CHECK_FALSE(decoder.mid_message());
}

TEST_CASE("two messages in one feed come out one at a time", "[attr]") {
    AttrList first;
    first.add("a", "1");
    AttrList second;
    second.add("b", "2");
    const std::string wire = encode(first) + encode(second);
    AttrDecoder decoder;
    auto used = decoder.feed(wire);
    REQUIRE(used);
    CHECK(*used == encode(first).size());
    CHECK(*decoder.feed(std::string_view(wire).substr(*used)) == 0);  // waits for take_message
    CHECK(decoder.take_message() == first);
    CHECK_FALSE(decoder.take_message());
    CHECK(*decoder.feed(std::string_view(wire).substr(*used)) == encode(second).size());
    CHECK(decoder.take_message() == second);
}

TEST_CASE("truncated input needs more and is never a message", "[attr]") {
    AttrList list;
    list.add("a", "value").add("b", "");
    const std::string wire = encode(list);
    for (std::size_t cut = 0; cut < wire.size(); ++cut) {
        AttrDecoder decoder;
        auto used = decoder.feed(wire.substr(0, cut));
        REQUIRE(used);
        CHECK(*used == cut);
        CHECK_FALSE(decoder.take_message());
        CHECK(decoder.mid_message() == (cut > 0));
        CHECK(decoder.want() >= 1);
    }
}

TEST_CASE("want() never reaches past the current message", "[attr]") {
    AttrList list;
    list.add("a", std::string(50, 'x'));
    AttrDecoder decoder;
    CHECK(decoder.want() == 5);
    std::size_t total = 0;
    const std::string wire = encode(list);
    while (!decoder.take_message()) {
        const std::size_t want = decoder.want();
        REQUIRE(want >= 1);
        REQUIRE(total + want <= wire.size());
        CHECK(*decoder.feed(std::string_view(wire).substr(total, want)) == want);
        total += want;
    }
    CHECK(total == wire.size());
}

TEST_CASE("write and read one message at a time over a socketpair", "[attr]") {
    auto pair = unix_socketpair();
    REQUIRE(pair);
    AttrList first;
    first.add("request", "cleanup").add("blob", std::string(40000, '\0'));
    AttrList second;
    second.add("status", "0");
    // Both in the socket before reading: the reader must stop at the first end.
    REQUIRE(write_attr_message(pair->first.get(), first, 1000));
    REQUIRE(write_attr_message(pair->first.get(), second, 1000));
    CHECK(read_attr_message(pair->second.get(), AttrLimits{}, 1000) == first);
    CHECK(read_attr_message(pair->second.get(), AttrLimits{}, 1000) == second);
}

TEST_CASE("read_attr_message reports a peer gone mid-message, a clean close, a timeout, a refusal", "[attr]") {
    AttrList list;
    list.add("a", "value");
    const std::string wire = encode(list);
    {
        auto pair = unix_socketpair();
        REQUIRE(pair);
        REQUIRE(write_all(pair->first.get(), wire.substr(0, 8), 1000));
        pair->first.reset();
        auto got = read_attr_message(pair->second.get(), AttrLimits{}, 1000);
        REQUIRE_FALSE(got);
        CHECK(got.error().text == "peer closed mid-message");
        CHECK(got.error().temporary());
    }
    {
        auto pair = unix_socketpair();
        REQUIRE(pair);
        pair->first.reset();
        auto got = read_attr_message(pair->second.get(), AttrLimits{}, 1000);
        REQUIRE_FALSE(got);
        CHECK(got.error().text == "peer closed connection");
    }
    {
        auto pair = unix_socketpair();
        REQUIRE(pair);
        REQUIRE(write_all(pair->first.get(), wire.substr(0, 8), 1000));
        auto got = read_attr_message(pair->second.get(), AttrLimits{}, 50);
        REQUIRE_FALSE(got);
        CHECK(got.error().errno_value == ETIMEDOUT);
        CHECK(got.error().temporary());
    }
    {
        auto pair = unix_socketpair();
        REQUIRE(pair);
        REQUIRE(write_all(pair->first.get(), "garbage!garbage!", 1000));
        auto got = read_attr_message(pair->second.get(), AttrLimits{}, 1000);
        REQUIRE_FALSE(got);
        CHECK_THAT(got.error().text, Catch::Contains("bad magic"));
        CHECK_FALSE(got.error().temporary());
    }
}

TEST_CASE("write_attr_message to a closed peer fails without SIGPIPE", "[attr]") {
    auto pair = unix_socketpair();
    REQUIRE(pair);
    pair->second.reset();
    AttrList list;
    list.add("a", "1");
    auto sent = write_attr_message(pair->first.get(), list, 1000);
    REQUIRE_FALSE(sent);
    CHECK(sent.error().errno_value == EPIPE);
}
