// tests/unit/queue_recovery_test.cpp - lib/mail/queue_recovery: temp names, finishing interrupted commits
#include "lib/mail/queue_recovery.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "lib/mail/queue_file.h"
#include "lib/mail/queue_file_writer.h"
#include "lib/mail/queue_id.h"
#include "tests/unit/test_support.h"

namespace {

// A PID above any pid_max: never a running process.
constexpr pid_t kDeadPid = 1073741000;

void write_complete_queue_file(const std::string& path) {
    tern::QueueFileWriter writer(tern::Fd(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)), path);
    REQUIRE(writer.add_arrival({1700000000, 0}));
    REQUIRE(writer.add_sender("a@example.com"));
    tern::RecipientSpec spec;
    spec.address = "b@example.com";
    REQUIRE(writer.add_recipient(spec));
    REQUIRE(writer.add_content("Subject: x\r\n\r\nbody\r\n"));
    REQUIRE(writer.finish());
}

std::vector<std::string> names_in(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
    return out;
}

}  // namespace

TEST_CASE("queue recovery: temporary names carry the owner's PID", "[queue_recovery]") {
    CHECK(tern::temp_queue_file_name(1234, 7) == "tmp.cleanup.1234.7");
    CHECK(tern::temp_queue_file_owner("tmp.cleanup.1234.7") == 1234);
    CHECK(tern::temp_queue_file_owner("tmp.cleanup.x.1") == 0);
    CHECK(tern::temp_queue_file_owner("tmp.cleanup.1234") == 0);
    CHECK(tern::temp_queue_file_owner("tmp.cleanup.0.1") == 0);
    CHECK(tern::temp_queue_file_owner("tmp.cleanup.99999999999.1") == 0);
    CHECK(tern::temp_queue_file_owner("1xVjqc1QLqkZsY") == 0);
    CHECK(tern::temp_queue_file_owner("") == 0);
}

TEST_CASE("queue recovery: a complete file of a dead owner becomes a queue file, a partial one goes",
          "[queue_recovery]") {
    tern_test::TempDir dir;
    const std::string incoming = dir.file("incoming");
    std::filesystem::create_directory(incoming);
    write_complete_queue_file(incoming + "/" + tern::temp_queue_file_name(kDeadPid, 1));
    const std::string partial = incoming + "/" + tern::temp_queue_file_name(kDeadPid, 2);
    write_complete_queue_file(partial);
    REQUIRE(::truncate(partial.c_str(), static_cast<off_t>(std::filesystem::file_size(partial) - 1)) == 0);
    const std::string mine = incoming + "/" + tern::temp_queue_file_name(::getpid(), 1);
    write_complete_queue_file(mine);

    const tern::TempRecovery done = tern::recover_temp_queue_files(incoming, tern::TempOwners::Dead);
    CHECK(done.recovered == 1);
    CHECK(done.removed == 1);
    std::vector<std::string> names = names_in(incoming);
    REQUIRE(names.size() == 2);  // the recovered file under its queue ID, and this process's own
    const auto recovered = std::find_if(names.begin(), names.end(), [](const std::string& n) { return tern::is_valid_queue_id(n); });
    REQUIRE(recovered != names.end());
    const std::string path = incoming + "/" + *recovered;
    const tern::Fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    tern::Result<tern::QueueFile> file = tern::read_queue_file(fd.get(), path);
    REQUIRE(file);
    CHECK(file->sender == "a@example.com");
    CHECK(std::filesystem::exists(mine));

    SECTION("master at start takes every temporary file, its own PID's too") {
        const tern::TempRecovery all = tern::recover_temp_queue_files(incoming, tern::TempOwners::All);
        CHECK(all.recovered == 1);
        CHECK_FALSE(std::filesystem::exists(mine));
        names = names_in(incoming);
        CHECK(names.size() == 2);
        CHECK(std::all_of(names.begin(), names.end(), [](const std::string& n) { return tern::is_valid_queue_id(n); }));
    }
}

TEST_CASE("queue recovery: other names and a missing folder are left alone", "[queue_recovery]") {
    tern_test::TempDir dir;
    const std::string incoming = dir.file("incoming");
    std::filesystem::create_directory(incoming);
    const std::string odd = dir.write("incoming/tmp.cleanup.x.1", "x");
    const std::string queued = dir.write("incoming/1xVjqc1QLqkZsY", "x");
    const tern::TempRecovery done = tern::recover_temp_queue_files(incoming, tern::TempOwners::All);
    CHECK(done.recovered == 0);
    CHECK(done.removed == 0);
    CHECK(std::filesystem::exists(odd));
    CHECK(std::filesystem::exists(queued));
    const tern::TempRecovery none = tern::recover_temp_queue_files(dir.file("missing"), tern::TempOwners::All);
    CHECK(none.recovered + none.removed == 0);
}

TEST_CASE("queue recovery: rename_noreplace never replaces", "[queue_recovery]") {
    tern_test::TempDir dir;
    const std::string a = dir.write("a", "1");
    const std::string b = dir.write("b", "2");
    CHECK(tern::rename_noreplace(a, b) == -1);
    CHECK(errno == EEXIST);
    CHECK(tern_test::read_file(b) == "2");
    CHECK(tern::rename_noreplace(a, dir.file("c")) == 0);
    CHECK_FALSE(std::filesystem::exists(a));
}
