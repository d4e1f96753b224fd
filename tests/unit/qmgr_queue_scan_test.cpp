// tests/unit/qmgr_queue_scan_test.cpp - qmgr trigger bytes and queue file selection
#include "qmgr/queue_scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "lib/mail/queue_id.h"
#include "tests/unit/test_support.h"

namespace {

std::string id_at(long seconds, std::uint64_t inode) {
    return tern::QueueId::make(tern_test::at(seconds, 0), inode).str();
}

}  // namespace

TEST_CASE("trigger bytes as Postfix's qmgr reads them", "[qmgr][scan]") {
    CHECK(qmgr::parse_trigger("") == qmgr::TriggerActions{});
    CHECK(qmgr::parse_trigger("I") == qmgr::TriggerActions{.scan_incoming = true});
    CHECK(qmgr::parse_trigger("W") == qmgr::TriggerActions{.scan_incoming = true});
    CHECK(qmgr::parse_trigger("D") == qmgr::TriggerActions{.scan_deferred = true});
    CHECK(qmgr::parse_trigger("FADI") == qmgr::TriggerActions{true, true, true, true});
    CHECK(qmgr::parse_trigger(std::string_view("x\0\xff", 3)) == qmgr::TriggerActions{});
}

TEST_CASE("trigger \"Q\" ID: one deferred message now (postqueue -i)", "[qmgr][scan]") {
    const std::string id = id_at(1000, 5);
    const qmgr::TriggerActions wanted{.scan_deferred = true, .flush_id = id};
    CHECK(qmgr::parse_trigger("Q" + id) == wanted);
    CHECK(qmgr::parse_trigger("Q" + id + "\n") == wanted);
    // Only that request: the ID's letters are no trigger bytes, a bad ID is ignored.
    CHECK(qmgr::parse_trigger("QFADI") == qmgr::TriggerActions{});
    CHECK(qmgr::parse_trigger("Q") == qmgr::TriggerActions{});
    CHECK(qmgr::parse_trigger("Q../../etc/passwd") == qmgr::TriggerActions{});
    CHECK(qmgr::parse_trigger("Q" + id + "/x\n") == qmgr::TriggerActions{});
}

TEST_CASE("select_due takes queue IDs whose time has come, in ID order", "[qmgr][scan]") {
    const std::string early = id_at(1000, 5), late = id_at(2000, 7);
    const std::vector<qmgr::ScanEntry> entries{
        {late, 100, true},
        {early, 101, true},          // one second ahead is allowed
        {id_at(1500, 9), 102, true}, // two seconds ahead waits
        {"not-an-id", 0, true},
        {id_at(1600, 3), 0, false},  // not a regular file
        {"", 0, true},
    };
    CHECK(qmgr::select_due(entries, 100, false) == std::vector<std::string>{early, late});
    CHECK(qmgr::select_due(entries, 100, true) == std::vector<std::string>{early, id_at(1500, 9), late});
    CHECK(qmgr::select_due({}, 100, true).empty());
}

TEST_CASE("a queue scan lists its folder once per requested pass", "[qmgr][scan]") {
    tern_test::TempDir dir;
    REQUIRE(::mkdir(dir.file("deferred").c_str(), 0700) == 0);
    const std::string a = id_at(1000, 1), b = id_at(1001, 2), future = id_at(1002, 3);
    (void)dir.write("deferred/" + a, "x");
    (void)dir.write("deferred/" + b, "x");
    (void)dir.write("deferred/" + future, "x");
    const timespec times[2] = {{4'000'000'000, 0}, {4'000'000'000, 0}};
    REQUIRE(::utimensat(AT_FDCWD, dir.file("deferred/" + future).c_str(), times, 0) == 0);
    const std::string old_cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());

    qmgr::QueueScan scan(tern::QueueName::Deferred);
    const std::int64_t now = ::time(nullptr);
    CHECK_FALSE(scan.next(now));  // nothing requested
    scan.request(false);
    CHECK(scan.busy());
    CHECK(scan.next(now) == a);
    scan.request(true);           // asked again mid-pass: another pass follows
    CHECK(scan.next(now) == b);
    CHECK(scan.next(now) == a);   // the second pass ignores times
    CHECK(scan.next(now) == b);
    CHECK(scan.next(now) == future);
    CHECK_FALSE(scan.next(now));
    CHECK_FALSE(scan.busy());
    std::filesystem::current_path(old_cwd);
}

TEST_CASE("a missing queue folder gives an empty pass", "[qmgr][scan]") {
    tern_test::TempDir dir;
    const std::string old_cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    qmgr::QueueScan scan(tern::QueueName::Incoming);
    scan.request(false);
    CHECK_FALSE(scan.next(0));
    CHECK_FALSE(qmgr::list_queue_folder("incoming"));
    std::filesystem::current_path(old_cwd);
}
