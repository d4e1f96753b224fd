// cleanup/envelope.cpp - envelope and recipient requests (see envelope.h)
#include "cleanup/envelope.h"

#include <charconv>

#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/queue_file.h"

namespace cleanup {
namespace {

using tern::AttrList;

tl::unexpected<tern::Error> bad(std::string_view name, std::string_view why) {
    return tern::fail(tern::Retry::Permanent, "attribute " + std::string(name) + ": " + std::string(why));
}

// Attributes copied into the queue file as "A" records, by the same name.
constexpr std::string_view kClientAttributes[] = {
    tern::kCleanupClientName, tern::kCleanupReverseClientName, tern::kCleanupClientAddress,
    tern::kCleanupClientPort, tern::kCleanupHeloName,          tern::kCleanupProtocol,
    tern::kCleanupSubmitUid,  tern::kCleanupSubmitUser,        tern::kCleanupFullName,
    tern::kCleanupSmtputf8,   tern::kCleanupBody,
};

tern::Status read_flags(const AttrList& request, Envelope& e) {
    const std::optional<std::string_view> flags = request.get(tern::kCleanupFlags);
    if (!flags) {
        e.flags = tern::kCleanupFlagsDefault;
        return {};
    }
    const std::optional<long long> n = tern::parse_integer(*flags);
    if (!n || *n < 0 || *n > 0xffff) return bad(tern::kCleanupFlags, "not a flag set");
    e.flags = static_cast<unsigned>(*n);
    return {};
}

tern::Status read_dsn(const AttrList& request, Envelope& e) {
    if (const auto envid = request.get(tern::kCleanupEnvid)) {
        if (!tern::valid_envelope_text(*envid) || envid->size() > 100) return bad(tern::kCleanupEnvid, "bad value");
        e.envid = *envid;
    }
    if (const auto ret = request.get(tern::kCleanupRet)) {
        if (tern::iequals(*ret, "FULL")) e.ret = tern::DsnRet::Full;
        else if (tern::iequals(*ret, "HDRS")) e.ret = tern::DsnRet::Headers;
        else return bad(tern::kCleanupRet, "neither FULL nor HDRS");
    }
    return {};
}

}  // namespace

tern::Result<timeval> parse_arrival(std::string_view text) {
    const std::size_t dot = text.find('.');
    const std::string_view secs = text.substr(0, dot);
    const std::string_view micros = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    long long s = 0, us = 0;
    auto [p, ec] = std::from_chars(secs.data(), secs.data() + secs.size(), s);
    if (secs.empty() || ec != std::errc() || p != secs.data() + secs.size() || s < 0)
        return bad(tern::kCleanupArrival, "bad time");
    if (dot != std::string_view::npos) {
        auto [q, ec2] = std::from_chars(micros.data(), micros.data() + micros.size(), us);
        if (micros.empty() || micros.size() > 6 || ec2 != std::errc() || q != micros.data() + micros.size())
            return bad(tern::kCleanupArrival, "bad time");
        for (std::size_t i = micros.size(); i < 6; ++i) us *= 10;
    }
    timeval t{};
    t.tv_sec = static_cast<time_t>(s);
    t.tv_usec = static_cast<suseconds_t>(us);
    return t;
}

tern::Result<Envelope> parse_envelope(const AttrList& request) {
    using namespace tern;
    if (Status s = request.allow_only({kCleanupRequest, kCleanupSender, kCleanupFlags, kCleanupEnvid, kCleanupRet,
                                       kCleanupSmtputf8, kCleanupBody, kCleanupClientName, kCleanupReverseClientName,
                                       kCleanupClientAddress, kCleanupClientPort, kCleanupHeloName, kCleanupProtocol,
                                       kCleanupSubmitUid, kCleanupSubmitUser, kCleanupFullName, kCleanupArrival});
        !s)
        return tl::unexpected(s.error());
    const std::optional<std::string_view> sender = request.get(kCleanupSender);
    if (!sender) return bad(kCleanupSender, "missing");
    if (!valid_envelope_text(*sender)) return bad(kCleanupSender, "bad address");
    Envelope e;
    e.sender = *sender;
    if (Status s = read_flags(request, e); !s) return tl::unexpected(s.error());
    if (Status s = read_dsn(request, e); !s) return tl::unexpected(s.error());
    for (const std::string_view name : kClientAttributes) {
        const std::optional<std::string_view> v = request.get(name);
        if (!v) continue;
        if (!valid_envelope_text(*v) || v->size() > 1000) return bad(name, "bad value");
        e.attributes.emplace_back(name, *v);
    }
    const auto text = [&](std::string_view name) { return std::string(request.get(name).value_or("")); };
    e.client_name = text(kCleanupClientName);
    e.client_address = text(kCleanupClientAddress);
    e.helo_name = text(kCleanupHeloName);
    e.protocol = text(kCleanupProtocol);
    e.submit_uid = text(kCleanupSubmitUid);
    e.full_name = text(kCleanupFullName);
    if (const auto arrival = request.get(kCleanupArrival)) {
        Result<timeval> t = parse_arrival(*arrival);
        if (!t) return tl::unexpected(t.error());
        e.arrival = *t;
        e.has_arrival = true;
    }
    return e;
}

tern::Result<RecipientRequest> parse_recipient(const AttrList& request) {
    using namespace tern;
    if (Status s = request.allow_only({kCleanupRequest, kCleanupAddress, kCleanupOrcpt, kCleanupNotify}); !s)
        return tl::unexpected(s.error());
    const std::optional<std::string_view> address = request.get(kCleanupAddress);
    if (!address) return bad(kCleanupAddress, "missing");
    if (address->empty() || !valid_envelope_text(*address)) return bad(kCleanupAddress, "bad address");
    RecipientRequest r;
    r.address = *address;
    if (const auto orcpt = request.get(kCleanupOrcpt)) {
        if (!valid_envelope_text(*orcpt)) return bad(kCleanupOrcpt, "bad value");
        r.orcpt = *orcpt;
    }
    if (const auto notify = request.get(kCleanupNotify)) {
        const std::optional<long long> n = parse_integer(*notify);
        if (!n || *n < 1 || *n > static_cast<long long>(kDsnNotifyAll)) return bad(kCleanupNotify, "not 1..15");
        r.notify = static_cast<unsigned>(*n);
    }
    return r;
}

}  // namespace cleanup
