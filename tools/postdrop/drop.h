// tools/postdrop/drop.h - copy a checked queue-file stream into maildrop/
//
// SYNOPSIS
//     tern::Result<tern::QueueFile> q = tern::read_queue_file(input.get(), "standard input", limits);
//     tern::Result<std::string> id = postdrop::drop_message(maildrop_fd, input.get(), *q, getuid());
// DESCRIPTION
//     Writes a new queue file into the maildrop folder open as dir_fd (an
//     O_PATH or read descriptor; never a path, so a swapped symlink in the
//     path cannot redirect it): a temporary name "tmp.PID.N" (the next N when one exists) made with
//     O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, owned by the real uid. The
//     envelope and content of `file` (read from input_fd) are written with
//     QueueFileWriter, with the arrival time set to now and the attribute
//     submit_uid=UID added (a submit_uid from the stream is dropped, so
//     the uid pickup sees is the one the kernel gave postdrop). Then
//     fsync, chmod 0644 (pickup runs as mail_owner and reads it; maildrop
//     is 0730, so nobody else can reach it), rename with RENAME_NOREPLACE
//     to a queue ID made from the time and the inode (retried with a new
//     time on EEXIST), and fsync of the folder (or syncfs when the folder
//     cannot be opened for reading, as for a setgid caller of a 0730
//     folder). Temporary names contain '.', so pickup never takes one.
// ERRORS
//     Temporary on any system error; the temporary file is removed on
//     every error path. Signals that would end the process (HUP, INT,
//     QUIT, TERM, XFSZ) are blocked while the file exists, so none can
//     leave it behind; XFSZ is ignored so RLIMIT_FSIZE gives a write error.
#pragma once

#include <sys/types.h>

#include <string>

#include "lib/base/result.h"
#include "lib/mail/queue_file.h"

namespace postdrop {

inline constexpr std::string_view kSubmitUidAttribute = "submit_uid";

[[nodiscard]] tern::Result<std::string> drop_message(int dir_fd, int input_fd, const tern::QueueFile& file,
                                                     uid_t uid);

}  // namespace postdrop
