// lib/mail/queue_listing.h - walk the queue for mailq, and the showq records that carry it
//
// SYNOPSIS
//     tern::QueueScanner scanner("/var/spool/tern");          // "/" inside the chroot
//     while (std::optional<tern::ListedMessage> m = scanner.next())
//         tern::encode_listed_message(*m, out);            // showq: records to the client
//     tern::encode(tern::listing_end_record(), out);
//
//     tern::ListingAssembler assembler;                     // postqueue: records back
//     Result<std::optional<ListedMessage>> m = assembler.feed(record);
//     if (assembler.done()) ...;
// DESCRIPTION
//     QueueScanner reads the queues Postfix's showq lists, in the order
//     Postfix 3.7 lists them: maildrop, incoming, active, deferred, hold
//     (kListedQueues). Entries
//     are read lazily, one directory entry per next() call, so memory
//     does not grow with the queue. Names that are not queue IDs (a
//     postdrop or cleanup temporary file), files that vanish while we look
//     (qmgr moved them) and files that do not parse are skipped; only
//     recipients not yet delivered are listed. Files are opened
//     O_NOFOLLOW|O_NONBLOCK and must be regular (maildrop/ is writable by
//     local users). message_size is the content size, arrival_time the
//     arrival record (the file's mtime when it has none), as Postfix.
//     delay_reason, for mail in deferred/ only (as Postfix's showq),
//     is the reason of the newest defer/ID record of that recipient
//     (lib/mail/delivery_log.h), matched by status offset and address,
//     else by address; cut to ListingLimits::max_reason_bytes. A defer
//     log that is missing or cannot be read gives no reasons. As
//     Postfix's showq, recipients with a reason come first.
//
//     The showq protocol (lib/mail/attr.h messages), per message:
//         record=message queue_name queue_id arrival_time message_size
//                        forced_expire sender recipient_count
//         then recipient_count times: record=recipient address [delay_reason]
//     and after the last message: record=end.
//     ListingAssembler checks every record (known names only, numbers,
//     counts within limits, order) and returns each message when its last
//     recipient has arrived.
// LIMITS
//     QueueScanner lists at most ListingLimits::max_messages messages;
//     queue files are read with the QueueFileLimits given. The assembler
//     refuses a message announcing more than max_recipients recipients
//     and any record after the end record.
// ERRORS
//     QueueScanner never fails: a queue folder it cannot open is skipped
//     with a warning. ListingAssembler::feed returns a Permanent Error for
//     a record that breaks the protocol.
#pragma once

#include <dirent.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/fd.h"
#include "lib/base/result.h"
#include "lib/mail/attr.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/queue_name.h"

namespace tern {

inline constexpr std::array<QueueName, 5> kListedQueues{
    QueueName::Maildrop, QueueName::Incoming, QueueName::Active, QueueName::Deferred, QueueName::Hold,
};

struct ListingLimits {
    std::size_t max_messages = 1'000'000;
    std::size_t max_recipients = 100'000;  // per message, as QueueFileLimits
    std::size_t max_reason_bytes = 2000;
};

struct ListedRecipient {
    std::string address;
    std::string delay_reason;  // empty: none
    bool operator==(const ListedRecipient&) const = default;
};

struct ListedMessage {
    std::string queue_name;  // "deferred"
    std::string queue_id;
    long long arrival_time = 0;  // seconds since the epoch
    long long message_size = 0;  // content bytes
    bool forced_expire = false;
    std::string sender;  // empty: the null sender
    std::vector<ListedRecipient> recipients;
    bool operator==(const ListedMessage&) const = default;
};

class QueueScanner {
public:
    explicit QueueScanner(std::string queue_directory, const ListingLimits& limits = {},
                          const QueueFileLimits& file_limits = {});

    // The next listed message, or nullopt when every queue has been read.
    [[nodiscard]] std::optional<ListedMessage> next();

private:
    using DirPtr = std::unique_ptr<DIR, CFree<closedir>>;
    [[nodiscard]] bool open_next_queue();
    [[nodiscard]] std::optional<ListedMessage> read_entry(std::string_view name);

    std::string queue_directory_;
    ListingLimits limits_;
    QueueFileLimits file_limits_;
    std::size_t queue_index_ = 0;  // next queue of kListedQueues to open
    QueueName current_ = QueueName::Maildrop;
    DirPtr dir_;
    std::size_t listed_ = 0;
};

// Appends the records of one message (lib/mail/attr.h encoding) to out.
void encode_listed_message(const ListedMessage& message, std::string& out);
[[nodiscard]] AttrList listing_end_record();

class ListingAssembler {
public:
    explicit ListingAssembler(const ListingLimits& limits = {}) : limits_(limits) {}

    // A finished message, nullopt while its recipients are still coming
    // (or after the end record).
    [[nodiscard]] Result<std::optional<ListedMessage>> feed(const AttrList& record);
    [[nodiscard]] bool done() const noexcept { return done_; }

private:
    [[nodiscard]] Result<std::optional<ListedMessage>> start_message(const AttrList& record);
    [[nodiscard]] Result<std::optional<ListedMessage>> add_recipient(const AttrList& record);

    ListingLimits limits_;
    std::optional<ListedMessage> message_;
    std::size_t recipients_left_ = 0;
    bool done_ = false;
};

}  // namespace tern
