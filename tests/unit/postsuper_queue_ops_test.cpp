// tests/unit/postsuper_queue_ops_test.cpp - delete, hold, release, requeue (tools/postsuper/queue_ops.h)
#include "tools/postsuper/queue_ops.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "lib/mail/queue_id.h"
#include "test_support.h"

using postsuper::Action;
using tern::QueueName;

namespace {

namespace fs = std::filesystem;

std::string make_id(std::uint64_t inode) { return tern::QueueId::make(tern_test::at(1700000000, 42), inode).str(); }

struct Queue {
    tern_test::TempDir dir;
    Queue() {
        for (const QueueName q : tern::kQueueNames) fs::create_directory(dir.path() / std::string(tern::to_string(q)));
    }
    std::string put(QueueName q, const std::string& id, std::string_view content = "x") const {
        return dir.write(std::string(tern::to_string(q)) + "/" + id, content);
    }
    [[nodiscard]] bool has(QueueName q, const std::string& id) const {
        return fs::exists(dir.path() / std::string(tern::to_string(q)) / id);
    }
    [[nodiscard]] std::time_t mtime(QueueName q, const std::string& id) const {
        struct stat st {};
        REQUIRE(::stat((dir.path() / std::string(tern::to_string(q)) / id).c_str(), &st) == 0);
        return st.st_mtime;
    }
    [[nodiscard]] tern::Result<postsuper::QueueOps> ops() const {
        return postsuper::QueueOps::open(dir.path().string());
    }
};

bool apply(postsuper::QueueOps& ops, Action action, const std::string& id) {
    const tern::Result<bool> done = ops.apply(action, id, postsuper::queues_for(action, {}));
    REQUIRE(done);
    return *done;
}

}  // namespace

TEST_CASE("postsuper delete: the queue file and its logs, in any queue", "[postsuper]") {
    Queue q;
    const std::string a = make_id(1), b = make_id(2), c = make_id(3);
    q.put(QueueName::Deferred, a);
    q.put(QueueName::Defer, a);
    q.put(QueueName::Bounce, a);
    q.put(QueueName::Maildrop, b);
    q.put(QueueName::Defer, c);  // a log alone is not a message
    tern::Result<postsuper::QueueOps> ops = q.ops();
    REQUIRE(ops);
    CHECK(apply(*ops, Action::Delete, a));
    CHECK_FALSE(q.has(QueueName::Deferred, a));
    CHECK_FALSE(q.has(QueueName::Defer, a));
    CHECK_FALSE(q.has(QueueName::Bounce, a));
    CHECK(apply(*ops, Action::Delete, b));
    CHECK_FALSE(apply(*ops, Action::Delete, b));
    CHECK_FALSE(apply(*ops, Action::Delete, c));
    CHECK(q.has(QueueName::Defer, c));
    CHECK_FALSE(apply(*ops, Action::Delete, "../deferred/x"));
    CHECK_FALSE(apply(*ops, Action::Delete, ""));
}

TEST_CASE("postsuper hold and release: hold/ and back to deferred/ due now", "[postsuper]") {
    Queue q;
    const std::string a = make_id(1), m = make_id(2);
    const std::string path = q.put(QueueName::Deferred, a, "content");
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    const timespec future[2] = {{2000000000, 0}, {2000000000, 0}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), future, 0) == 0);
    q.put(QueueName::Defer, a);
    q.put(QueueName::Maildrop, m);
    tern::Result<postsuper::QueueOps> ops = q.ops();
    REQUIRE(ops);
    CHECK(apply(*ops, Action::Hold, a));
    CHECK(q.has(QueueName::Hold, a));
    CHECK_FALSE(q.has(QueueName::Deferred, a));
    CHECK(q.has(QueueName::Defer, a));  // mailq still shows why it was deferred
    CHECK_FALSE(apply(*ops, Action::Hold, a));
    CHECK_FALSE(apply(*ops, Action::Hold, m));  // maildrop mail cannot be held
    CHECK(q.has(QueueName::Maildrop, m));
    const std::time_t before = std::time(nullptr);
    CHECK(apply(*ops, Action::Release, a));
    CHECK(q.has(QueueName::Deferred, a));
    CHECK(q.mtime(QueueName::Deferred, a) >= before);
    CHECK(q.mtime(QueueName::Deferred, a) <= std::time(nullptr));
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    CHECK(tern_test::read_file(path) == "content");
}

TEST_CASE("postsuper requeue: into maildrop/ for pickup, defer log gone, bounce log kept", "[postsuper]") {
    Queue q;
    const std::string a = make_id(1);
    const std::string path = q.put(QueueName::Active, a);
    const timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    REQUIRE(::utimensat(AT_FDCWD, path.c_str(), old, 0) == 0);
    q.put(QueueName::Defer, a);
    q.put(QueueName::Bounce, a);
    tern::Result<postsuper::QueueOps> ops = q.ops();
    REQUIRE(ops);
    const std::time_t before = std::time(nullptr);
    CHECK(apply(*ops, Action::Requeue, a));
    CHECK(q.has(QueueName::Maildrop, a));
    CHECK(q.mtime(QueueName::Maildrop, a) >= before);  // pickup's arrival time
    CHECK_FALSE(q.has(QueueName::Defer, a));
    CHECK(q.has(QueueName::Bounce, a));
}

TEST_CASE("postsuper never replaces a file of the same name", "[postsuper]") {
    Queue q;
    const std::string a = make_id(1);
    q.put(QueueName::Deferred, a, "deferred");
    q.put(QueueName::Hold, a, "held");
    tern::Result<postsuper::QueueOps> ops = q.ops();
    REQUIRE(ops);
    const tern::Result<bool> done = ops->apply(Action::Hold, a, postsuper::queues_for(Action::Hold, {}));
    REQUIRE_FALSE(done);
    CHECK(done.error().errno_value == EEXIST);
    CHECK(tern_test::read_file(q.dir.file("hold/" + a)) == "held");
    CHECK(tern_test::read_file(q.dir.file("deferred/" + a)) == "deferred");
}

TEST_CASE("postsuper ALL: every queue ID of the listed queues, nothing else", "[postsuper]") {
    Queue q;
    std::vector<std::string> ids;
    for (std::uint64_t i = 1; i <= 5; ++i) ids.push_back(make_id(i));
    q.put(QueueName::Deferred, ids[0]);
    q.put(QueueName::Deferred, ids[1]);
    q.put(QueueName::Incoming, ids[2]);
    q.put(QueueName::Hold, ids[3]);
    q.put(QueueName::Maildrop, ids[4]);
    q.put(QueueName::Maildrop, "tmp.123.1");  // postdrop still writing it
    q.put(QueueName::Deferred, "junk");
    tern::Result<postsuper::QueueOps> ops = q.ops();
    REQUIRE(ops);
    const std::vector<QueueName> deferred{QueueName::Deferred};
    tern::Result<std::size_t> held = ops->apply_all(Action::Hold, deferred);
    REQUIRE(held);
    CHECK(*held == 2);
    CHECK(q.has(QueueName::Hold, ids[0]));
    CHECK(q.has(QueueName::Incoming, ids[2]));
    tern::Result<std::size_t> removed = ops->apply_all(Action::Delete, postsuper::queues_for(Action::Delete, {}));
    REQUIRE(removed);
    CHECK(*removed == 5);
    CHECK(q.has(QueueName::Maildrop, "tmp.123.1"));
    CHECK(q.has(QueueName::Deferred, "junk"));
}

TEST_CASE("postsuper refuses a queue folder that is a symbolic link", "[postsuper]") {
    Queue q;
    fs::remove(q.dir.path() / "hold");
    fs::create_directory_symlink(q.dir.path() / "deferred", q.dir.path() / "hold");
    const tern::Result<postsuper::QueueOps> ops = postsuper::QueueOps::open(q.dir.path().string());
    REQUIRE_FALSE(ops);
    CHECK(ops.error().text.find("/hold") != std::string::npos);
}
