// lib/mail/delivery_protocol.cpp - encode and decode delivery requests and replies (qmgr <-> agents)
//
// SYNOPSIS
//     See lib/mail/delivery_protocol.h.
// DESCRIPTION
//     Decoders are strict: every attribute must be known (fixed names, or
//     rcpt_<i>_<field> with i below recipient_count written without
//     leading zeros), numbers are parsed whole with std::from_chars, and
//     every text is valid envelope text. A peer that breaks the protocol
//     gets a Permanent Error naming the attribute.
//     Encoders make texts safe instead of failing: a reason loses its
//     CR, LF and NUL (replaced by spaces) and is cut to
//     kMaxDeliveryReasonBytes.
// LIMITS
//     1..kMaxDeliveryRecipients recipients; reasons of at most
//     kMaxDeliveryReasonBytes; the attribute limits of kDeliveryAttrLimits.
#include "lib/mail/delivery_protocol.h"

#include <array>
#include <charconv>
#include <optional>

#include "lib/mail/queue_file.h"
#include "lib/mail/queue_id.h"
#include "lib/mail/queue_name.h"
#include "lib/mail/queue_record.h"

namespace tern {
namespace {

constexpr std::array<std::string_view, 12> kRequestNames{
    "request", "queue_name", "queue_id", "transport", "nexthop", "sender",
    "envid",   "ret",        "arrival",  "active_since", "flags", "recipient_count",
};
constexpr std::array<std::string_view, 4> kRequestRecipientFields{"address", "offset", "orcpt", "notify"};
constexpr std::array<std::string_view, 3> kReplyNames{"status", "reason", "destination_dead"};
constexpr std::array<std::string_view, 3> kReplyRecipientFields{"status", "dsn", "reason"};
constexpr std::size_t kMaxTransportBytes = 100;
constexpr unsigned kAllFlags = kDeliveryFlagExpand;

tl::unexpected<Error> refuse(std::string_view name, std::string_view what) {
    return fail(Retry::Permanent, "delivery protocol: attribute \"" + std::string(name) + "\" " + std::string(what));
}

std::string rcpt_name(std::size_t index, std::string_view field) {
    return "rcpt_" + std::to_string(index) + "_" + std::string(field);
}

template <std::size_t N>
bool is_one_of(std::string_view name, const std::array<std::string_view, N>& names) noexcept {
    for (std::string_view known : names)
        if (name == known) return true;
    return false;
}

template <class T>
std::optional<T> parse_unsigned(std::string_view text) noexcept {
    T value{};
    if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// True for rcpt_<i>_<field> with i < count and a known field.
template <std::size_t N>
bool is_recipient_name(std::string_view name, std::size_t count,
                       const std::array<std::string_view, N>& fields) noexcept {
    constexpr std::string_view kPrefix = "rcpt_";
    if (!name.starts_with(kPrefix)) return false;
    name.remove_prefix(kPrefix.size());
    const std::size_t underscore = name.find('_');
    if (underscore == std::string_view::npos) return false;
    const std::optional<std::size_t> index = parse_unsigned<std::size_t>(name.substr(0, underscore));
    return index && *index < count && is_one_of(name.substr(underscore + 1), fields);
}

template <std::size_t N, std::size_t M>
Status check_names(const AttrList& message, std::size_t count, const std::array<std::string_view, N>& names,
                   const std::array<std::string_view, M>& fields) {
    for (const Attr& attr : message)
        if (!is_one_of(attr.name, names) && !is_recipient_name(attr.name, count, fields))
            return refuse(attr.name, "is unknown");
    return {};
}

Result<std::string_view> require_text(const AttrList& message, std::string_view name, bool allow_empty = true) {
    Result<std::string_view> value = message.require(name);
    if (!value) return fail(Retry::Permanent, "delivery protocol: " + value.error().text);
    if (!valid_envelope_text(*value)) return refuse(name, "holds NUL, CR or LF");
    if (!allow_empty && value->empty()) return refuse(name, "is empty");
    return value;
}

Result<std::string_view> optional_text(const AttrList& message, std::string_view name) {
    const std::optional<std::string_view> value = message.get(name);
    if (!value) return std::string_view{};
    if (!valid_envelope_text(*value)) return refuse(name, "holds NUL, CR or LF");
    return *value;
}

template <class T>
Result<T> require_unsigned(const AttrList& message, std::string_view name) {
    Result<std::string_view> text = require_text(message, name);
    if (!text) return tl::unexpected(text.error());
    const std::optional<T> value = parse_unsigned<T>(*text);
    if (!value) return refuse(name, "is not a number");
    return *value;
}

Result<timeval> require_time(const AttrList& message, std::string_view name) {
    Result<std::string_view> text = require_text(message, name);
    if (!text) return tl::unexpected(text.error());
    const std::optional<timeval> value = decode_arrival(*text);
    if (!value) return refuse(name, "is not SECONDS.MICROS");
    return *value;
}

std::string_view ret_text(DsnRet ret) noexcept {
    switch (ret) {
    case DsnRet::None: return "";
    case DsnRet::Full: return "FULL";
    case DsnRet::Headers: return "HDRS";
    }
    return "";
}

Result<DsnRet> decode_ret(const AttrList& message) {
    const std::optional<std::string_view> text = message.get("ret");
    if (!text) return DsnRet::None;
    if (*text == "FULL") return DsnRet::Full;
    if (*text == "HDRS") return DsnRet::Headers;
    return refuse("ret", "is not FULL or HDRS");
}

bool valid_notify(unsigned notify) noexcept {
    if (notify == 0 || notify > kDsnNotifyAll) return false;
    return !((notify & kDsnNotifyNever) && notify != kDsnNotifyNever);
}

Result<DeliveryRecipient> decode_recipient(const AttrList& message, std::size_t index) {
    DeliveryRecipient recipient;
    const std::string address_name = rcpt_name(index, "address");
    Result<std::string_view> address = require_text(message, address_name, false);
    if (!address) return tl::unexpected(address.error());
    recipient.address = *address;
    Result<std::uint64_t> offset = require_unsigned<std::uint64_t>(message, rcpt_name(index, "offset"));
    if (!offset) return tl::unexpected(offset.error());
    recipient.offset = *offset;
    const std::string orcpt_name = rcpt_name(index, "orcpt");
    if (message.contains(orcpt_name)) {
        Result<std::string_view> orcpt = require_text(message, orcpt_name, false);
        if (!orcpt) return tl::unexpected(orcpt.error());
        recipient.orcpt = *orcpt;
    }
    const std::string notify_name = rcpt_name(index, "notify");
    if (message.contains(notify_name)) {
        Result<unsigned> notify = require_unsigned<unsigned>(message, notify_name);
        if (!notify) return tl::unexpected(notify.error());
        if (!valid_notify(*notify)) return refuse(notify_name, "is not a valid NOTIFY set");
        recipient.notify = *notify;
    }
    return recipient;
}

Result<std::size_t> decode_count(const AttrList& message) {
    Result<std::size_t> count = require_unsigned<std::size_t>(message, "recipient_count");
    if (!count) return count;
    if (*count == 0 || *count > kMaxDeliveryRecipients) return refuse("recipient_count", "is out of range");
    return count;
}

Status decode_envelope(const AttrList& message, DeliveryRequest& request) {
    Result<std::string_view> kind = require_text(message, "request");
    if (!kind) return tl::unexpected(kind.error());
    if (*kind != "deliver") return refuse("request", "is not \"deliver\"");
    Result<std::string_view> queue_name = require_text(message, "queue_name");
    if (!queue_name) return tl::unexpected(queue_name.error());
    const std::optional<QueueName> queue = queue_name_from_string(*queue_name);
    if (!queue || !holds_queue_files(*queue)) return refuse("queue_name", "is not a queue");
    request.queue_name = *queue_name;
    Result<std::string_view> queue_id = require_text(message, "queue_id");
    if (!queue_id) return tl::unexpected(queue_id.error());
    if (!is_valid_queue_id(*queue_id)) return refuse("queue_id", "is not a queue ID");
    request.queue_id = *queue_id;
    Result<std::string_view> transport = require_text(message, "transport", false);
    if (!transport) return tl::unexpected(transport.error());
    if (transport->size() > kMaxTransportBytes || transport->find('/') != std::string_view::npos)
        return refuse("transport", "is not a service name");
    request.transport = *transport;
    Result<std::string_view> nexthop = require_text(message, "nexthop");
    if (!nexthop) return tl::unexpected(nexthop.error());
    request.nexthop = *nexthop;
    Result<std::string_view> sender = require_text(message, "sender");
    if (!sender) return tl::unexpected(sender.error());
    request.sender = *sender;
    Result<std::string_view> envid = optional_text(message, "envid");
    if (!envid) return tl::unexpected(envid.error());
    request.envid = *envid;
    Result<DsnRet> ret = decode_ret(message);
    if (!ret) return tl::unexpected(ret.error());
    request.ret = *ret;
    return {};
}

Status decode_times_and_flags(const AttrList& message, DeliveryRequest& request) {
    Result<timeval> arrival = require_time(message, "arrival");
    if (!arrival) return tl::unexpected(arrival.error());
    request.arrival = *arrival;
    Result<timeval> active_since = require_time(message, "active_since");
    if (!active_since) return tl::unexpected(active_since.error());
    request.active_since = *active_since;
    Result<unsigned> flags = require_unsigned<unsigned>(message, "flags");
    if (!flags) return tl::unexpected(flags.error());
    if ((*flags & ~kAllFlags) != 0) return refuse("flags", "has unknown bits");
    request.flags = *flags;
    return {};
}

// A text made safe for the wire: no NUL, CR or LF, at most max_bytes.
std::string safe_text(std::string_view text, std::size_t max_bytes) {
    std::string out(text.substr(0, max_bytes));
    for (char& c : out)
        if (c == '\0' || c == '\r' || c == '\n') c = ' ';
    return out;
}

bool valid_dsn(std::string_view dsn) noexcept {
    // RFC 3463: class "." subject "." detail; subject 1..3 digits, detail 1..3.
    if (dsn.size() < 5 || (dsn[0] != '2' && dsn[0] != '4' && dsn[0] != '5') || dsn[1] != '.') return false;
    const std::size_t dot = dsn.find('.', 2);
    if (dot == std::string_view::npos) return false;
    const std::string_view subject = dsn.substr(2, dot - 2);
    const std::string_view detail = dsn.substr(dot + 1);
    const auto digits = [](std::string_view part) noexcept {
        if (part.empty() || part.size() > 3) return false;
        for (char c : part)
            if (c < '0' || c > '9') return false;
        return true;
    };
    return digits(subject) && digits(detail);
}

Result<DeliveryStatus> decode_status(std::string_view name, std::string_view text) {
    if (text == "sent") return DeliveryStatus::Sent;
    if (text == "deferred") return DeliveryStatus::Deferred;
    if (text == "bounced") return DeliveryStatus::Bounced;
    return refuse(name, "is not sent, deferred or bounced");
}

Result<std::string_view> require_reason(const AttrList& message, std::string_view name) {
    Result<std::string_view> reason = require_text(message, name);
    if (!reason) return reason;
    if (reason->size() > kMaxDeliveryReasonBytes) return refuse(name, "is too long");
    return reason;
}

Result<RecipientOutcome> decode_outcome(const AttrList& message, std::size_t index) {
    RecipientOutcome outcome;
    const std::string status_name = rcpt_name(index, "status");
    Result<std::string_view> status_text = require_text(message, status_name);
    if (!status_text) return tl::unexpected(status_text.error());
    Result<DeliveryStatus> status = decode_status(status_name, *status_text);
    if (!status) return tl::unexpected(status.error());
    outcome.status = *status;
    const std::string dsn_name = rcpt_name(index, "dsn");
    Result<std::string_view> dsn = require_text(message, dsn_name);
    if (!dsn) return tl::unexpected(dsn.error());
    if (!valid_dsn(*dsn)) return refuse(dsn_name, "is not an X.Y.Z status code");
    outcome.dsn = *dsn;
    Result<std::string_view> reason = require_reason(message, rcpt_name(index, "reason"));
    if (!reason) return tl::unexpected(reason.error());
    outcome.reason = *reason;
    return outcome;
}

}  // namespace

std::string_view to_string(DeliveryStatus status) noexcept {
    switch (status) {
    case DeliveryStatus::Sent: return "sent";
    case DeliveryStatus::Deferred: return "deferred";
    case DeliveryStatus::Bounced: return "bounced";
    }
    return "deferred";
}

AttrList encode_delivery_request(const DeliveryRequest& request) {
    AttrList out;
    out.add("request", "deliver")
        .add("queue_name", request.queue_name)
        .add("queue_id", request.queue_id)
        .add("transport", request.transport)
        .add("nexthop", request.nexthop)
        .add("sender", request.sender);
    if (!request.envid.empty()) out.add("envid", request.envid);
    if (request.ret != DsnRet::None) out.add("ret", ret_text(request.ret));
    out.add("arrival", encode_arrival(request.arrival))
        .add("active_since", encode_arrival(request.active_since))
        .add_int("flags", request.flags)
        .add_int("recipient_count", static_cast<long long>(request.recipients.size()));
    for (std::size_t i = 0; i < request.recipients.size(); ++i) {
        const DeliveryRecipient& r = request.recipients[i];
        out.add(rcpt_name(i, "address"), r.address).add(rcpt_name(i, "offset"), std::to_string(r.offset));
        if (!r.orcpt.empty()) out.add(rcpt_name(i, "orcpt"), r.orcpt);
        if (r.notify != 0) out.add_int(rcpt_name(i, "notify"), r.notify);
    }
    return out;
}

Result<DeliveryRequest> decode_delivery_request(const AttrList& message) {
    Result<std::size_t> count = decode_count(message);
    if (!count) return tl::unexpected(count.error());
    if (Status names = check_names(message, *count, kRequestNames, kRequestRecipientFields); !names)
        return tl::unexpected(names.error());
    DeliveryRequest request;
    if (Status envelope = decode_envelope(message, request); !envelope) return tl::unexpected(envelope.error());
    if (Status times = decode_times_and_flags(message, request); !times) return tl::unexpected(times.error());
    request.recipients.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        Result<DeliveryRecipient> recipient = decode_recipient(message, i);
        if (!recipient) return tl::unexpected(recipient.error());
        request.recipients.push_back(std::move(*recipient));
    }
    return request;
}

AttrList encode_delivery_reply(const DeliveryReply& reply) {
    AttrList out;
    if (!reply.processed) {
        out.add("status", "4").add("reason", safe_text(reply.reason, kMaxDeliveryReasonBytes));
        return out;
    }
    out.add("status", "0");
    for (std::size_t i = 0; i < reply.outcomes.size(); ++i) {
        const RecipientOutcome& o = reply.outcomes[i];
        out.add(rcpt_name(i, "status"), to_string(o.status))
            .add(rcpt_name(i, "dsn"), o.dsn)
            .add(rcpt_name(i, "reason"), safe_text(o.reason, kMaxDeliveryReasonBytes));
    }
    if (reply.destination_dead) out.add("destination_dead", "1");
    return out;
}

Result<DeliveryReply> decode_delivery_reply(const AttrList& message, std::size_t recipient_count) {
    Result<std::string_view> status = require_text(message, "status");
    if (!status) return tl::unexpected(status.error());
    DeliveryReply reply;
    if (*status == "4") {
        if (Status names = message.allow_only({"status", "reason"}); !names)
            return fail(Retry::Permanent, "delivery protocol: " + names.error().text);
        Result<std::string_view> reason = require_reason(message, "reason");
        if (!reason) return tl::unexpected(reason.error());
        reply.processed = false;
        reply.reason = *reason;
        return reply;
    }
    if (*status != "0") return refuse("status", "is not 0 or 4");
    if (message.contains("reason")) return refuse("reason", "is unknown with status=0");
    if (Status names = check_names(message, recipient_count, kReplyNames, kReplyRecipientFields); !names)
        return tl::unexpected(names.error());
    if (const std::optional<std::string_view> dead = message.get("destination_dead")) {
        if (*dead != "1") return refuse("destination_dead", "is not 1");
        reply.destination_dead = true;
    }
    reply.outcomes.reserve(recipient_count);
    for (std::size_t i = 0; i < recipient_count; ++i) {
        Result<RecipientOutcome> outcome = decode_outcome(message, i);
        if (!outcome) return tl::unexpected(outcome.error());
        reply.outcomes.push_back(std::move(*outcome));
    }
    return reply;
}

}  // namespace tern
