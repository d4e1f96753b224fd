// tests/unit/queue_name_test.cpp - queue folder names and queue file paths
#include "lib/mail/queue_name.h"

#include <catch2/catch.hpp>

#include "lib/mail/queue_id.h"
#include "tests/unit/test_support.h"

using tern_test::at;

TEST_CASE("queue names: to_string, from_string, paths", "[queue_name]") {
    for (const tern::QueueName name : tern::kQueueNames) {
        const auto back = tern::queue_name_from_string(tern::to_string(name));
        REQUIRE(back.has_value());
        CHECK(*back == name);
    }
    CHECK(tern::to_string(tern::QueueName::Incoming) == "incoming");
    CHECK(tern::to_string(tern::QueueName::Corrupt) == "corrupt");
    CHECK_FALSE(tern::queue_name_from_string("Incoming").has_value());
    CHECK_FALSE(tern::queue_name_from_string("").has_value());
    CHECK_FALSE(tern::queue_name_from_string("private").has_value());
    CHECK(tern::holds_queue_files(tern::QueueName::Deferred));
    CHECK_FALSE(tern::holds_queue_files(tern::QueueName::Bounce));
    const tern::QueueId id = tern::QueueId::make(at(1, 2), 3);
    CHECK(tern::queue_file_path("/var/spool/tern", tern::QueueName::Active, id) ==
          "/var/spool/tern/active/" + id.str());
    CHECK(tern::queue_file_path("/q/", tern::QueueName::Hold, "X") == "/q/hold/X");
    CHECK(tern::queue_file_path("", tern::QueueName::Incoming, "X") == "incoming/X");
}
