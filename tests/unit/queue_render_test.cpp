// tests/unit/queue_render_test.cpp - postcat-style rendering of queue files
#include "lib/mail/queue_render.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "lib/base/fd.h"
#include "lib/mail/queue_file_writer.h"
#include "tests/unit/test_support.h"

using tern_test::temp_fd;

namespace {

tern::Fd sample_file(std::string_view content) {
    tern::QueueFileWriter w(temp_fd(), "incoming/ID");
    timeval arrival{};
    arrival.tv_sec = 1700000000;
    REQUIRE(w.add_arrival(arrival));
    REQUIRE(w.add_sender(""));
    REQUIRE(w.add_envid("e1"));
    REQUIRE(w.add_ret(tern::DsnRet::Full));
    REQUIRE(w.add_attribute("client_name", "mail.example.com"));
    REQUIRE(w.add_recipient({.address = "b@example.net", .orcpt = "rfc822;b@example.net", .notify = 4}));
    REQUIRE(w.add_recipient({.address = "d@example.net", .status = tern::RecipientStatus::Done}));
    REQUIRE(w.add_content(content));
    REQUIRE(w.add_recipient({.address = "c@example.net"}));
    REQUIRE(w.finish());
    return w.release_fd();
}

std::string render_fd(int fd, const tern::RenderOptions& options) {
    auto file = tern::read_queue_file(fd, "incoming/ID");
    REQUIRE(file);
    std::string out;
    REQUIRE(tern::render_queue_file(fd, *file, "incoming/ID", [&](std::string_view text) -> tern::Status {
        out.append(text);
        return {};
    }, options));
    return out;
}

}  // namespace

TEST_CASE("asctime_text matches asctime(3)", "[queue_render]") {
    for (const std::time_t when : {std::time_t{0}, std::time_t{1700000000}, std::time_t{951782400}}) {
        std::tm parts{};
        REQUIRE(localtime_r(&when, &parts) != nullptr);
        char expected[64];
        REQUIRE(asctime_r(&parts, expected) != nullptr);
        CHECK(tern::asctime_text(when) + "\n" == expected);
    }
}

TEST_CASE("render shows envelope, contents, extracted recipients, end", "[queue_render]") {
    tern::Fd fd = sample_file("Subject: hi\r\nX: y\r\n\r\nline 1\r\n.\r\nlast");
    const std::string when = tern::asctime_text(1700000000);
    const std::string text = render_fd(fd.get(), {});
    auto file = tern::read_queue_file(fd.get(), "incoming/ID");
    REQUIRE(file);
    char size_line[80];
    std::snprintf(size_line, sizeof size_line, "message_size: %15d %15d %15d\n", 36,
                  static_cast<int>(file->content.front().offset), 3);
    CHECK(text ==
          "*** ENVELOPE RECORDS incoming/ID ***\n" + std::string(size_line) +
              "message_arrival_time: " + when + "\n"
              "sender: \n"
              "dsn_envelope_id: e1\n"
              "dsn_return_flags: 1\n"
              "named_attribute: client_name=mail.example.com\n"
              "dsn_original_recipient: rfc822;b@example.net\n"
              "dsn_notify_flags: 4\n"
              "recipient: b@example.net\n"
              "done_recipient: d@example.net\n"
              "next_attempt_time: now\n"
              "delivery_attempts: 0\n"
              "delay_warning_sent: not yet\n"
              "*** MESSAGE CONTENTS incoming/ID ***\n"
              "Subject: hi\nX: y\n\nline 1\n.\nlast\n"
              "*** HEADER EXTRACTED incoming/ID ***\n"
              "recipient: c@example.net\n"
              "*** MESSAGE FILE END incoming/ID ***\n");
}

TEST_CASE("render options pick envelope, header, body as postcat -e -h -b", "[queue_render]") {
    tern::Fd fd = sample_file("Subject: hi\r\n\r\nbody\rx\r\n");
    CHECK(render_fd(fd.get(), {.envelope = false, .header = true, .body = false}) == "Subject: hi\n");
    CHECK(render_fd(fd.get(), {.envelope = false, .header = false, .body = true}) == "\nbody\rx\n");
    const std::string envelope = render_fd(fd.get(), {.envelope = true, .header = false, .body = false});
    CHECK(envelope.find("Subject") == std::string::npos);
    CHECK(envelope.find("*** MESSAGE CONTENTS incoming/ID ***\n*** HEADER EXTRACTED") != std::string::npos);
}

TEST_CASE("render from bytes equals render from the descriptor; CR split across chunks", "[queue_render]") {
    std::string content = "A: b\r\n\r\n";
    content += std::string(64 * 1024 - content.size() - 1, 'x');
    content += "\r\nend\r";  // CR LF straddles the 64 KiB chunk boundary; a lone CR at the end
    tern::Fd fd = sample_file(content);
    std::string bytes(static_cast<std::size_t>(::lseek(fd.get(), 0, SEEK_END)), '\0');
    REQUIRE(::pread(fd.get(), bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    auto file = tern::parse_queue_file(bytes);
    REQUIRE(file);
    REQUIRE(file->content.size() == 2);
    const std::string from_bytes = tern::render_queue_file(bytes, *file, "incoming/ID");
    CHECK(from_bytes == render_fd(fd.get(), {}));
    CHECK(from_bytes.find("x\nend\r\n*** HEADER EXTRACTED") != std::string::npos);
    CHECK(from_bytes.find('\r') == from_bytes.find("\r\n*** HEADER"));
}

TEST_CASE("render shows when the delay notice was sent", "[queue_render]") {
    tern::Fd fd = sample_file("A: b\r\n\r\nx\r\n");
    auto file = tern::read_queue_file(fd.get(), "incoming/ID");
    REQUIRE(file);
    REQUIRE(tern::update_warning(fd.get(), file->warning_offset, 1700000500));
    const std::string text = render_fd(fd.get(), {.envelope = true, .header = false, .body = false});
    CHECK(text.find("delivery_attempts: 0\ndelay_warning_sent: " + tern::asctime_text(1700000500) + "\n") !=
          std::string::npos);
}
