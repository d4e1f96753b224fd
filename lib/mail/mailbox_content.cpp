// lib/mail/mailbox_content.cpp - CRLF -> LF, ">From " quoting and the mbox frame of one message
//
// SYNOPSIS
//     tern::MailboxLineFilter filter(true); filter.feed(bytes, out); filter.finish(out);
//     tern::Status s = tern::copy_message(fd, message, tern::MailboxFormat::Mbox, path);
// DESCRIPTION
//     See lib/mail/mailbox_content.h. The filter copies runs of ordinary
//     bytes in bulk and looks at single bytes only at CR, LF and the
//     first five bytes of a line.
// ERRORS
//     copy_message: Temporary "error reading message" / "error writing
//     message" with the errno of the failing call.
#include "lib/mail/mailbox_content.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <span>
#include <vector>

namespace tern {

namespace {

constexpr std::string_view kFromPrefix = "From ";

// Writes all of `bytes`, retrying short writes and EINTR.
Status write_all(int fd, std::string_view bytes, const std::string& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(Retry::Temporary, "error writing message to " + path, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

}  // namespace

void MailboxLineFilter::flush_held(std::string& out) {
    out.append(kFromPrefix.substr(0, held_));
    held_ = 0;
}

void MailboxLineFilter::feed(std::string_view input, std::string& out) {
    std::size_t i = 0;
    while (i < input.size()) {
        const char c = input[i];
        if (pending_cr_) {
            pending_cr_ = false;
            if (c == '\n') {
                out.push_back('\n');
                line_start_ = true;
                ++i;
                continue;
            }
            out.push_back('\r');  // a bare CR stays
            line_start_ = false;
        }
        if (line_start_ && quote_from_) {
            if (c == kFromPrefix[held_]) {
                if (++held_ == kFromPrefix.size()) {
                    out.append(">From ");
                    held_ = 0;
                    line_start_ = false;
                }
                ++i;
                continue;
            }
            flush_held(out);
        }
        if (c == '\r') {
            pending_cr_ = true;
            line_start_ = false;
            ++i;
            continue;
        }
        if (c == '\n') {
            out.push_back('\n');
            line_start_ = true;
            ++i;
            continue;
        }
        // An ordinary byte: copy the run up to the next CR or LF in one go.
        std::size_t end = input.find_first_of("\r\n", i);
        if (end == std::string_view::npos) end = input.size();
        out.append(input.substr(i, end - i));
        line_start_ = false;
        i = end;
    }
}

void MailboxLineFilter::finish(std::string& out) {
    if (held_ > 0) {
        flush_held(out);
        line_start_ = false;
    }
    if (pending_cr_) {
        pending_cr_ = false;
        out.push_back('\r');
        line_start_ = false;
    }
}

std::string mbox_from_line(const MailboxMessage& message) {
    const std::time_t when = message.arrival.tv_sec;
    std::tm local{};
    char date[64] = "Thu Jan  1 00:00:00 1970";
    if (::localtime_r(&when, &local) != nullptr) {
        char text[64];
        if (::asctime_r(&local, text) != nullptr) {
            const std::string_view view(text);
            const std::size_t len = std::min<std::size_t>(24, view.size());
            view.copy(date, len);
            date[len] = '\0';
        }
    }
    // Postfix's mail_copy: "From %s  %.24s" - two spaces before the date.
    return "From " + (message.sender.empty() ? std::string("MAILER-DAEMON") : message.sender) + "  " + date + "\n";
}

Status copy_message(int fd, const MailboxMessage& message, MailboxFormat format, const std::string& path) {
    const bool mbox = format == MailboxFormat::Mbox;
    std::string out;
    out.reserve(kMailboxIoBytes + 1024);
    if (mbox) out = mbox_from_line(message);
    out.append(message.prefix);
    MailboxLineFilter filter(mbox);
    if (message.content != nullptr) {
        std::vector<char> buffer(kMailboxIoBytes);
        while (true) {
            const Result<std::size_t> n = message.content->read(std::span<char>(buffer));
            if (!n) {
                return fail(Retry::Temporary, "error reading message: " + n.error().describe(),
                            n.error().errno_value);
            }
            if (*n == 0) break;
            filter.feed(std::string_view(buffer.data(), *n), out);
            if (out.size() >= kMailboxIoBytes) {
                if (Status s = write_all(fd, out, path); !s) return s;
                out.clear();
            }
        }
    }
    filter.finish(out);
    if (mbox) {
        if (!filter.ends_line()) out.push_back('\n');
        out.push_back('\n');
    }
    return write_all(fd, out, path);
}

}  // namespace tern
