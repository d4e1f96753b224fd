// lib/mail/queue_render.h - a queue file as text, in the shape of Postfix's postcat
//
// SYNOPSIS
//     Result<QueueFile> file = read_queue_file(fd.get(), path);
//     Status s = render_queue_file(fd.get(), *file, path, [](std::string_view text) -> Status {
//         return write_all(STDOUT_FILENO, text); }, RenderOptions{});
//     std::string text = render_queue_file(bytes, *parsed, "incoming/ID");  // small files, tests
// DESCRIPTION
//     Prints what postcat(1) prints for a Postfix queue file, so people
//     and scripts used to it read tern's files the same way:
//         *** ENVELOPE RECORDS incoming/ID ***
//         message_size:            1234             123               2
//         message_arrival_time: Sat Nov 23 10:00:00 2024
//         sender: a@example.com
//         named_attribute: client_name=mail.example.com
//         dsn_original_recipient: rfc822;b@example.net
//         dsn_notify_flags: 4
//         recipient: b@example.net          (done_recipient: when done)
//         next_attempt_time: now            (tern's schedule record)
//         delivery_attempts: 0
//         delay_warning_sent: not yet       (tern's delay warning record,
//                                            when the file has one)
//         *** MESSAGE CONTENTS incoming/ID ***
//         Subject: hi
//
//         body
//         *** HEADER EXTRACTED incoming/ID ***
//         recipient: c@example.net          (recipients added after content)
//         *** MESSAGE FILE END incoming/ID ***
//     message_size shows content bytes, the offset of the first content
//     byte and the recipient count (Postfix shows more numbers there).
//     Times are local, in asctime(3) form. dsn_return_flags and
//     dsn_notify_flags are numbers as in Postfix (RET FULL=1, HDRS=2;
//     NOTIFY NEVER=1, SUCCESS=2, FAILURE=4, DELAY=8). Content lines end in
//     LF (CRLF is shown as LF, as postcat shows Postfix's line records);
//     other bytes are printed as they are. RenderOptions picks envelope
//     (with the markers), header and body as postcat's -e, -h and -b do;
//     the header ends at the first empty line, which belongs to the body.
// ERRORS
//     What the sink or reading the content returns; output stops there.
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <string_view>

#include "lib/base/result.h"
#include "lib/mail/queue_file.h"

namespace tern {

struct RenderOptions {
    bool envelope = true;
    bool header = true;
    bool body = true;
};

using RenderSink = std::function<Status(std::string_view)>;

[[nodiscard]] Status render_queue_file(int fd, const QueueFile& file, std::string_view path, const RenderSink& sink,
                                       const RenderOptions& options = {});
[[nodiscard]] std::string render_queue_file(std::string_view bytes, const QueueFile& file, std::string_view path,
                                            const RenderOptions& options = {});

// asctime(3) text of `when` in local time, without the newline:
// "Sat Nov 23 10:00:00 2024". Locale-independent.
[[nodiscard]] std::string asctime_text(std::time_t when);

}  // namespace tern
