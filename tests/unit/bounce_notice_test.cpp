// tests/unit/bounce_notice_test.cpp - which notices flush, expire and delay requests plan
#include <catch2/catch.hpp>

#include "bounce/bounce_notice.h"
#include "lib/mail/dsn.h"

namespace {

const bounce::NoticeSettings kSettings{.myhostname = "mx.example", .myorigin = "example.org"};

tern::QueueFile file_from(std::string sender) {
    tern::QueueFile f;
    f.sender = std::move(sender);
    const auto add = [&f](std::string address, unsigned notify, std::uint64_t offset) {
        tern::QueueRecipient r;
        r.address = std::move(address);
        r.notify = notify;
        r.status_offset = offset;
        f.recipients.push_back(std::move(r));
    };
    add("b@x", 0, 100);
    add("c@x", tern::kDsnNotifySuccess, 200);
    add("d@x", tern::kDsnNotifyNever, 300);
    add("e@x", tern::kDsnNotifyDelay, 400);
    return f;
}

tern::DeliveryRecord record(std::string rcpt, std::uint64_t offset, std::string action, unsigned notify = 0) {
    tern::DeliveryRecord r;
    r.status = action == "failed" ? "5.1.1" : action == "delayed" ? "4.4.1" : "2.0.0";
    r.recipient = std::move(rcpt);
    r.notify = notify;
    r.offset = offset;
    r.action = std::move(action);
    r.reason = "why";
    return r;
}

}  // namespace

TEST_CASE("bounce notice: flush sends failures and asked-for successes", "[bounce]") {
    const tern::QueueFile f = file_from("a@example.com");
    const std::vector<tern::DeliveryRecord> log = {
        record("b@x", 100, "failed"),
        record("c@x", 200, "delivered", tern::kDsnNotifySuccess),
        record("d@x", 300, "failed", tern::kDsnNotifyNever),
        record("e@x", 400, "failed", tern::kDsnNotifyDelay),
    };
    const bounce::Plan plan = bounce::plan_notices(bounce::RequestKind::Flush, f, log, {}, kSettings, 1);
    REQUIRE(plan.notices.size() == 2);
    CHECK(plan.notices[0].kind == bounce::DsnKind::Failure);
    CHECK(plan.notices[0].to == "a@example.com");
    CHECK(plan.notices[0].envelope_sender.empty());
    CHECK(plan.notices[0].log_label == "sender non-delivery notification");
    REQUIRE(plan.notices[0].records.size() == 1);  // NEVER and DELAY-only recipients are left out
    CHECK(plan.notices[0].records[0].recipient == "b@x");
    CHECK(plan.notices[1].kind == bounce::DsnKind::Success);
    CHECK(plan.notices[1].log_label == "sender delivery status notification");
    CHECK(plan.notices[1].records.size() == 1);
    CHECK(plan.remove_bounce_log);
    CHECK(plan.append_to_bounce_log.empty());
}

TEST_CASE("bounce notice: an empty or all-NEVER log sends nothing but still removes", "[bounce]") {
    const tern::QueueFile f = file_from("a@example.com");
    bounce::Plan plan = bounce::plan_notices(bounce::RequestKind::Flush, f, {}, {}, kSettings, 1);
    CHECK(plan.notices.empty());
    CHECK(plan.remove_bounce_log);
    plan = bounce::plan_notices(bounce::RequestKind::Flush, f, {record("d@x", 300, "failed", tern::kDsnNotifyNever)},
                                {}, kSettings, 1);
    CHECK(plan.notices.empty());
    // A success record without NOTIFY=SUCCESS never produces a report.
    plan = bounce::plan_notices(bounce::RequestKind::Flush, f, {record("b@x", 100, "delivered")}, {}, kSettings, 1);
    CHECK(plan.notices.empty());
}

TEST_CASE("bounce notice: null sender goes to postmaster, double bounces are discarded", "[bounce]") {
    tern::QueueFile f = file_from("");
    const std::vector<tern::DeliveryRecord> log = {record("d@x", 300, "failed", tern::kDsnNotifyNever),
                                                   record("c@x", 200, "delivered", tern::kDsnNotifySuccess)};
    bounce::Plan plan = bounce::plan_notices(bounce::RequestKind::Flush, f, log, {}, kSettings, 1);
    REQUIRE(plan.notices.size() == 1);
    CHECK(plan.notices[0].postmaster_copy);
    CHECK(plan.notices[0].to == "postmaster@example.org");
    CHECK(plan.notices[0].envelope_sender == "double-bounce@example.org");
    CHECK(plan.notices[0].records.size() == 1);  // every failure, NOTIFY or not
    CHECK(plan.notices[0].log_label == "postmaster non-delivery notification");
    CHECK_FALSE(plan.discard_double_bounce);

    for (const char* sender : {"double-bounce", "Double-Bounce@example.org", "double-bounce@mx.example"}) {
        f.sender = sender;
        plan = bounce::plan_notices(bounce::RequestKind::Flush, f, log, {}, kSettings, 1);
        CHECK(plan.notices.empty());
        CHECK(plan.discard_double_bounce);
        CHECK(plan.remove_bounce_log);
    }
    f.sender = "double-bounce@elsewhere.example";
    CHECK_FALSE(bounce::is_double_bounce_sender(f.sender, kSettings));
    CHECK_FALSE(bounce::is_double_bounce_sender("", kSettings));
    CHECK(bounce::qualify("postmaster", "example.org") == "postmaster@example.org");
    CHECK(bounce::qualify("root@h", "example.org") == "root@h");
}

TEST_CASE("bounce notice: expire fails the to-do recipients with their last deferral", "[bounce]") {
    tern::QueueFile f = file_from("a@example.com");
    f.recipients[1].status = tern::RecipientStatus::Done;  // c@x delivered earlier
    std::vector<tern::DeliveryRecord> defer = {record("b@x", 100, "delayed"), record("b@x", 100, "delayed")};
    defer[1].reason = "connect to mx: Connection refused";
    defer[1].remote_mta = "mx.x";
    const std::vector<tern::DeliveryRecord> bounced = {record("e@x", 400, "failed", tern::kDsnNotifyDelay)};
    const bounce::Plan plan = bounce::plan_notices(bounce::RequestKind::Expire, f, bounced, defer, kSettings, 77);
    REQUIRE(plan.append_to_bounce_log.size() == 2);  // b@x and d@x; e@x is in the bounce log already
    const tern::DeliveryRecord& b = plan.append_to_bounce_log[0];
    CHECK(b.recipient == "b@x");
    CHECK(b.action == "failed");
    CHECK(b.status == "4.4.1");
    CHECK(b.reason == "connect to mx: Connection refused");
    CHECK(b.remote_mta == "mx.x");
    CHECK(b.offset == 100);
    CHECK(b.time_s == 77);
    const tern::DeliveryRecord& d = plan.append_to_bounce_log[1];
    CHECK(d.recipient == "d@x");
    CHECK(d.status == "4.4.7");
    CHECK(d.notify == tern::kDsnNotifyNever);
    REQUIRE(plan.notices.size() == 1);
    REQUIRE(plan.notices[0].records.size() == 1);  // b@x only: d@x said NEVER, e@x DELAY only
    CHECK(plan.notices[0].records[0].recipient == "b@x");
    CHECK(plan.remove_bounce_log);

    // Asked again after a crash: nothing new is appended, the notice is the same.
    std::vector<tern::DeliveryRecord> again = bounced;
    again.insert(again.end(), plan.append_to_bounce_log.begin(), plan.append_to_bounce_log.end());
    const bounce::Plan retry = bounce::plan_notices(bounce::RequestKind::Expire, f, again, defer, kSettings, 78);
    CHECK(retry.append_to_bounce_log.empty());
    REQUIRE(retry.notices.size() == 1);
    CHECK(retry.notices[0].records.size() == 1);
}

TEST_CASE("bounce notice: delay warns about to-do recipients whose NOTIFY allows it", "[bounce]") {
    tern::QueueFile f = file_from("a@example.com");
    f.recipients[0].status = tern::RecipientStatus::Done;  // b@x delivered since its deferral
    const std::vector<tern::DeliveryRecord> defer = {
        record("b@x", 100, "delayed"), record("c@x", 200, "delayed", tern::kDsnNotifySuccess),
        record("d@x", 300, "delayed", tern::kDsnNotifyNever), record("e@x", 400, "delayed", tern::kDsnNotifyDelay)};
    bounce::Plan plan = bounce::plan_notices(bounce::RequestKind::Delay, f, {}, defer, kSettings, 1);
    REQUIRE(plan.notices.size() == 1);
    CHECK(plan.notices[0].kind == bounce::DsnKind::Delay);
    CHECK(plan.notices[0].log_label == "sender delay notification");
    REQUIRE(plan.notices[0].records.size() == 1);
    CHECK(plan.notices[0].records[0].recipient == "e@x");
    CHECK_FALSE(plan.remove_bounce_log);
    f.sender = "";
    plan = bounce::plan_notices(bounce::RequestKind::Delay, f, {}, defer, kSettings, 1);
    CHECK(plan.notices.empty());
}

TEST_CASE("bounce notice: notify_classes bounce and delay add optional postmaster copies", "[bounce]") {
    bounce::NoticeSettings settings = kSettings;
    settings.notify_bounce = true;
    settings.notify_delay = true;
    settings.bounce_recipient = "bounces";
    const tern::QueueFile f = file_from("a@example.com");
    bounce::Plan plan = bounce::plan_notices(bounce::RequestKind::Flush, f,
                                             {record("d@x", 300, "failed", tern::kDsnNotifyNever)}, {}, settings, 1);
    REQUIRE(plan.notices.size() == 1);  // the sender said NEVER; postmaster still hears of it
    const bounce::Notice& copy = plan.notices[0];
    CHECK(copy.postmaster_copy);
    CHECK(copy.optional);
    CHECK(copy.headers_only);
    CHECK(copy.to == "bounces@example.org");
    CHECK(copy.envelope_sender == "double-bounce@example.org");
    CHECK(copy.records.size() == 1);

    plan = bounce::plan_notices(bounce::RequestKind::Delay, f, {}, {record("e@x", 400, "delayed", tern::kDsnNotifyDelay)},
                                settings, 1);
    REQUIRE(plan.notices.size() == 2);
    CHECK_FALSE(plan.notices[0].optional);
    CHECK(plan.notices[1].kind == bounce::DsnKind::Delay);
    CHECK(plan.notices[1].to == "postmaster@example.org");
    CHECK(plan.notices[1].log_label == "postmaster delay notification");

    settings.notify_bounce = false;  // a null-sender failure goes to postmaster whatever notify_classes says
    plan = bounce::plan_notices(bounce::RequestKind::Flush, file_from(""), {record("b@x", 100, "failed")}, {},
                                settings, 1);
    REQUIRE(plan.notices.size() == 1);
    CHECK_FALSE(plan.notices[0].optional);
}
