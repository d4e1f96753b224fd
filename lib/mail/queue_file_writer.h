// lib/mail/queue_file_writer.h - write a queue file record by record
//
// SYNOPSIS
//     QueueFileWriter writer(std::move(fd), "incoming/" + temp_name);
//     Status s = writer.add_arrival(now);
//     s = writer.add_sender("a@example.com");          // "" is the null sender
//     s = writer.add_attribute("client_name", "mail.example.com");
//     s = writer.add_recipient({.address = "b@example.net", .orcpt = "rfc822;b@example.net",
//                               .notify = kDsnNotifyFailure | kDsnNotifyDelay});
//     s = writer.add_content(bytes);                    // as often as needed
//     s = writer.add_recipient({.address = "c@example.net"});  // after content is fine
//     s = writer.finish();                              // end record; no fsync
//     Fd done = writer.release_fd();                    // to group commit, then rename
// DESCRIPTION
//     Appends the records of lib/mail/queue_file.h to an empty file, from
//     offset 0, with pwrite. Records go through a buffer of about 64 KiB;
//     consecutive add_content calls are merged into chunks of up to 64 KiB.
//     The magic record comes first by construction; finish() adds the
//     schedule record {0, 0} and the delay warning record 0 (no notice
//     sent yet) if none was added, flushes, and writes the end record
//     with the total size. So every file it writes can carry qmgr's
//     delay notice mark (queue_record.h). The writer never fsyncs and never
//     renames: making the file durable is the group-commit component's
//     job (DESIGN.md section 11), which takes the descriptor.
//
//     Every argument is checked as the reader checks it (QueueFileLimits
//     defaults), so the writer cannot produce a file the reader refuses.
// ERRORS
//     Permanent, nothing written, the writer stays usable: an argument the
//     format refuses (NUL/CR/LF in an envelope string, a bad attribute
//     name, a duplicate single-valued record, too long, too many).
//     Temporary, the writer is broken from then on and every later call
//     returns the same error: a write failed (disk full, I/O error); the
//     text names the file. finish() without arrival time, sender or a
//     recipient is Permanent.
#pragma once

#include <sys/time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/queue_record.h"

namespace tern {

struct RecipientSpec {
    std::string_view address{};
    std::string_view orcpt{};  // empty: none
    unsigned notify = 0;     // kDsnNotify* bits; 0: none
    RecipientStatus status = RecipientStatus::Todo;
};

class QueueFileWriter {
public:
    QueueFileWriter(Fd fd, std::string path);

    [[nodiscard]] Status add_arrival(const timeval& arrival);
    [[nodiscard]] Status add_sender(std::string_view sender);
    [[nodiscard]] Status add_envid(std::string_view envid);
    [[nodiscard]] Status add_ret(DsnRet ret);
    [[nodiscard]] Status add_attribute(std::string_view name, std::string_view value);
    [[nodiscard]] Status add_recipient(const RecipientSpec& recipient);
    [[nodiscard]] Status add_content(std::string_view bytes);
    [[nodiscard]] Status add_schedule(const Schedule& schedule);
    [[nodiscard]] Status add_warning(std::int64_t sent_s);
    [[nodiscard]] Status finish();

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    [[nodiscard]] Fd release_fd() noexcept { return std::move(fd_); }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    // Bytes given to the file or the buffer so far; the file size after finish().
    [[nodiscard]] std::uint64_t size() const noexcept { return offset_ + buffer_.size() + pending_content_.size(); }
    [[nodiscard]] std::uint64_t content_size() const noexcept { return content_size_; }
    [[nodiscard]] std::size_t recipient_count() const noexcept { return recipient_count_; }
    [[nodiscard]] bool finished() const noexcept { return finished_; }

private:
    Status usable() const;
    Status append(RecordType type, std::string_view payload);
    Status flush_content();
    Status flush();
    Status envelope_text(std::string_view what, std::string_view text, bool may_be_empty) const;

    Fd fd_;
    std::string path_;
    QueueFileLimits limits_;
    std::string buffer_;
    std::string pending_content_;
    std::uint64_t offset_ = 0;  // bytes written to the file
    std::uint64_t content_size_ = 0;
    std::size_t recipient_count_ = 0;
    std::vector<std::string> attribute_names_;
    std::optional<Error> error_;
    bool finished_ = false;
    bool has_arrival_ = false, has_sender_ = false, has_envid_ = false, has_ret_ = false, has_schedule_ = false;
    bool has_warning_ = false;
};

}  // namespace tern
