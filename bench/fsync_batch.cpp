// bench/fsync_batch.cpp - how fast can this disk make small files durable and renamed?
//
// SYNOPSIS
//     make bench/fsync_batch && bench/fsync_batch [-d DIR] [-n FILES] [-k THREADS]
// DESCRIPTION
//     Creates FILES (default 1024) files of 4 KiB in DIR/tmp, makes each one
//     durable and renamed into DIR/final, in batches of 1, 8, 32 and 128, with
//     four strategies, and prints files per second for each:
//       per-file  write, fsync(file), rename, fsync(final dir), file by file
//       batch     write all, fsync each file, rename all, fsync(final dir) once
//       syncfs    write all, syncfs() once, rename all, fsync(final dir) once
//       threads   write all, THREADS (default 4) threads fsync the files
//                 concurrently (jbd2 merges their commits), rename all,
//                 fsync(final dir) once
//     DIR (default /var/tmp/tern-fsync-bench) must be on the disk to measure,
//     not a tmpfs. The files are removed after each run (untimed).
// LIMITS
//     A benchmark, not a test: it exits 1 on the first failed system call.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lib/base/fd.h"

namespace {

constexpr std::size_t kFileSize = 4096;
constexpr int kBatchSizes[] = {1, 8, 32, 128};

enum class Strategy { PerFile, Batch, SyncFs, Threads };

struct Setup {
    std::string dir = "/var/tmp/tern-fsync-bench";
    int files = 1024;
    int threads = 4;
};

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "fsync_batch: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

void check(bool ok, const std::string& what) {
    if (!ok) die(what);
}

std::string_view strategy_name(Strategy s) {
    switch (s) {
        case Strategy::PerFile: return "per-file";
        case Strategy::Batch: return "batch";
        case Strategy::SyncFs: return "syncfs";
        case Strategy::Threads: return "threads";
    }
    return "?";
}

struct Paths {
    std::string tmp_dir;
    std::string final_dir;
    tern::Fd final_fd;
};

tern::Fd write_file(const std::string& path, const std::string& data) {
    tern::Fd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    check(fd.valid(), "open " + path);
    check(::write(fd.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size()), "write " + path);
    return fd;
}

void rename_one(const Paths& p, const std::string& name) {
    check(::rename((p.tmp_dir + "/" + name).c_str(), (p.final_dir + "/" + name).c_str()) == 0, "rename " + name);
}

void fsync_all_threaded(const std::vector<tern::Fd>& fds, int threads) {
    std::atomic<std::size_t> next{0};
    std::vector<std::jthread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (std::size_t i = next++; i < fds.size(); i = next++) check(::fsync(fds[i].get()) == 0, "fsync");
        });
}

// One batch of names, made durable and renamed with strategy s.
void run_batch(Strategy s, const Paths& p, const std::vector<std::string>& names, const std::string& data,
               int threads) {
    if (s == Strategy::PerFile) {
        for (const std::string& name : names) {
            tern::Fd fd = write_file(p.tmp_dir + "/" + name, data);
            check(::fsync(fd.get()) == 0, "fsync " + name);
            rename_one(p, name);
            check(::fsync(p.final_fd.get()) == 0, "fsync " + p.final_dir);
        }
        return;
    }
    std::vector<tern::Fd> fds;
    for (const std::string& name : names) fds.push_back(write_file(p.tmp_dir + "/" + name, data));
    if (s == Strategy::Batch)
        for (const tern::Fd& fd : fds) check(::fsync(fd.get()) == 0, "fsync");
    if (s == Strategy::SyncFs) check(::syncfs(fds.front().get()) == 0, "syncfs");
    if (s == Strategy::Threads) fsync_all_threaded(fds, threads);
    for (const std::string& name : names) rename_one(p, name);
    check(::fsync(p.final_fd.get()) == 0, "fsync " + p.final_dir);
}

double run(Strategy s, int batch, const Setup& setup, const Paths& p, const std::string& data) {
    const auto start = std::chrono::steady_clock::now();
    int made = 0;
    while (made < setup.files) {
        std::vector<std::string> names;
        for (int i = 0; i < batch && made < setup.files; ++i, ++made) names.push_back("f" + std::to_string(made));
        run_batch(s, p, names, data, setup.threads);
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    for (int i = 0; i < made; ++i) ::unlink((p.final_dir + "/f" + std::to_string(i)).c_str());
    return made / took.count();
}

bool parse_int(const char* text, int& out) {
    const std::string_view v{text};
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    return ec == std::errc{} && end == v.data() + v.size() && out > 0;
}

bool parse_args(int argc, char** argv, Setup& setup) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag{argv[i]};
        if (i + 1 >= argc) return false;
        const char* value = argv[++i];
        if (flag == "-d") setup.dir = value;
        else if (flag == "-n") { if (!parse_int(value, setup.files)) return false; }
        else if (flag == "-k") { if (!parse_int(value, setup.threads)) return false; }
        else return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    Setup setup;
    if (!parse_args(argc, argv, setup)) {
        std::fprintf(stderr, "usage: fsync_batch [-d DIR] [-n FILES] [-k THREADS]\n");
        return 2;
    }
    Paths p{setup.dir + "/tmp", setup.dir + "/final", {}};
    for (const std::string& d : {setup.dir, p.tmp_dir, p.final_dir})
        check(::mkdir(d.c_str(), 0700) == 0 || errno == EEXIST, "mkdir " + d);
    p.final_fd = tern::Fd{::open(p.final_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    check(p.final_fd.valid(), "open " + p.final_dir);
    const std::string data(kFileSize, 'x');
    std::printf("%d files of %zu bytes per run in %s, %d threads for 'threads'\n", setup.files, kFileSize,
                setup.dir.c_str(), setup.threads);
    std::printf("%-10s", "files/s");
    for (int b : kBatchSizes) std::printf(" %9s%-3d", "batch ", b);
    std::printf("\n");
    for (Strategy s : {Strategy::PerFile, Strategy::Batch, Strategy::SyncFs, Strategy::Threads}) {
        std::printf("%-10s", std::string(strategy_name(s)).c_str());
        for (int b : kBatchSizes) {
            std::printf(" %12.0f", run(s, b, setup, p, data));
            std::fflush(stdout);
        }
        std::printf("\n");
    }
    return 0;
}
