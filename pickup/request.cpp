// pickup/request.cpp - the cleanup requests for one maildrop file (contract in request.h)
#include "pickup/request.h"

#include <cstdio>
#include <limits>

#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"
#include "lib/mail/queue_record.h"

namespace pickup {

namespace {

constexpr std::string_view kFullNameAttribute = "full_name";
constexpr std::string_view kBodyTypeAttribute = "body_type";
constexpr std::string_view kSubmitUidAttribute = "submit_uid";

// Only the body types sendmail -B can give; anything else is dropped.
std::optional<std::string> body_value(const tern::QueueFile& file) {
    const std::string* body = file.attribute(kBodyTypeAttribute);
    if (body == nullptr) return std::nullopt;
    if (tern::iequals(*body, "7BIT")) return "7BIT";
    if (tern::iequals(*body, "8BITMIME")) return "8BITMIME";
    return std::nullopt;
}

}  // namespace

uid_t submit_uid(const tern::QueueFile& file, uid_t owner) noexcept {
    const std::string* text = file.attribute(kSubmitUidAttribute);
    if (text == nullptr) return owner;
    const std::optional<long long> value = tern::parse_integer(*text);
    if (!value || *value < 0 || static_cast<unsigned long long>(*value) >= std::numeric_limits<uid_t>::max())
        return owner;
    return static_cast<uid_t>(*value);
}

std::string arrival_text(const timespec& when) {
    char text[48];
    std::snprintf(text, sizeof text, "%lld.%06ld", static_cast<long long>(when.tv_sec),
                  static_cast<long>(when.tv_nsec / 1000));
    return text;
}

tern::AttrList envelope_request(const tern::QueueFile& file, const Submitter& who, const timespec& arrival) {
    tern::AttrList env;
    env.add(tern::kCleanupRequest, tern::kCleanupRequestEnvelope)
        .add(tern::kCleanupSender, file.sender)
        .add_int(tern::kCleanupFlags, tern::kCleanupFlagsDefault);
    if (!file.envid.empty()) env.add(tern::kCleanupEnvid, file.envid);
    if (file.ret != tern::DsnRet::None) env.add(tern::kCleanupRet, tern::encode_ret(file.ret));
    if (std::optional<std::string> body = body_value(file)) env.add(tern::kCleanupBody, *body);
    env.add(tern::kCleanupProtocol, "local")
        .add_int(tern::kCleanupSubmitUid, static_cast<long long>(who.uid))
        .add(tern::kCleanupSubmitUser, who.user);
    if (const std::string* name = file.attribute(kFullNameAttribute))
        env.add(tern::kCleanupFullName, std::string_view(*name).substr(0, kMaxFullNameBytes));
    env.add(tern::kCleanupArrival, arrival_text(arrival));
    return env;
}

std::vector<tern::AttrList> recipient_requests(const tern::QueueFile& file) {
    std::vector<tern::AttrList> requests;
    requests.reserve(file.recipients.size());
    for (const tern::QueueRecipient& r : file.recipients) {
        if (r.status == tern::RecipientStatus::Done) continue;
        tern::AttrList request;
        request.add(tern::kCleanupRequest, tern::kCleanupRequestRecipient).add(tern::kCleanupAddress, r.address);
        if (!r.orcpt.empty()) request.add(tern::kCleanupOrcpt, r.orcpt);
        if (r.notify != 0) request.add_int(tern::kCleanupNotify, r.notify);
        requests.push_back(std::move(request));
    }
    return requests;
}

}  // namespace pickup
