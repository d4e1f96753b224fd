// tests/unit/delivery_protocol_test.cpp - lib/mail/delivery_protocol: round trips and strict decoding
#include "lib/mail/delivery_protocol.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

tern::DeliveryRequest sample_request(std::size_t recipients = 2) {
    tern::DeliveryRequest request{
        .queue_name = "active",
        .queue_id = "4Xb2kQ1Zz3z9v",
        .transport = "smtp",
        .nexthop = "[192.0.2.7]:25",
        .sender = "a@example.com",
        .envid = "env-1",
        .ret = tern::DsnRet::Headers,
        .arrival = {1700000000, 42},
        .active_since = {1700000001, 999999},
        .flags = tern::kDeliveryFlagExpand,
        .recipients = {},
    };
    for (std::size_t i = 0; i < recipients; ++i)
        request.recipients.push_back({.address = "r" + std::to_string(i) + "@example.com",
                                      .orcpt = i % 2 ? "rfc822;R@example.com" : "",
                                      .notify = i % 2 ? tern::kDsnNotifySuccess | tern::kDsnNotifyFailure : 0u,
                                      .offset = 100 + i});
    return request;
}

// The request's wire attributes with `name` replaced (or removed when value is nullptr).
tern::AttrList with(const tern::AttrList& in, std::string_view name, const char* value) {
    tern::AttrList out;
    bool found = false;
    for (const tern::Attr& a : in) {
        if (a.name == name) {
            found = true;
            if (value) out.add(a.name, value);
            continue;
        }
        out.add(a.name, a.value);
    }
    if (!found && value) out.add(name, value);
    return out;
}

}  // namespace

TEST_CASE("a delivery request round-trips", "[delivery_protocol]") {
    const tern::DeliveryRequest request = sample_request(3);
    const auto back = tern::decode_delivery_request(tern::encode_delivery_request(request));
    REQUIRE(back);
    CHECK(back->queue_id == request.queue_id);
    CHECK(back->queue_name == "active");
    CHECK(back->transport == "smtp");
    CHECK(back->nexthop == "[192.0.2.7]:25");
    CHECK(back->sender == "a@example.com");
    CHECK(back->envid == "env-1");
    CHECK(back->ret == tern::DsnRet::Headers);
    CHECK(back->arrival.tv_sec == 1700000000);
    CHECK(back->arrival.tv_usec == 42);
    CHECK(back->active_since.tv_usec == 999999);
    CHECK(back->flags == tern::kDeliveryFlagExpand);
    CHECK(back->recipients == request.recipients);
}

TEST_CASE("a request with the null sender and no DSN values round-trips", "[delivery_protocol]") {
    tern::DeliveryRequest request = sample_request(1);
    request.sender.clear();
    request.envid.clear();
    request.ret = tern::DsnRet::None;
    request.nexthop.clear();
    const tern::AttrList wire = tern::encode_delivery_request(request);
    CHECK_FALSE(wire.contains("envid"));
    CHECK_FALSE(wire.contains("ret"));
    const auto back = tern::decode_delivery_request(wire);
    REQUIRE(back);
    CHECK(back->sender.empty());
    CHECK(back->ret == tern::DsnRet::None);
}

TEST_CASE("recipient counts are bounded", "[delivery_protocol]") {
    CHECK(tern::decode_delivery_request(tern::encode_delivery_request(sample_request(tern::kMaxDeliveryRecipients))));
    const tern::AttrList too_many = tern::encode_delivery_request(sample_request(tern::kMaxDeliveryRecipients + 1));
    const auto refused = tern::decode_delivery_request(too_many);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().text.find("recipient_count") != std::string::npos);
    CHECK_FALSE(tern::decode_delivery_request(with(tern::encode_delivery_request(sample_request(1)),
                                                   "recipient_count", "0")));
}

TEST_CASE("a request whose count disagrees with its recipients is refused", "[delivery_protocol]") {
    const tern::AttrList wire = tern::encode_delivery_request(sample_request(2));
    const auto fewer = tern::decode_delivery_request(with(wire, "recipient_count", "1"));
    REQUIRE_FALSE(fewer);
    CHECK(fewer.error().text.find("rcpt_1_") != std::string::npos);
    const auto more = tern::decode_delivery_request(with(wire, "recipient_count", "3"));
    REQUIRE_FALSE(more);
    CHECK(more.error().text.find("rcpt_2_address") != std::string::npos);
}

TEST_CASE("unknown and malformed request attributes are refused", "[delivery_protocol]") {
    const tern::AttrList wire = tern::encode_delivery_request(sample_request(2));
    REQUIRE(tern::decode_delivery_request(wire));
    const auto unknown = tern::decode_delivery_request(with(wire, "colour", "blue"));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().text.find("colour") != std::string::npos);
    CHECK(unknown.error().retry == tern::Retry::Permanent);
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_colour", "x")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_00_offset", "1")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt__offset", "1")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "request", "flush")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "queue_name", "bounce")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "queue_name", "../etc")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "queue_id", "../passwd")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "transport", "")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "transport", "a/b")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "transport", nullptr)));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "sender", nullptr)));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "ret", "full")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "arrival", "1700000000")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "arrival", "1700000000.1")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "flags", "-1")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "flags", "+1")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "flags", "2")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "flags", "1 ")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_offset", "")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_offset", "18446744073709551616")));
    CHECK(tern::decode_delivery_request(with(wire, "rcpt_0_offset", "18446744073709551615")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_address", "")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_orcpt", "")));
}

TEST_CASE("envelope texts with NUL, CR or LF are refused; 8-bit bytes pass", "[delivery_protocol]") {
    const tern::AttrList wire = tern::encode_delivery_request(sample_request(1));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "sender", "a@b\r\nRCPT TO:<x>")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_address", "b@example.com\n")));
    tern::AttrList nul;
    for (const tern::Attr& a : wire) nul.add(a.name, a.name == "rcpt_0_address" ? std::string("b\0c", 3) : a.value);
    CHECK_FALSE(tern::decode_delivery_request(nul));
    const auto utf8 = tern::decode_delivery_request(with(wire, "rcpt_0_address", "j\xc3\xb6rg@example.com"));
    REQUIRE(utf8);
    CHECK(utf8->recipients[0].address == "j\xc3\xb6rg@example.com");
}

TEST_CASE("NOTIFY values are checked", "[delivery_protocol]") {
    const tern::AttrList wire = tern::encode_delivery_request(sample_request(1));
    CHECK(tern::decode_delivery_request(with(wire, "rcpt_0_notify", "1")));
    CHECK(tern::decode_delivery_request(with(wire, "rcpt_0_notify", "14")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_notify", "0")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_notify", "16")));
    CHECK_FALSE(tern::decode_delivery_request(with(wire, "rcpt_0_notify", "3")));  // NEVER with SUCCESS
}

TEST_CASE("a delivery reply round-trips", "[delivery_protocol]") {
    tern::DeliveryReply reply{
        .processed = true,
        .reason = "",
        .outcomes = {{tern::DeliveryStatus::Sent, "2.0.0", "delivered to maildir"},
                     {tern::DeliveryStatus::Deferred, "4.4.1", "connect to x: Connection refused"},
                     {tern::DeliveryStatus::Bounced, "5.1.1", "unknown user"}},
        .destination_dead = true,
    };
    const auto back = tern::decode_delivery_reply(tern::encode_delivery_reply(reply), 3);
    REQUIRE(back);
    CHECK(*back == reply);
    CHECK(tern::to_string(tern::DeliveryStatus::Bounced) == "bounced");
}

TEST_CASE("an unprocessed reply carries only a reason", "[delivery_protocol]") {
    const tern::DeliveryReply reply{.processed = false, .reason = "queue file missing", .outcomes = {}};
    const tern::AttrList wire = tern::encode_delivery_reply(reply);
    CHECK(wire.get("status") == "4");
    const auto back = tern::decode_delivery_reply(wire, 5);
    REQUIRE(back);
    CHECK_FALSE(back->processed);
    CHECK(back->reason == "queue file missing");
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "rcpt_0_status", "sent"), 5));
}

TEST_CASE("reply reasons are cleaned and cut by the encoder", "[delivery_protocol]") {
    const std::string long_reason(tern::kMaxDeliveryReasonBytes + 10, 'x');
    tern::DeliveryReply reply;
    reply.outcomes = {{tern::DeliveryStatus::Bounced, "5.0.0", std::string("a\r\nb\0c", 6) + long_reason}};
    const tern::AttrList wire = tern::encode_delivery_reply(reply);
    const auto back = tern::decode_delivery_reply(wire, 1);
    REQUIRE(back);
    CHECK(back->outcomes[0].reason.size() == tern::kMaxDeliveryReasonBytes);
    CHECK(back->outcomes[0].reason.starts_with("a  b"));
    const std::string at_limit(tern::kMaxDeliveryReasonBytes, 'y');
    CHECK(tern::decode_delivery_reply(with(wire, "rcpt_0_reason", at_limit.c_str()), 1));
    const std::string past_limit(tern::kMaxDeliveryReasonBytes + 1, 'y');
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "rcpt_0_reason", past_limit.c_str()), 1));
}

TEST_CASE("replies must match the request", "[delivery_protocol]") {
    tern::DeliveryReply reply;
    reply.outcomes = {{tern::DeliveryStatus::Sent, "2.0.0", "ok"}, {tern::DeliveryStatus::Sent, "2.0.0", "ok"}};
    const tern::AttrList wire = tern::encode_delivery_reply(reply);
    CHECK(tern::decode_delivery_reply(wire, 2));
    CHECK_FALSE(tern::decode_delivery_reply(wire, 1));
    CHECK_FALSE(tern::decode_delivery_reply(wire, 3));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "status", "5"), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "status", nullptr), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "reason", "x"), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "destination_dead", "0"), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "rcpt_0_status", "delivered"), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "rcpt_0_dsn", "2.0"), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "rcpt_0_dsn", "3.0.0"), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "rcpt_0_dsn", "2.0.0000"), 2));
    CHECK(tern::decode_delivery_reply(with(wire, "rcpt_0_dsn", "5.123.456"), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "rcpt_1_reason", nullptr), 2));
    CHECK_FALSE(tern::decode_delivery_reply(with(wire, "rcpt_0_extra", "1"), 2));
}
