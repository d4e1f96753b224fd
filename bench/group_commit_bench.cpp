// bench/group_commit_bench.cpp - jobs per second through GroupCommitter, batched vs synchronous
//
// SYNOPSIS
//     make bench/group_commit_bench && bench/group_commit_bench [-d DIR] [-n JOBS] [-k SYNC_THREADS] [-s]
// DESCRIPTION
//     Plays cleanup: on one event loop, C clients (C = 1, 20, 500) each write
//     a 4 KiB file into DIR/tmp, submit it for DIR/final, and write the next
//     one when its done callback runs, until JOBS (default 2000) files are
//     committed. Prints jobs per second for CommitMode::Batched (max_wait 0,
//     SYNC_THREADS concurrent fsyncs, default 8) and CommitMode::Synchronous
//     (fsync per file on the loop). -s: batches use one syncfs instead
//     of fsyncs (SyncMethod::SyncFs). DIR defaults to /var/tmp/tern-gc-bench
//     and must be on the disk to measure, not a tmpfs.
// LIMITS
//     A benchmark, not a test: it exits 1 on the first failure.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/base/event_loop.h"
#include "lib/mail/group_commit.h"

namespace {

struct Bench {
    std::string dir = "/var/tmp/tern-gc-bench";
    int jobs = 2000;
    int sync_threads = 8;
    tern::SyncMethod sync_method = tern::SyncMethod::FsyncEach;
};

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "group_commit_bench: %s\n", what.c_str());
    std::exit(1);
}

class Run {
public:
    Run(const Bench& b, tern::GroupCommitter& gc) : b_(b), gc_(gc) {}

    void start_one() {
        if (started_ >= b_.jobs) return;
        const std::string name = "m" + std::to_string(started_++);
        const std::string temp = b_.dir + "/tmp/" + name;
        tern::Fd fd{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
        if (!fd || ::write(fd.get(), data_.data(), data_.size()) != static_cast<ssize_t>(data_.size()))
            die("write " + temp);
        gc_.submit({std::move(fd), temp, b_.dir + "/final/" + name, [this](tern::Status s) {
                        if (!s) die(s.error().describe());
                        ++finished_;
                        start_one();
                    }});
    }
    [[nodiscard]] int finished() const { return finished_; }

private:
    const Bench& b_;
    tern::GroupCommitter& gc_;
    const std::string data_ = std::string(4096, 'x');
    int started_ = 0;
    int finished_ = 0;
};

double measure(const Bench& b, tern::CommitMode mode, int clients) {
    tern::Result<tern::EventBasePtr> base = tern::make_event_base();
    if (!base) die("event base");
    auto gc = tern::GroupCommitter::create(base->get(), {.mode = mode, .sync_method = b.sync_method, .sync_threads = b.sync_threads});
    if (!gc) die(gc.error().describe());
    Run run(b, **gc);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < clients; ++i) run.start_one();
    while (run.finished() < b.jobs) event_base_loop(base->get(), EVLOOP_ONCE);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    for (int i = 0; i < b.jobs; ++i) ::unlink((b.dir + "/final/m" + std::to_string(i)).c_str());
    return b.jobs / took.count();
}

bool parse_int(std::string_view v, int& out) {
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc{} && end == v.data() + v.size() && out > 0;
}

}  // namespace

int main(int argc, char** argv) {
    Bench b;
    for (int i = 1; i < argc; i += 2) {
        const std::string_view flag{argv[i]};
        if (flag == "-s") {  // syncfs instead of fsync per file
            b.sync_method = tern::SyncMethod::SyncFs;
            --i;
            continue;
        }
        const bool ok = i + 1 < argc && (flag == "-d"   ? (b.dir = argv[i + 1], true)
                                         : flag == "-n" ? parse_int(argv[i + 1], b.jobs)
                                         : flag == "-k" ? parse_int(argv[i + 1], b.sync_threads)
                                                        : false);
        if (!ok) die("usage: group_commit_bench [-d DIR] [-n JOBS] [-k SYNC_THREADS] [-s]");
    }
    for (const std::string& d : {b.dir, b.dir + "/tmp", b.dir + "/final"})
        if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST) die("mkdir " + d);
    std::printf("%d jobs of 4 KiB in %s, batches by %s\n", b.jobs, b.dir.c_str(),
                b.sync_method == tern::SyncMethod::SyncFs ? "syncfs" : (std::to_string(b.sync_threads) + " fsync threads").c_str());
    std::printf("%-12s %10s %10s %10s\n", "jobs/s", "1 client", "20", "500");
    for (tern::CommitMode mode : {tern::CommitMode::Batched, tern::CommitMode::Synchronous}) {
        std::printf("%-12s", mode == tern::CommitMode::Batched ? "batched" : "synchronous");
        for (int clients : {1, 20, 500}) {
            std::printf(" %10.0f", measure(b, mode, clients));
            std::fflush(stdout);
        }
        std::printf("\n");
    }
    return 0;
}
