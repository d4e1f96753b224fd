// cleanup/message.h - one message on its way into the queue: envelope, recipients, content
//
// SYNOPSIS
//     cleanup::Message m(cleanup::settings(), std::move(new_queue_file));
//     tern::Status s = m.start(envelope);             // writes the envelope records
//     m.add_recipient(recipient);                     // rewritten, expanded, de-duplicated
//     m.add_content(bytes);                           // any split
//     cleanup::Outcome o = m.finish();                // Queue, Hold, Discard, Reject, Defer
//     if (o.verdict == Verdict::Queue) commit(m.release_fd(), m.temp(), m.id());
// DESCRIPTION
//     Writes the queue file (lib/mail/queue_file_writer.h) as the message
//     arrives; nothing here waits for the disk (no fsync: group commit's
//     job). Content: the Received: header (cleanup/received.h) and then
//     the message's headers go through cleanup/headers.h, each counted
//     for hopcount_limit (ours included, as in Postfix, where smtpd sends
//     it as content) and checked against header_checks (when
//     kCleanupFlagHeaderChecks), then the missing headers at the end of
//     the header section (when kCleanupFlagAddHeaders), then the body.
//     Recipients are kept in memory and written after the content, so a
//     REDIRECT can replace them (the queue file format allows any order).
//     Logs "ID: message-id=<...>" at the end of the header section, and
//     header_checks actions in Postfix's shape.
//
//     Verdicts, first match wins: Defer "451 4.3.0 Error: queue file write
//     error" (a write failed, a table could not be read, virtual alias
//     limits); Reject (header_checks REJECT "550 5.7.1 TEXT", "554 5.4.0
//     Error: too many hops", "552 5.3.4 Message size exceeds fixed limit",
//     "552 5.5.3 Error: too many recipients"); Discard; Hold (header_checks
//     HOLD or kCleanupFlagHold); Queue.
// LIMITS
//     message_size_limit (content bytes as written, added headers included;
//     0: none): past it nothing more is written and the verdict is 552.
//     At most kMaxRecipients recipients after expansion. Memory: one
//     header (header_size_limit) plus the recipient list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cleanup/envelope.h"
#include "cleanup/header_checks.h"
#include "cleanup/headers.h"
#include "cleanup/missing_headers.h"
#include "cleanup/queue_output.h"
#include "cleanup/rewrite.h"
#include "cleanup/settings.h"
#include "lib/mail/queue_file_writer.h"

namespace cleanup {

enum class Verdict { Queue, Hold, Discard, Reject, Defer };

struct Outcome {
    Verdict verdict = Verdict::Queue;
    std::string reason;  // SMTP reply line for Reject and Defer
};

inline constexpr std::string_view kWriteErrorReply = "451 4.3.0 Error: queue file write error";
inline constexpr std::string_view kTooManyHopsReply = "554 5.4.0 Error: too many hops";
inline constexpr std::string_view kTooBigReply = "552 5.3.4 Message size exceeds fixed limit";
inline constexpr std::string_view kTooManyRecipientsReply = "552 5.5.3 Error: too many recipients";

class Message final : public HeaderSink {
public:
    Message(const Settings& settings, NewQueueFile file);

    [[nodiscard]] tern::Status start(const Envelope& envelope);
    void add_recipient(const RecipientRequest& recipient);
    void add_content(std::string_view bytes);
    [[nodiscard]] Outcome finish();

    [[nodiscard]] const tern::QueueId& id() const noexcept { return file_.id; }
    [[nodiscard]] TempName& temp() noexcept { return file_.temp; }
    [[nodiscard]] tern::Fd release_fd() noexcept { return writer_.release_fd(); }
    [[nodiscard]] std::size_t recipient_count() const noexcept { return recipients_.size(); }
    [[nodiscard]] std::size_t recipient_requests() const noexcept { return recipient_requests_; }
    [[nodiscard]] std::uint64_t content_size() const noexcept { return content_bytes_; }

    void on_header(std::string_view header, bool truncated) override;
    void on_end_of_headers() override;
    void on_body(std::string_view bytes) override;

private:
    struct Recipient {
        std::string address, orcpt;
        unsigned notify = 0;
    };
    void begin_content();
    void write(std::string_view bytes);
    void defer(const tern::Error& error);
    void reject(std::string_view reply);
    // true: write the header (possibly replaced in `replacement`)
    bool apply_header_checks(std::string_view header, std::string& replacement);
    bool apply_action(const HeaderVerdict& verdict, std::string_view header, std::string& replacement);
    void log_action(std::string_view action, std::string_view header, std::string_view detail) const;
    void keep_recipient(std::string address, const RecipientRequest& from);
    [[nodiscard]] tern::Status write_recipients();

    const Settings& settings_;
    Rewriter rewriter_;
    NewQueueFile file_;
    tern::QueueFileWriter writer_;
    HeaderParser parser_;
    Envelope envelope_;
    SeenHeaders seen_;
    LogContext who_;
    std::vector<Recipient> recipients_;
    RecipientSet seen_recipients_;
    std::size_t recipient_requests_ = 0;
    std::string first_recipient_;   // as received, for Received: "for"
    std::optional<std::string> redirect_;
    std::optional<std::string> defer_;
    std::optional<std::string> reject_;
    std::uint64_t content_bytes_ = 0;
    bool content_started_ = false;
    bool stopped_ = false;          // nothing more is written (verdict known or size exceeded)
    bool too_big_ = false;
    bool discard_ = false;
    bool hold_ = false;
};

}  // namespace cleanup
