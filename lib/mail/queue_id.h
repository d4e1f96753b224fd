// lib/mail/queue_id.h - make and check queue IDs
//
// SYNOPSIS
//     QueueId id = QueueId::make(arrival, inode);   // timeval, st_ino
//     bool ok = is_valid_queue_id(name);
//     std::optional<QueueId> parsed = QueueId::parse(name);
//     timeval when = parsed->arrival();  std::uint64_t ino = parsed->inode();
//     log_info("%s: removed", id.c_str());
// DESCRIPTION
//     A queue ID names one queue file. IDs sort by arrival time and use
//     only [0-9A-Za-z], so they are safe as file names and in logs.
//
//     Like Postfix's long queue IDs the name holds the arrival time and the
//     queue file's inode number, so two files that exist at once in one
//     queue file system never share an ID. Digits are base 62 in ASCII
//     order (0-9 A-Z a-z), so plain string comparison orders by value:
//         SSSSSS   seconds since the epoch, 6 digits (until year 3770)
//         UUUU     microseconds, 4 digits (0..999999)
//         I...     the inode, 1..11 digits, no leading zeros
//     The time fields have fixed width, so IDs sort by arrival time as
//     plain strings; the inode makes them unique. The encoding is
//     canonical: one (time, inode) has exactly one ID, and parse() refuses
//     any other spelling.
//
//     An inode is reused only after its file is gone; a new file that gets
//     the same inode within the same microsecond would get the same ID, so
//     the writer renames with RENAME_NOREPLACE (or link) and retries with a
//     fresh time on EEXIST.
// LIMITS
//     kMinQueueIdLength..kMaxQueueIdLength characters; anything else is
//     refused. make() clamps a time before 1970 to 0 and one past the last
//     encodable second to that second.
#pragma once

#include <sys/time.h>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern {

inline constexpr std::size_t kQueueIdSecondDigits = 6;
inline constexpr std::size_t kQueueIdMicroDigits = 4;
inline constexpr std::size_t kQueueIdMaxInodeDigits = 11;  // 62^11 > 2^64
inline constexpr std::size_t kMinQueueIdLength = kQueueIdSecondDigits + kQueueIdMicroDigits + 1;
inline constexpr std::size_t kMaxQueueIdLength =
    kQueueIdSecondDigits + kQueueIdMicroDigits + kQueueIdMaxInodeDigits;

class QueueId {
public:
    [[nodiscard]] static QueueId make(const timeval& arrival, std::uint64_t inode);
    // The ID spelled by `name`, or nothing when it is not a canonical ID.
    [[nodiscard]] static std::optional<QueueId> parse(std::string_view name);

    [[nodiscard]] const std::string& str() const noexcept { return text_; }
    [[nodiscard]] const char* c_str() const noexcept { return text_.c_str(); }
    [[nodiscard]] timeval arrival() const noexcept { return arrival_; }
    [[nodiscard]] std::uint64_t inode() const noexcept { return inode_; }

    friend bool operator==(const QueueId& a, const QueueId& b) noexcept { return a.text_ == b.text_; }
    friend std::strong_ordering operator<=>(const QueueId& a, const QueueId& b) noexcept {
        return a.text_ <=> b.text_;
    }

private:
    QueueId(std::string text, timeval arrival, std::uint64_t inode)
        : text_(std::move(text)), arrival_(arrival), inode_(inode) {}
    std::string text_;
    timeval arrival_{};
    std::uint64_t inode_ = 0;
};

[[nodiscard]] bool is_valid_queue_id(std::string_view name) noexcept;

}  // namespace tern
