// tests/unit/group_commit_test.cpp - GroupCommitter on a real event_base
#include "lib/mail/group_commit.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "lib/base/event_loop.h"
#include "tests/unit/test_support.h"

namespace {

using tern::CommitMode;
using tern::GroupCommitOptions;
using tern::GroupCommitter;

struct Outcome {
    int calls = 0;
    bool on_loop_thread = true;
    tern::Status status;
};

// A queue directory pair in a fresh temp dir: tmp/ for writing, final/ for commits.
struct Dirs {
    tern_test::TempDir root;
    std::string tmp = root.file("tmp");
    std::string final_dir = root.file("final");
    Dirs() {
        REQUIRE(::mkdir(tmp.c_str(), 0700) == 0);
        REQUIRE(::mkdir(final_dir.c_str(), 0700) == 0);
    }
};

std::string content_for(int i) {
    return "message " + std::to_string(i) + "\n" + std::string(4000, static_cast<char>('a' + i % 26));
}

tern::CommitJob make_job(const Dirs& d, int i, Outcome& out, std::string final_path = {}) {
    const std::string name = "q" + std::to_string(i);
    const std::string temp = d.tmp + "/" + name;
    tern_test::write_file(temp, content_for(i));
    tern::Fd fd{::open(temp.c_str(), O_RDWR | O_CLOEXEC)};
    REQUIRE(fd.valid());
    const std::thread::id loop_thread = std::this_thread::get_id();
    return {std::move(fd), temp, final_path.empty() ? d.final_dir + "/" + name : std::move(final_path),
            [&out, loop_thread](tern::Status s) {
                ++out.calls;
                out.on_loop_thread = out.on_loop_thread && std::this_thread::get_id() == loop_thread;
                out.status = std::move(s);
            }};
}

// Runs the loop until nothing is pending (or 20 s pass).
void run_until_done(event_base* base, const GroupCommitter& gc) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (gc.pending() > 0 && std::chrono::steady_clock::now() < deadline) event_base_loop(base, EVLOOP_ONCE);
    REQUIRE(gc.pending() == 0);
}

bool exists(const std::string& path) {
    return std::filesystem::exists(path);
}

void check_jobs(GroupCommitOptions options, int count) {
    Dirs d;
    tern::Result<tern::EventBasePtr> base = tern::make_event_base();
    REQUIRE(base);
    auto gc = GroupCommitter::create(base->get(), options);
    REQUIRE(gc);
    std::vector<Outcome> out(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) (*gc)->submit(make_job(d, i, out[static_cast<std::size_t>(i)]));
    run_until_done(base->get(), **gc);
    for (int i = 0; i < count; ++i) {
        const Outcome& o = out[static_cast<std::size_t>(i)];
        CHECK(o.calls == 1);
        CHECK(o.on_loop_thread);
        CHECK(o.status);
        CHECK(tern_test::read_file(d.final_dir + "/q" + std::to_string(i)) == content_for(i));
        CHECK_FALSE(exists(d.tmp + "/q" + std::to_string(i)));
    }
}

}  // namespace

TEST_CASE("group commit: one job and 500 jobs, batched and synchronous", "[group_commit]") {
    SECTION("batched, 1") { check_jobs({}, 1); }
    SECTION("batched, 500") { check_jobs({}, 500); }
    SECTION("batched with syncfs, 500") { check_jobs({.sync_method = tern::SyncMethod::SyncFs}, 500); }
    SECTION("batched, one fsync thread, 100") { check_jobs({.sync_threads = 1}, 100); }
    SECTION("synchronous, 1") { check_jobs({.mode = CommitMode::Synchronous}, 1); }
    SECTION("synchronous, 50") { check_jobs({.mode = CommitMode::Synchronous}, 50); }
}

TEST_CASE("group commit: max_wait and max_batch 1 still finish every job", "[group_commit]") {
    Dirs d;
    auto base = tern::make_event_base();
    REQUIRE(base);
    auto gc = GroupCommitter::create(
        base->get(), {.max_batch = 1, .max_wait = std::chrono::microseconds{2000}, .sync_threads = 1});
    REQUIRE(gc);
    std::vector<Outcome> out(20);
    for (int i = 0; i < 20; ++i) (*gc)->submit(make_job(d, i, out[static_cast<std::size_t>(i)]));
    run_until_done(base->get(), **gc);
    for (const Outcome& o : out) CHECK((o.calls == 1 && o.status));
}

TEST_CASE("group commit: an existing final file is never replaced", "[group_commit]") {
    for (CommitMode mode : {CommitMode::Batched, CommitMode::Synchronous}) {
        Dirs d;
        auto base = tern::make_event_base();
        REQUIRE(base);
        auto gc = GroupCommitter::create(base->get(), {.mode = mode});
        REQUIRE(gc);
        tern_test::write_file(d.final_dir + "/q1", "older message");
        std::vector<Outcome> out(3);
        for (int i = 0; i < 3; ++i) (*gc)->submit(make_job(d, i, out[static_cast<std::size_t>(i)]));
        run_until_done(base->get(), **gc);
        REQUIRE(out[1].calls == 1);
        REQUIRE_FALSE(out[1].status);
        CHECK(out[1].status.error().temporary());
        CHECK(out[1].status.error().errno_value == EEXIST);
        const std::string text = out[1].status.error().describe();
        CHECK(text.find(d.tmp + "/q1") != std::string::npos);
        CHECK(text.find("File exists") != std::string::npos);
        CHECK(tern_test::read_file(d.final_dir + "/q1") == "older message");
        CHECK_FALSE(exists(d.tmp + "/q1"));
        for (int i : {0, 2}) {
            CHECK((out[static_cast<std::size_t>(i)].calls == 1 && out[static_cast<std::size_t>(i)].status));
            CHECK(tern_test::read_file(d.final_dir + "/q" + std::to_string(i)) == content_for(i));
        }
    }
}

TEST_CASE("group commit: a final directory that cannot take the file fails Temporary", "[group_commit]") {
    Dirs d;
    auto base = tern::make_event_base();
    REQUIRE(base);
    auto gc = GroupCommitter::create(base->get(), {});
    REQUIRE(gc);
    std::vector<Outcome> out(4);
    (*gc)->submit(make_job(d, 0, out[0], d.root.file("missing/q0")));
    (*gc)->submit(make_job(d, 1, out[1]));
    const std::string locked = d.root.file("locked");
    REQUIRE(::mkdir(locked.c_str(), 0500) == 0);
    (*gc)->submit(make_job(d, 2, out[2], locked + "/q2"));
    (*gc)->submit(make_job(d, 3, out[3], d.tmp + "/q1/q3"));  // q1 is a file: ENOTDIR
    run_until_done(base->get(), **gc);
    for (std::size_t i : {0u, 3u}) {
        REQUIRE(out[i].calls == 1);
        REQUIRE_FALSE(out[i].status);
        CHECK(out[i].status.error().temporary());
        CHECK(out[i].status.error().describe().find("rename " + d.tmp + "/q" + std::to_string(i)) !=
              std::string::npos);
        CHECK_FALSE(exists(d.tmp + "/q" + std::to_string(i)));
    }
    if (::geteuid() != 0) {  // root writes anyway
        REQUIRE_FALSE(out[2].status);
        CHECK(out[2].status.error().temporary());
        CHECK(out[2].status.error().errno_value == EACCES);
    }
    CHECK(out[2].calls == 1);
    CHECK((out[1].calls == 1 && out[1].status));
    CHECK(tern_test::read_file(d.final_dir + "/q1") == content_for(1));
}

TEST_CASE("group commit: a done callback may submit the next job", "[group_commit]") {
    Dirs d;
    auto base = tern::make_event_base();
    REQUIRE(base);
    auto gc = GroupCommitter::create(base->get(), {});
    REQUIRE(gc);
    Outcome first, second;
    tern::CommitJob job = make_job(d, 0, first);
    tern::CommitJob next = make_job(d, 1, second);
    job.done = [&](tern::Status s) {
        first.status = std::move(s);
        ++first.calls;
        (*gc)->submit(std::move(next));
    };
    (*gc)->submit(std::move(job));
    run_until_done(base->get(), **gc);
    CHECK((first.calls == 1 && first.status));
    CHECK((second.calls == 1 && second.status && second.on_loop_thread));
}

TEST_CASE("group commit: destroying with pending jobs runs no callback and leaves no thread", "[group_commit]") {
    Dirs d;
    auto base = tern::make_event_base();
    REQUIRE(base);
    std::vector<Outcome> out(300);
    {
        auto gc = GroupCommitter::create(base->get(), {.max_batch = 16, .sync_threads = 2});
        REQUIRE(gc);
        for (int i = 0; i < 300; ++i) (*gc)->submit(make_job(d, i, out[static_cast<std::size_t>(i)]));
        REQUIRE((*gc)->pending() == 300);
    }
    event_base_loop(base->get(), EVLOOP_NONBLOCK);  // the event is gone: nothing to run
    for (int i = 0; i < 300; ++i) {
        CHECK(out[static_cast<std::size_t>(i)].calls == 0);
        // Committed (complete in final/) or not started (temp file removed).
        const std::string final_path = d.final_dir + "/q" + std::to_string(i);
        if (exists(final_path)) CHECK(tern_test::read_file(final_path) == content_for(i));
        CHECK_FALSE(exists(d.tmp + "/q" + std::to_string(i)));
    }
}

TEST_CASE("group commit: options are clamped", "[group_commit]") {
    Dirs d;
    auto base = tern::make_event_base();
    REQUIRE(base);
    auto gc = GroupCommitter::create(base->get(), {.max_batch = 0, .max_wait = std::chrono::microseconds{-5},
                                                   .sync_threads = -3});
    REQUIRE(gc);
    Outcome o;
    (*gc)->submit(make_job(d, 7, o));
    run_until_done(base->get(), **gc);
    CHECK((o.calls == 1 && o.status));
}
