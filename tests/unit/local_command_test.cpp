// tests/unit/local_command_test.cpp - local/command: environment, sysexits mapping, running a command
#include <catch2/catch.hpp>

#include <sys/time.h>
#include <unistd.h>

#include <algorithm>

#include "lib/mail/queue_file.h"
#include "local/command.h"

namespace {

bool has(const std::vector<std::string>& env, const std::string& entry) {
    return std::find(env.begin(), env.end(), entry) != env.end();
}

std::string queue_file_bytes(std::string_view content) {
    auto record = [](char type, std::string_view payload) {
        std::string r(1, type);
        const auto n = static_cast<std::uint32_t>(payload.size());
        r += static_cast<char>(n >> 24);
        r += static_cast<char>(n >> 16);
        r += static_cast<char>(n >> 8);
        r += static_cast<char>(n);
        r += payload;
        return r;
    };
    std::string out = record('V', "tern-queue-file 1") + record('T', "1700000000.000000") + record('F', "a@x") +
                      record('S', "T") + record('R', "b@x") + record('C', content) + record('Q', "000000000000 000000");
    const std::size_t size = out.size() + 5 + 20;
    char end[32];
    std::snprintf(end, sizeof(end), "%020zu", size);
    return out + record('X', end);
}

}  // namespace

TEST_CASE("command_environment is clean and complete", "[local]") {
    ::setenv("TERN_TEST_EXPORTED", "yes", 1);
    local::CommandVariables vars{"/home/joe", "joe", "joe", "/bin/sh", "a@x", "joe+t@y", "joe+t", "y", "t", "Root@Y"};
    const auto env = local::command_environment(vars, {"TERN_TEST_EXPORTED", "TERN_TEST_MISSING", "PATH", "A=B"});
    CHECK(has(env, "PATH=/usr/bin:/bin"));
    CHECK(has(env, "HOME=/home/joe"));
    CHECK(has(env, "LOGNAME=joe"));
    CHECK(has(env, "USER=joe"));
    CHECK(has(env, "SHELL=/bin/sh"));
    CHECK(has(env, "SENDER=a@x"));
    CHECK(has(env, "RECIPIENT=joe+t@y"));
    CHECK(has(env, "LOCAL=joe+t"));
    CHECK(has(env, "DOMAIN=y"));
    CHECK(has(env, "EXTENSION=t"));
    CHECK(has(env, "ORIGINAL_RECIPIENT=Root@Y"));
    CHECK(has(env, "TERN_TEST_EXPORTED=yes"));
    CHECK(std::count_if(env.begin(), env.end(), [](const std::string& e) { return e.starts_with("PATH="); }) == 1);
    CHECK(env.size() == 12);
    local::CommandVariables bare{};
    const auto few = local::command_environment(bare, {});
    CHECK(!has(few, "EXTENSION="));
    CHECK(has(few, "SENDER="));
}

TEST_CASE("sysexits mapping as Postfix", "[local]") {
    CHECK(local::sysexits_entry(75)->dsn == "4.3.0");
    CHECK(local::sysexits_entry(67)->dsn == "5.1.1");
    CHECK(!local::sysexits_entry(0));
    CHECK(!local::sysexits_entry(63));
    CHECK(!local::sysexits_entry(79));
    using local::CommandEnd;
    using tern::DeliveryStatus;
    auto judge = [](CommandEnd end, int code, std::string out = "") {
        return local::judge_command({end, code, std::move(out), ""}, "cmd x");
    };
    CHECK(judge(CommandEnd::Exited, 0).status == DeliveryStatus::Sent);
    CHECK(judge(CommandEnd::Exited, 0).reason == "delivered to command: cmd x");
    CHECK(judge(CommandEnd::Exited, 75).status == DeliveryStatus::Deferred);
    CHECK(judge(CommandEnd::Exited, 71).status == DeliveryStatus::Deferred);
    CHECK(judge(CommandEnd::Exited, 67).status == DeliveryStatus::Bounced);
    CHECK(judge(CommandEnd::Exited, 67, "no\tsuch\nuser\x01").reason == "user unknown. Command output: no such user_");
    CHECK(judge(CommandEnd::Exited, 1).reason == "Command died with status 1: \"cmd x\"");
    CHECK(judge(CommandEnd::Exited, 1).dsn == "5.3.0");
    CHECK(judge(CommandEnd::Signaled, 9).status == DeliveryStatus::Deferred);
    CHECK(judge(CommandEnd::TimedOut, 0).reason == "Command time limit exceeded: \"cmd x\"");
    CHECK(judge(CommandEnd::TimedOut, 0).status == DeliveryStatus::Bounced);
    CHECK(judge(CommandEnd::TimedOut, 0).dsn == "5.3.0");
    CHECK(judge(CommandEnd::Exited, 1, std::string(10000, 'x')).reason.size() == local::kMaxCommandReasonBytes);
}

TEST_CASE("run_command pipes the message and honours the time limit", "[local]") {
    const std::string bytes = queue_file_bytes("Subject: s\r\n\r\nline1\r\nbare\rcr\r\nlast");
    auto file = tern::parse_queue_file(bytes);
    REQUIRE(file);
    char path[] = "/tmp/tern-local-cmd-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    local::CommandSpec spec{"cat; echo \"[$USER]\" >&2", ::getuid(), ::getgid(), "/", "/bin/sh",
                            {"USER=me"}, 10};
    SECTION("output and LF lines") {
        tern::ContentReader reader(fd, *file);
        const auto r = local::run_command(spec, "From a@x  date\n", reader);
        CHECK(r.end == local::CommandEnd::Exited);
        CHECK(r.code == 0);
        CHECK(r.output == "From a@x  date\nSubject: s\n\nline1\nbare\rcr\nlast\n[me]\n");
    }
    SECTION("exit status") {
        spec.command = "exit 75";
        tern::ContentReader reader(fd, *file);
        const auto r = local::run_command(spec, "", reader);
        CHECK(r.end == local::CommandEnd::Exited);
        CHECK(r.code == 75);
    }
    SECTION("time limit") {
        spec.command = "sleep 30";
        spec.time_limit_s = 1;
        tern::ContentReader reader(fd, *file);
        const auto r = local::run_command(spec, "", reader);
        CHECK(r.end == local::CommandEnd::TimedOut);
    }
    SECTION("a command that does not read its input") {
        spec.command = "exit 0";
        tern::ContentReader reader(fd, *file);
        const auto r = local::run_command(spec, std::string(1 << 20, 'x'), reader);
        CHECK(r.end == local::CommandEnd::Exited);
        CHECK(r.code == 0);
    }
    ::close(fd);
    ::unlink(path);
}

TEST_CASE("command_from_line", "[local]") {
    timeval t{1700000000, 0};
    CHECK(local::command_from_line("", t).starts_with("From MAILER-DAEMON  "));
    CHECK(local::command_from_line("a@x", t).starts_with("From a@x  "));
    CHECK(local::command_from_line("a@x", t).ends_with(" 2023\n"));
}
