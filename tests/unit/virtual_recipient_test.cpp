// tests/unit/virtual_recipient_test.cpp - virtual(8) per-recipient outcomes, files and owners
#include "virtual/recipient.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/unit/mailbox_test_support.h"
#include "tests/unit/test_support.h"

namespace {

// As root the mail goes to nobody; otherwise to ourselves.
uid_t mail_uid() { return ::geteuid() == 0 ? 65534 : ::geteuid(); }
gid_t mail_gid() { return ::geteuid() == 0 ? 65534 : ::getegid(); }

tern::TablePtr table(const std::string& spec) {
    tern::Result<tern::TablePtr> t = tern::open_table(spec);
    REQUIRE(t);
    return std::move(*t);
}

struct Fixture {
    tern_test::TempDir dir;
    virt::Settings settings;
    mailbox_test::StoredMessage stored{"Subject: hi\r\n\r\nFrom me\r\nbody\r\n", "sender@example.org"};
    virt::Message message;

    Fixture() {
        REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
        settings.mailbox_base = dir.file("base");
        REQUIRE(::mkdir(settings.mailbox_base.c_str(), 0755) == 0);
        REQUIRE(::chown(settings.mailbox_base.c_str(), mail_uid(), mail_gid()) == 0);
        settings.minimum_uid = 1;
        settings.recipient_delimiter = "+";
        settings.mailbox_maps = {"virtual_mailbox_maps", {}};
        settings.mailbox_maps.tables.push_back(
            table("inline:{ joe@example.com=example.com/joe/, ann@example.com=example.com/ann, "
                  "@example.net=catch/, bad@example.com=../x/ }"));
        settings.uid_maps = {"virtual_uid_maps", {}};
        settings.uid_maps.tables.push_back(table("inline:{ @example.com=" + std::to_string(mail_uid()) +
                                                 ", @example.net=" + std::to_string(mail_uid()) + ", low@example.org=1 }"));
        settings.gid_maps = {"virtual_gid_maps", {}};
        settings.gid_maps.tables.push_back(table("static:" + std::to_string(mail_gid())));
        message = virt::Message{stored.fd(), &stored.file(), "active/TEST", {}};
    }

    tern::AgentOutcome deliver(const std::string& address, const std::string& orcpt = {}) {
        return virt::deliver_recipient(settings, message, tern::DeliveryRecipient{address, orcpt, 0, 0});
    }
    std::vector<std::filesystem::path> files_in(const std::string& relative) const {
        std::vector<std::filesystem::path> out;
        for (const auto& e : std::filesystem::directory_iterator(settings.mailbox_base + "/" + relative))
            out.push_back(e.path());
        return out;
    }
};

}  // namespace

TEST_CASE("virtual: Maildir delivery as the mapped user, parents created, prefix lines", "[virtual]") {
    Fixture f;
    const tern::AgentOutcome out = f.deliver("Joe+Tag@example.com", "rfc822;joe+tag@example.com");
    CHECK(out.status == tern::DeliveryStatus::Sent);
    CHECK(out.dsn == "2.0.0");
    CHECK(out.reason == "delivered to maildir");
    CHECK(out.relay == "virtual");
    const std::vector<std::filesystem::path> files = f.files_in("example.com/joe/new");
    REQUIRE(files.size() == 1);
    CHECK(tern_test::read_file(files[0].string()) ==
          "Return-Path: <sender@example.org>\nX-Original-To: joe+tag@example.com\n"
          "Delivered-To: Joe+Tag@example.com\nSubject: hi\n\nFrom me\nbody\n");
    struct stat st {};
    REQUIRE(::stat(files[0].c_str(), &st) == 0);
    CHECK(st.st_uid == mail_uid());
    CHECK(st.st_gid == mail_gid());
    REQUIRE(::stat((f.settings.mailbox_base + "/example.com").c_str(), &st) == 0);
    CHECK(st.st_uid == mail_uid());
    CHECK((st.st_mode & 07777) == 0700);
}

TEST_CASE("virtual: mbox delivery, catch-all, unknown user, loop", "[virtual]") {
    Fixture f;
    CHECK(f.deliver("ann@example.com").reason == "delivered to mailbox");
    const std::string mbox = tern_test::read_file(f.settings.mailbox_base + "/example.com/ann");
    CHECK(mbox.rfind("From sender@example.org  ", 0) == 0);
    CHECK(mbox.find("\nReturn-Path: <sender@example.org>\nX-Original-To: ann@example.com\n"
                    "Delivered-To: ann@example.com\nSubject: hi\n\n>From me\nbody\n\n") != std::string::npos);

    CHECK(f.deliver("anyone@example.net").status == tern::DeliveryStatus::Sent);
    CHECK(f.files_in("catch/new").size() == 1);

    const tern::AgentOutcome unknown = f.deliver("Zed@example.com");
    CHECK(unknown.status == tern::DeliveryStatus::Bounced);
    CHECK(unknown.dsn == "5.1.1");
    CHECK(unknown.reason == "unknown user: \"zed@example.com\"");

    f.message.delivered_to.insert("ann@example.com");
    const tern::AgentOutcome loop = f.deliver("ANN@example.com");
    CHECK(loop.status == tern::DeliveryStatus::Bounced);
    CHECK(loop.dsn == "5.4.6");
    CHECK(loop.reason == "mail forwarding loop for ANN@example.com");
}

TEST_CASE("virtual: configuration problems defer 4.3.5", "[virtual]") {
    Fixture f;
    f.settings.mailbox_maps.tables.push_back(table("inline:{ low@example.org=low/, nouid@example.org=n/ }"));
    f.settings.minimum_uid = 100;
    for (const char* address : {"low@example.org", "nouid@example.org", "bad@example.com"}) {
        INFO(address);
        const tern::AgentOutcome out = f.deliver(address);
        CHECK(out.status == tern::DeliveryStatus::Deferred);
        CHECK(out.dsn == "4.3.5");
        CHECK(out.reason == "mail system configuration error");
    }
    CHECK_FALSE(std::filesystem::exists(f.settings.mailbox_base + "/low"));
}

TEST_CASE("virtual: a base the user may not write defers 4.2.0", "[virtual]") {
    if (::geteuid() != 0) return;  // needs another user than ourselves
    Fixture f;
    REQUIRE(::chown(f.settings.mailbox_base.c_str(), 0, 0) == 0);
    const tern::AgentOutcome out = f.deliver("joe@example.com");
    CHECK(out.status == tern::DeliveryStatus::Deferred);
    CHECK(out.dsn == "4.2.0");
    CHECK(out.reason.rfind("maildir delivery failed: create directory ", 0) == 0);
    CHECK(::geteuid() == 0);
}

TEST_CASE("virtual: a mailbox over the file size limit bounces 5.2.2 and is cut back", "[virtual]") {
    Fixture f;
    REQUIRE(f.deliver("ann@example.com").status == tern::DeliveryStatus::Sent);
    const std::string path = f.settings.mailbox_base + "/example.com/ann";
    const std::string before = tern_test::read_file(path);
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
    const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = before.size() + 10;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const tern::AgentOutcome out = f.deliver("ann@example.com");
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &old) == 0);
    ::signal(SIGXFSZ, old_handler);
    CHECK(out.status == tern::DeliveryStatus::Bounced);
    CHECK(out.dsn == "5.2.2");
    CHECK(out.reason.rfind("delivery failed to mailbox " + path + ": ", 0) == 0);
    CHECK(tern_test::read_file(path) == before);
}
