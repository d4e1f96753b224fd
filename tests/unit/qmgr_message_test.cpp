// tests/unit/qmgr_message_test.cpp - qmgr's active messages, own deferrals and bounces, queue moves, settings
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "lib/mail/config.h"
#include "lib/mail/delivery_log.h"
#include "lib/mail/master_cf.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/queue_file_writer.h"
#include "lib/mail/queue_id.h"
#include "qmgr/message.h"
#include "qmgr/outcome.h"
#include "qmgr/queue_moves.h"
#include "qmgr/settings.h"
#include "tests/unit/test_support.h"

namespace {

// A queue directory as the working directory for one test.
class QueueDir {
public:
    QueueDir() : old_(std::filesystem::current_path()) {
        for (const char* name : {"incoming", "active", "deferred", "corrupt", "bounce", "defer", "hold"})
            REQUIRE(::mkdir(dir_.file(name).c_str(), 0700) == 0);
        std::filesystem::current_path(dir_.path());
    }
    ~QueueDir() { std::filesystem::current_path(old_); }
    QueueDir(const QueueDir&) = delete;
    QueueDir& operator=(const QueueDir&) = delete;

private:
    tern_test::TempDir dir_;
    std::filesystem::path old_;
};

std::string make_id(long seconds, std::uint64_t inode) { return tern::QueueId::make(tern_test::at(seconds, 0), inode).str(); }

void write_queue(const std::string& path, const std::vector<std::string>& recipients) {
    tern::Fd fd{::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)};
    REQUIRE(fd);
    tern::QueueFileWriter writer(std::move(fd), path);
    REQUIRE(writer.add_arrival(tern_test::at(1'700'000'000, 5)));
    REQUIRE(writer.add_sender("a@example.org"));
    for (const std::string& r : recipients) REQUIRE(writer.add_recipient({.address = r}));
    REQUIRE(writer.add_content("Subject: x\r\n\r\nbody\r\n"));
    REQUIRE(writer.finish());
}

std::string queue_file_bytes(const std::vector<std::string>& recipients) {
    tern_test::TempDir dir;
    write_queue(dir.file("q"), recipients);
    return tern_test::read_file(dir.file("q"));
}

}  // namespace

TEST_CASE("an active message hands out recipients in chunks and counts what is left", "[qmgr][message]") {
    QueueDir q;
    const std::string id = make_id(1'700'000'000, 11);
    write_queue("active/" + id, {"a@x", "b@x", "c@x", "d@x", "e@x"});
    auto m = qmgr::ActiveMessage::open(1, id, tern_test::at(1'700'000'100, 0));
    REQUIRE(m);
    qmgr::ActiveMessage& message = **m;
    CHECK(message.file().recipients.size() == 5);
    CHECK(message.take_chunk(2) == std::vector<std::size_t>{0, 1});
    CHECK(message.outstanding() == 2);
    CHECK_FALSE(message.pass_complete());
    message.settle(0, qmgr::Settled::Done);
    message.settle(1, qmgr::Settled::Deferred);
    message.settle(1, qmgr::Settled::Deferred);  // twice: a warning, no change
    CHECK(message.outstanding() == 0);
    CHECK(message.has_unscheduled());
    CHECK(message.take_chunk(2) == std::vector<std::size_t>{2, 3});
    CHECK(message.take_chunk(2) == std::vector<std::size_t>{4});
    CHECK(message.take_chunk(2).empty());
    for (std::size_t i : {2, 3, 4}) message.settle(i, qmgr::Settled::Done);
    CHECK(message.pass_complete());
    CHECK(message.todo_left() == 1);
}

TEST_CASE("recipients already done in the file are skipped", "[qmgr][message]") {
    const std::string bytes = queue_file_bytes({"a@x", "b@x"});
    tern::Result<tern::QueueFile> parsed = tern::parse_queue_file(bytes);
    REQUIRE(parsed);
    parsed->recipients[0].status = tern::RecipientStatus::Done;
    auto message = qmgr::ActiveMessage::from_parsed(1, "X", tern::Fd{}, std::move(*parsed), tern_test::at(1, 0));
    CHECK(message->take_chunk(10) == std::vector<std::size_t>{1});
}

TEST_CASE("a file that is not a queue file is a permanent error", "[qmgr][message]") {
    QueueDir q;
    const std::string id = make_id(1'700'000'000, 12);
    tern_test::write_file("active/" + id, "garbage");
    auto m = qmgr::ActiveMessage::open(1, id, tern_test::at(1, 0));
    REQUIRE_FALSE(m);
    CHECK_FALSE(m.error().temporary());
    auto missing = qmgr::ActiveMessage::open(1, make_id(1'700'000'000, 13), tern_test::at(1, 0));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().temporary());
    REQUIRE(::symlink(("active/" + id).c_str(), ("active/" + make_id(1'700'000'000, 14)).c_str()) == 0);
    auto link = qmgr::ActiveMessage::open(1, make_id(1'700'000'000, 14), tern_test::at(1, 0));
    REQUIRE_FALSE(link);
    CHECK_FALSE(link.error().temporary());
}

TEST_CASE("qmgr's own deferral writes the defer log; its bounce marks the recipient done", "[qmgr][message]") {
    QueueDir q;
    const std::string id = make_id(1'700'000'000, 21);
    write_queue("active/" + id, {"a@x", "b@x", "c@x"});
    auto m = qmgr::ActiveMessage::open(1, id, tern_test::at(1'700'000'100, 0));
    REQUIRE(m);
    qmgr::ActiveMessage& message = **m;
    REQUIRE(message.take_chunk(10).size() == 3);
    const std::size_t deferred[] = {0};
    qmgr::defer_recipients(message, deferred, "4.3.0", "mail transport unavailable", tern_test::at(1'700'000'101, 0));
    qmgr::bounce_recipient(message, 1, "5.1.3", "bad address syntax", false, tern_test::at(1'700'000'101, 0));
    qmgr::bounce_recipient(message, 2, "5.1.3", "bad address syntax", true, tern_test::at(1'700'000'101, 0));
    CHECK(message.pass_complete());
    CHECK(message.todo_left() == 2);  // the deferral and the soft bounce

    auto defer_log = tern::read_delivery_log("", tern::DeliveryLog::Defer, id);
    REQUIRE(defer_log);
    REQUIRE(defer_log->size() == 2);
    CHECK((*defer_log)[0].recipient == "a@x");
    CHECK((*defer_log)[0].action == "delayed");
    CHECK((*defer_log)[0].reason == "mail transport unavailable");
    CHECK((*defer_log)[1].recipient == "c@x");
    CHECK((*defer_log)[1].status == "4.1.3");  // soft_bounce
    auto bounce_log = tern::read_delivery_log("", tern::DeliveryLog::Bounce, id);
    REQUIRE(bounce_log);
    REQUIRE(bounce_log->size() == 1);
    CHECK((*bounce_log)[0].action == "failed");
    CHECK((*bounce_log)[0].recipient == "b@x");

    auto reread = qmgr::ActiveMessage::open(2, id, tern_test::at(1, 0));
    REQUIRE(reread);
    CHECK((*reread)->file().recipients[1].status == tern::RecipientStatus::Done);
    CHECK((*reread)->file().todo_count() == 2);
}

TEST_CASE("apply_reply settles sent and bounced as done, deferred as to do", "[qmgr][message]") {
    const std::string bytes = queue_file_bytes({"a@x", "b@x", "c@x"});
    tern::Result<tern::QueueFile> parsed = tern::parse_queue_file(bytes);
    REQUIRE(parsed);
    auto message = qmgr::ActiveMessage::from_parsed(1, "X", tern::Fd{}, std::move(*parsed), tern_test::at(1, 0));
    REQUIRE(message->take_chunk(3).size() == 3);
    tern::DeliveryReply reply;
    reply.outcomes = {{tern::DeliveryStatus::Sent, "2.0.0", "ok"},
                      {tern::DeliveryStatus::Deferred, "4.0.0", "later"},
                      {tern::DeliveryStatus::Bounced, "5.0.0", "no"}};
    const std::size_t indices[] = {0, 1, 2};
    qmgr::apply_reply(*message, indices, reply);
    CHECK(message->pass_complete());
    CHECK(message->todo_left() == 1);
}

TEST_CASE("deferring a file writes its schedule and mtime and moves it", "[qmgr][moves]") {
    QueueDir q;
    const std::string id = make_id(1'700'000'000, 31);
    write_queue("active/" + id, {"a@x"});
    auto m = qmgr::ActiveMessage::open(1, id, tern_test::at(1, 0));
    REQUIRE(m);
    (*m)->close_file();
    CHECK((*m)->fd() < 0);
    tern::Result<tern::Fd> fd = (*m)->open_file();
    REQUIRE(fd);
    const tern::Schedule next{1'800'000'000, 3};
    REQUIRE(qmgr::defer_queue_file(fd->get(), id, (*m)->file().schedule_offset, next));
    struct stat st {};
    REQUIRE(::stat(("deferred/" + id).c_str(), &st) == 0);
    CHECK(st.st_mtime == 1'800'000'000);
    REQUIRE(qmgr::move_queue_file(tern::QueueName::Deferred, tern::QueueName::Active, id));
    auto again = qmgr::ActiveMessage::open(2, id, tern_test::at(1, 0));
    REQUIRE(again);
    CHECK((*again)->file().schedule == next);
}

TEST_CASE("remove, corrupt and start-up recovery", "[qmgr][moves]") {
    QueueDir q;
    const std::string a = make_id(1'700'000'000, 41), b = make_id(1'700'000'000, 42), c = make_id(1'700'000'000, 43);
    write_queue("active/" + a, {"a@x"});
    write_queue("active/" + b, {"a@x"});
    tern_test::write_file("active/not-an-id", "x");
    tern_test::write_file("defer/" + a, "");
    CHECK(qmgr::requeue_active() == 2);
    CHECK(std::filesystem::exists("incoming/" + a));
    CHECK(std::filesystem::exists("incoming/" + b));
    CHECK(std::filesystem::exists("active/not-an-id"));
    REQUIRE(qmgr::move_queue_file(tern::QueueName::Incoming, tern::QueueName::Active, a));
    REQUIRE(qmgr::remove_queue_file(a));
    CHECK_FALSE(std::filesystem::exists("active/" + a));
    CHECK_FALSE(std::filesystem::exists("defer/" + a));
    CHECK(qmgr::remove_queue_file(c));  // already gone: a warning only
    qmgr::save_corrupt(tern::QueueName::Incoming, b);
    CHECK(std::filesystem::exists("corrupt/" + b));
    CHECK_FALSE(qmgr::move_queue_file(tern::QueueName::Incoming, tern::QueueName::Active, c));
}

TEST_CASE("settings come from main.cf and master.cf", "[qmgr][settings]") {
    tern::Result<tern::Config> cfg = tern::Config::parse(
        "minimal_backoff_time = 10s\nmaximal_backoff_time = 1m\nbounce_queue_lifetime = 1d\n"
        "maximal_queue_lifetime = 2d\nqmgr_message_active_limit = 7\ndefault_process_limit = 9\n"
        "smtp_destination_concurrency_limit = 3\nlocal_destination_recipient_limit = 1\n"
        "default_destination_recipient_limit = 40\ndouble_bounce_sender = mailer-daemon\n",
        "main.cf");
    REQUIRE(cfg);
    tern::Result<std::vector<tern::MasterService>> services =
        tern::parse_master_cf("smtp unix - - n - 5 smtp\nlocal unix - n n - 0 local\nrelay unix - - n - - smtp\n",
                              "master.cf", *cfg);
    REQUIRE(services);
    tern::Result<qmgr::Settings> s = qmgr::load_settings(*cfg, *services);
    REQUIRE(s);
    CHECK(s->backoff.minimal_s == 10);
    CHECK(s->backoff.maximal_s == 60);
    CHECK(s->lifetimes.bounce_s == 86400);
    CHECK(s->lifetimes.maximal_s == 2 * 86400);
    CHECK(s->lifetimes.double_bounce_sender == "mailer-daemon");
    CHECK(s->active_limit == 7);
    CHECK(qmgr::transport_limits(*cfg, *s, "smtp") == qmgr::TransportLimits{3, 40, 5});
    CHECK(qmgr::transport_limits(*cfg, *s, "local") == qmgr::TransportLimits{2, 1, 0});
    CHECK(qmgr::transport_limits(*cfg, *s, "relay").process_limit == 9);
    CHECK(qmgr::transport_limits(*cfg, *s, "unknown").process_limit == 9);
}

TEST_CASE("a bad value stops loading the settings", "[qmgr][settings]") {
    tern::Result<tern::Config> cfg = tern::Config::parse("minimal_backoff_time = soon\n", "main.cf");
    REQUIRE(cfg);
    CHECK_FALSE(qmgr::load_settings(*cfg, {}));
}

TEST_CASE("a queue file an agent still holds is in use, and is put back with a later time", "[qmgr][moves]") {
    QueueDir q;
    const std::string id = make_id(1'700'000'000, 51);
    write_queue("active/" + id, {"a@x"});
    tern::Fd mine{::open(("active/" + id).c_str(), O_RDWR | O_CLOEXEC)};
    tern::Fd agent{::open(("active/" + id).c_str(), O_RDWR | O_CLOEXEC)};
    REQUIRE(mine);
    REQUIRE(agent);
    CHECK_FALSE(qmgr::queue_file_in_use(mine.get()));
    CHECK_FALSE(qmgr::queue_file_in_use(mine.get()));  // the probe released its lock
    REQUIRE(::flock(agent.get(), LOCK_SH) == 0);
    CHECK(qmgr::queue_file_in_use(mine.get()));
    REQUIRE(qmgr::delay_queue_file(mine.get(), id, tern::QueueName::Incoming, 1'900'000'000));
    struct stat st {};
    REQUIRE(::stat(("incoming/" + id).c_str(), &st) == 0);
    CHECK(st.st_mtime == 1'900'000'000);
}
