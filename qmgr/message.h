// qmgr/message.h - one message in the active queue: its file, its recipients' progress
//
// SYNOPSIS
//     tern::Result<std::unique_ptr<qmgr::ActiveMessage>> m = qmgr::ActiveMessage::open(handle, id, now);
//     std::vector<std::size_t> chunk = (*m)->take_chunk(recipient_limit);
//     (*m)->close_file();  tern::Result<tern::Fd> fd = (*m)->open_file();
//     (*m)->settle(index, qmgr::Settled::Done);        // or Settled::Deferred
//     if ((*m)->pass_complete()) { (*m)->todo_left() ... }
// DESCRIPTION
//     open() opens active/ID read-write without following links (agents
//     and qmgr rewrite records in place), checks it is a regular file and
//     parses its envelope with tern::read_queue_file; the content stays on
//     disk. Recipients already done in the file are skipped. take_chunk
//     hands out the next recipients still to do, so a message with a huge
//     list is scheduled in parts (qmgr_message_recipient_limit); settle
//     records what became of each. The pass is complete when every
//     recipient was handed out and settled.
// ERRORS
//     open: Temporary for open/read trouble (try later), Permanent for a
//     file that is not a queue file (corrupt/).
#pragma once

#include <sys/time.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/queue_file.h"

namespace qmgr {

enum class Settled { Done, Deferred };

class ActiveMessage {
    struct Key {
        explicit Key() = default;
    };

public:
    [[nodiscard]] static tern::Result<std::unique_ptr<ActiveMessage>> open(std::uint64_t handle, const std::string& id,
                                                                         const timeval& now);
    // For tests: a message over an already parsed file.
    ActiveMessage(Key, std::uint64_t handle, std::string id, tern::Fd fd, tern::QueueFile file, const timeval& now);
    [[nodiscard]] static std::unique_ptr<ActiveMessage> from_parsed(std::uint64_t handle, std::string id, tern::Fd fd,
                                                                    tern::QueueFile file, const timeval& now);

    [[nodiscard]] std::uint64_t handle() const noexcept { return handle_; }
    [[nodiscard]] const std::string& id() const noexcept { return id_; }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    // The descriptor open() used, until close_file(); -1 afterwards.
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    // Active messages do not hold descriptors (there may be
    // qmgr_message_active_limit of them); open_file() opens the file again
    // when qmgr must write to it.
    void close_file() noexcept { fd_.reset(); }
    [[nodiscard]] tern::Result<tern::Fd> open_file() const;
    [[nodiscard]] const tern::QueueFile& file() const noexcept { return file_; }
    [[nodiscard]] const timeval& active_since() const noexcept { return active_since_; }
    [[nodiscard]] const tern::QueueRecipient& recipient(std::size_t index) const { return file_.recipients.at(index); }

    [[nodiscard]] std::vector<std::size_t> take_chunk(std::size_t limit);
    void settle(std::size_t index, Settled how);
    [[nodiscard]] bool has_unscheduled() const noexcept { return cursor_ < states_.size(); }
    [[nodiscard]] std::size_t outstanding() const noexcept { return outstanding_; }
    [[nodiscard]] bool pass_complete() const noexcept { return outstanding_ == 0 && !has_unscheduled(); }
    // Recipients still to do after this pass (deferred ones).
    [[nodiscard]] std::size_t todo_left() const noexcept { return deferred_; }

    // Set while qmgr finishes the message (bounce request, moves).
    bool finishing = false;

private:
    enum class State { Untouched, Waiting, Done, Deferred };

    std::uint64_t handle_;
    std::string id_;
    std::string path_;
    tern::Fd fd_;
    tern::QueueFile file_;
    timeval active_since_;
    std::vector<State> states_;
    std::size_t cursor_ = 0;
    std::size_t outstanding_ = 0;
    std::size_t deferred_ = 0;
};

}  // namespace qmgr
