// tests/unit/mailbox_test_support.h - a queue file with given content, read back for the mailbox writers
//
// SYNOPSIS
//     mailbox_test::StoredMessage stored("Subject: x\r\n\r\nbody\r\n", "a@example.com");
//     tern::ContentReader reader = stored.reader();
//     tern::MailboxMessage m = stored.message(&reader, "Delivered-To: b@example.com\n");
// DESCRIPTION
//     StoredMessage writes an unlinked queue file (lib/mail/queue_file_writer.h)
//     with `content` added in pieces of at most piece_bytes (so content
//     chunks split where the test wants), parses it and hands out readers.
//     shrink_to() cuts the file, so a reader fails mid message as it
//     would on a damaged queue file.
// LIMITS
//     Test code only: failures are Catch2 REQUIREs.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <string_view>

#include "lib/base/fd.h"
#include "lib/mail/mailbox.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/queue_file_writer.h"
#include "tests/unit/test_support.h"

namespace mailbox_test {

class StoredMessage {
public:
    explicit StoredMessage(std::string_view content, std::string_view sender = "a@example.com",
                           std::size_t piece_bytes = 64 * 1024) {
        tern::QueueFileWriter writer(tern_test::temp_fd(), "active/TEST");
        REQUIRE(writer.add_arrival(tern_test::at(1700000000, 123456)));
        REQUIRE(writer.add_sender(sender));
        REQUIRE(writer.add_recipient({.address = "b@example.com"}));
        for (std::size_t at = 0; at < content.size(); at += piece_bytes)
            REQUIRE(writer.add_content(content.substr(at, std::min(piece_bytes, content.size() - at))));
        REQUIRE(writer.finish());
        fd_ = writer.release_fd();
        tern::Result<tern::QueueFile> parsed = tern::read_queue_file(fd_.get(), "active/TEST");
        REQUIRE(parsed);
        file_ = std::move(*parsed);
    }

    [[nodiscard]] tern::ContentReader reader() const { return tern::ContentReader(fd_.get(), file_, "active/TEST"); }
    [[nodiscard]] tern::MailboxMessage message(tern::ContentReader* reader, std::string prefix = {}) const {
        return tern::MailboxMessage{.sender = file_.sender, .arrival = file_.arrival,
                                    .prefix = std::move(prefix), .content = reader};
    }
    void shrink_to(off_t bytes) const { REQUIRE(::ftruncate(fd_.get(), bytes) == 0); }
    [[nodiscard]] const tern::QueueFile& file() const { return file_; }
    [[nodiscard]] int fd() const { return fd_.get(); }

private:
    tern::Fd fd_;
    tern::QueueFile file_;
};

}  // namespace mailbox_test
