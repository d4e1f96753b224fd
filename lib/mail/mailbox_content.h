// lib/mail/mailbox_content.h - turn stored CRLF content into a mailbox's LF lines (internal to mailbox writers)
//
// SYNOPSIS
//     tern::MailboxLineFilter filter(/*quote_from=*/true);
//     std::string out;
//     filter.feed(chunk1, out);  filter.feed(chunk2, out);   // any split
//     filter.finish(out);        // flushes a held CR or "From" prefix
//     bool complete = filter.ends_line();                    // last byte out was LF (or nothing)
//     std::string name = tern::maildir_unique_name(now);
//
//     tern::Status s = tern::copy_message(fd, message, tern::MailboxFormat::Mbox, "/var/mail/b");
// DESCRIPTION
//     MailboxLineFilter is a pure byte transformer with a few bytes of
//     state, so chunk boundaries (a CR at the end of one read and its LF
//     at the start of the next, "Fr" + "om ") never change the result:
//       - CR LF becomes LF; a CR not followed by LF stays as it is; a
//         bare LF stays a line end;
//       - with quote_from, a line starting "From " gets a '>' in front
//         (Postfix's MAIL_COPY_QUOTE: only "From ", not ">From ").
//     copy_message writes one message to an open file descriptor: for
//     Mbox the "From SENDER  DATE" line (two spaces and the asctime date
//     of arrival, as Postfix's mail_copy; MAILER-DAEMON for the null
//     sender), then the prefix, then the filtered content, then for Mbox
//     a LF that completes a last partial line and the empty line that
//     ends an mbox message. Maildir gets neither From line nor quoting.
// LIMITS
//     Memory is one read buffer and one write buffer of kMailboxIoBytes
//     each, whatever the message size.
// ERRORS
//     Temporary, with the errno: "error reading message" (the content
//     reader failed: the queue file is damaged or shrank) or "error
//     writing message" (write failed: EFBIG, ENOSPC...). The caller undoes
//     what was written.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/mailbox.h"

namespace tern {

inline constexpr std::size_t kMailboxIoBytes = 64 * 1024;

class MailboxLineFilter {
public:
    explicit MailboxLineFilter(bool quote_from) noexcept : quote_from_(quote_from) {}

    void feed(std::string_view input, std::string& out);
    void finish(std::string& out);
    // True when the output so far is empty or ends with a LF.
    [[nodiscard]] bool ends_line() const noexcept { return line_start_; }

private:
    void flush_held(std::string& out);

    bool quote_from_;
    bool line_start_ = true;  // the next byte starts a line
    bool pending_cr_ = false;  // a CR whose next byte is not known yet
    std::size_t held_ = 0;     // bytes of "From " matched at line start, not yet written
};

enum class MailboxFormat { Maildir, Mbox };

// The mbox "From " line for `message` ("From MAILER-DAEMON  Thu Nov 23 10:00:00 2023\n").
[[nodiscard]] std::string mbox_from_line(const MailboxMessage& message);

[[nodiscard]] Status copy_message(int fd, const MailboxMessage& message, MailboxFormat format,
                                  const std::string& path);

// "SECONDS.M<micros>P<pid>Q<counter>.<host>" (lib/mail/maildir.cpp); unique per call.
[[nodiscard]] std::string maildir_unique_name(const timeval& now);

}  // namespace tern
