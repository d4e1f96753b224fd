// tests/unit/postsuper_options_test.cpp - postsuper's command line and ID lines
// (tools/postsuper/options.h, tools/postsuper/id_lines.h)
#include "tools/postsuper/options.h"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

#include "tools/postsuper/id_lines.h"

using postsuper::Action;
using postsuper::Request;
using tern::QueueName;

namespace {

tern::Result<postsuper::Options> parse(std::initializer_list<const char*> words) {
    const std::vector<const char*> args(words);
    return postsuper::parse_options(args);
}

std::string error_of(std::initializer_list<const char*> words) {
    const tern::Result<postsuper::Options> o = parse(words);
    REQUIRE_FALSE(o);
    return o.error().text;
}

std::vector<std::string> lines_of(std::initializer_list<std::string_view> chunks, bool finish = true) {
    std::vector<std::string> out;
    const postsuper::IdVisitor visit = [&](std::string_view id) { out.emplace_back(id); };
    postsuper::IdLines lines;
    for (const std::string_view chunk : chunks) lines.feed(chunk, visit);
    if (finish) lines.finish(visit);
    return out;
}

}  // namespace

TEST_CASE("postsuper options: requests in command-line order", "[postsuper]") {
    const auto o = parse({"-c", "/etc/x", "-d", "ID1", "-hID2", "-H", "ALL", "-r", "-", "-vv"});
    REQUIRE(o);
    CHECK(o->config_dir == "/etc/x");
    CHECK(o->verbosity == 2);
    CHECK(o->requests == std::vector<Request>{{Action::Delete, "ID1"}, {Action::Hold, "ID2"},
                                              {Action::Release, "ALL"}, {Action::Requeue, "-"}});
    CHECK(o->queues.empty());
}

TEST_CASE("postsuper options: bundled flags, operands anywhere, --", "[postsuper]") {
    const auto o = parse({"-vd", "ALL", "deferred", "-d", "-v", "hold", "deferred", "--", "active"});
    REQUIRE(o);
    CHECK(o->verbosity == 1);
    CHECK(o->requests == std::vector<Request>{{Action::Delete, "ALL"}, {Action::Delete, "-v"}});
    CHECK(o->queues == std::vector<QueueName>{QueueName::Deferred, QueueName::Hold, QueueName::Active});
    const auto empty = parse({});
    REQUIRE(empty);
    CHECK(empty->requests.empty());
}

TEST_CASE("postsuper options: errors in getopt's and Postfix's words", "[postsuper]") {
    CHECK(error_of({"-x"}) == "invalid option -- 'x'");
    CHECK(error_of({"-d"}) == "option requires an argument -- 'd'");
    CHECK(error_of({"-v", "-c"}) == "option requires an argument -- 'c'");
    CHECK(error_of({"-d", "ALL", "foo"}) == "invalid directory name: foo");
    CHECK(error_of({"-d", "ALL", "corrupt"}) == "invalid directory name: corrupt");
    CHECK(error_of({"-d", "ALL", "bounce"}) == "invalid directory name: bounce");
    CHECK(error_of({"-"}) == "invalid directory name: -");
    CHECK(error_of({""}) == "invalid directory name: ");
    CHECK(error_of({"-e", "ALL"}).find("not available") != std::string::npos);
    CHECK(error_of({"-s"}).find("not needed") != std::string::npos);
}

TEST_CASE("postsuper queues: each action's own, narrowed by the named ones", "[postsuper]") {
    using Q = std::vector<QueueName>;
    CHECK(postsuper::queues_for(Action::Delete, {}) ==
          Q{QueueName::Maildrop, QueueName::Incoming, QueueName::Active, QueueName::Deferred, QueueName::Hold});
    CHECK(postsuper::queues_for(Action::Hold, {}) == Q{QueueName::Incoming, QueueName::Active, QueueName::Deferred});
    CHECK(postsuper::queues_for(Action::Release, {}) == Q{QueueName::Hold});
    CHECK(postsuper::queues_for(Action::Requeue, {}) ==
          Q{QueueName::Incoming, QueueName::Active, QueueName::Deferred, QueueName::Hold});
    const Q named{QueueName::Maildrop, QueueName::Deferred};
    CHECK(postsuper::queues_for(Action::Delete, named) == named);
    CHECK(postsuper::queues_for(Action::Hold, named) == Q{QueueName::Deferred});
    CHECK(postsuper::queues_for(Action::Release, named).empty());
}

TEST_CASE("postsuper summary lines as Postfix prints them", "[postsuper]") {
    CHECK(postsuper::summary_line(Action::Delete, 0) == "Deleted: 0 messages");
    CHECK(postsuper::summary_line(Action::Delete, 1) == "Deleted: 1 message");
    CHECK(postsuper::summary_line(Action::Hold, 2) == "Placed on hold: 2 messages");
    CHECK(postsuper::summary_line(Action::Release, 1) == "Released from hold: 1 message");
    CHECK(postsuper::summary_line(Action::Requeue, 3) == "Requeued: 3 messages");
    CHECK(postsuper::done_text(Action::Delete) == "removed");
    CHECK(postsuper::done_text(Action::Release) == "released from hold");
}

TEST_CASE("postsuper ID lines: split anywhere, trimmed, CRLF, last line without LF", "[postsuper]") {
    using V = std::vector<std::string>;
    CHECK(lines_of({}).empty());
    CHECK(lines_of({""}).empty());
    CHECK(lines_of({"A\nB\n"}) == V{"A", "B"});
    CHECK(lines_of({"A", "B\nC", "D"}) == V{"AB", "CD"});
    CHECK(lines_of({"A", "B\nC", "D"}, false) == V{"AB"});
    CHECK(lines_of({" A\t\r\n\nB\r\n"}) == V{"A", "", "B"});
    CHECK(lines_of({"\n"}) == V{""});
    CHECK(lines_of({std::string_view("A\0B\n", 4)}) == V{std::string("A\0B", 3)});
    CHECK(lines_of({"caf\xc3\xa9\n"}) == V{"caf\xc3\xa9"});
}

TEST_CASE("postsuper ID lines: a long line is cut at the limit", "[postsuper]") {
    const std::string at_limit(postsuper::kMaxIdLineBytes, 'x');
    const std::string longer = at_limit + "yyyy";
    CHECK(lines_of({at_limit + "\n"}) == std::vector<std::string>{at_limit});
    CHECK(lines_of({longer + "\nZ\n"}) == std::vector<std::string>{at_limit, "Z"});
    CHECK(lines_of({at_limit, "yy", "yy\nZ"}) == std::vector<std::string>{at_limit, "Z"});
}
