// smtpd/protocol_data.cpp - DATA and BDAT: content to cleanup, the end-of-message reply (see protocol.h)
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"
#include "smtpd/protocol.h"

namespace smtpd {

namespace {

constexpr std::string_view kReplyQueueWriteError = "451 4.3.0 Error: queue file write error";
constexpr std::string_view kReplyTooBig = "552 5.3.4 Message size exceeds fixed limit";

}  // namespace

tern::DataLimits Protocol::data_limits() const noexcept {
    const bool reject = settings_.forbid_bare_newline && !client_.bare_newline_excluded;
    return {.max_message_bytes = settings_.message_size_limit,
            .max_line_bytes = settings_.line_length_limit,
            .bare_newline = reject ? tern::BareNewline::Reject : tern::BareNewline::Normalize};
}

// Sequence, cleanup and smtpd_data_restrictions checks before content; true when refused.
bool Protocol::refuse_content_start(Counted counted) {
    if (!sender_given_) {
        reply_counted(counted, "503 5.5.1 Error: need RCPT command");
        return true;
    }
    if (rcpt_count_ == 0) {
        reply_counted(counted, "554 5.5.1 Error: no valid recipients");
        return true;
    }
    if (!cleanup_open_ || cleanup_failed_) {
        reply_counted(counted, kReplyQueueWriteError);
        reset_transaction();
        return true;
    }
    if (Verdict v = policy_.check(Stage::Data, context(last_recipient_)); v.kind != VerdictKind::Accept) {
        log_reject(counted == Counted::Bdat ? "BDAT" : "DATA", v.reply, last_recipient_);
        reply_counted(counted, v.reply);
        return true;
    }
    return false;
}

void Protocol::do_data(std::string_view line) {
    if (chunks_) return reply_counted(Counted::Data, "503 5.5.1 Error: DATA after BDAT");
    if (!sender_given_ || rcpt_count_ == 0) {
        (void)refuse_content_start(Counted::Data);
        return;
    }
    if (line.find_first_not_of(" \t", 4) != std::string_view::npos)
        return reply_counted(Counted::Data, "501 5.5.4 Syntax: DATA");
    if (refuse_content_start(Counted::Data)) return;
    data_ = std::make_unique<tern::DataDecoder>(data_limits());
    phase_ = Phase::Data;
    output_ += "354 End data with <CR><LF>.<CR><LF>\r\n";
}

void Protocol::do_bdat(std::string_view line) {
    tern::Result<tern::SmtpCommand> cmd = tern::parse_smtp_command(line, {});
    if (!cmd) return reply_counted(Counted::Bdat, cmd.error().text);
    if (data_) return reply_counted(Counted::Bdat, "503 5.5.1 Error: BDAT after DATA");
    if (!chunks_ && refuse_content_start(Counted::Bdat)) {
        // The chunk follows the command whatever the answer: read and drop it.
        bdat_discard_ = true;
        bdat_chunk_bytes_ = cmd->bdat_size;
        if (bdat_chunk_bytes_ > 0) phase_ = Phase::Bdat;
        return;
    }
    if (!chunks_) chunks_ = std::make_unique<tern::ChunkDecoder>(data_limits());
    (void)chunks_->begin_chunk(cmd->bdat_size, cmd->bdat_last);  // too big shows in problem()
    bdat_last_ = cmd->bdat_last;
    bdat_chunk_bytes_ = cmd->bdat_size;
    phase_ = Phase::Bdat;
    if (cmd->bdat_size == 0) {
        std::string ignored;
        const tern::ChunkFeed got = chunks_->feed({}, ignored);
        (void)got;
        finish_chunk();
    }
}

std::size_t Protocol::feed_bdat(std::string_view input) {
    if (bdat_discard_) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(bdat_chunk_bytes_, input.size()));
        bdat_chunk_bytes_ -= n;
        if (bdat_chunk_bytes_ == 0) {
            bdat_discard_ = false;
            phase_ = Phase::Command;
        }
        return n;
    }
    const tern::ChunkFeed got = chunks_->feed(input, content_);
    if (content_.size() >= tern::kCleanupMaxChunkBytes) flush_content(false);
    if (got.verdict != tern::ChunkVerdict::NeedMore) finish_chunk();
    return got.consumed;
}

void Protocol::finish_chunk() {
    const tern::DataProblem problem = chunks_->problem();
    if (bdat_last_ || problem != tern::DataProblem::None) return end_of_message(problem);
    phase_ = Phase::Command;
    reply_counted(Counted::Bdat, "250 2.0.0 Ok: " + std::to_string(bdat_chunk_bytes_) + " bytes");
}

std::size_t Protocol::feed_data(std::string_view input) {
    const tern::DataFeed fed = data_->feed(input, content_);
    if (content_.size() >= tern::kCleanupMaxChunkBytes) flush_content(false);
    switch (fed.verdict) {
    case tern::DataVerdict::NeedMore: break;
    case tern::DataVerdict::End: end_of_message(tern::DataProblem::None); break;
    case tern::DataVerdict::Error: end_of_message(data_->problem()); break;
    }
    return fed.consumed;
}

// Hands content to cleanup in pieces of at most kCleanupMaxChunkBytes;
// without `all` a short tail stays for the next call.
void Protocol::flush_content(bool all) {
    if (!cleanup_open_) {
        content_.clear();
        return;
    }
    std::size_t sent = 0;
    while (content_.size() - sent >= tern::kCleanupMaxChunkBytes || (all && sent < content_.size())) {
        const std::size_t n = std::min(tern::kCleanupMaxChunkBytes, content_.size() - sent);
        tern::AttrList piece;
        piece.add(tern::kCleanupRequest, tern::kCleanupRequestContent)
            .add(tern::kCleanupData, std::string_view(content_).substr(sent, n));
        host_.send_cleanup(piece);
        sent += n;
    }
    content_.erase(0, sent);
}

void Protocol::end_of_message(tern::DataProblem problem) {
    const Counted counted = chunks_ ? Counted::Bdat : Counted::Data;
    flush_content(true);
    content_.shrink_to_fit();
    phase_ = Phase::Command;
    last_command_ = "END-OF-MESSAGE";
    switch (problem) {
    case tern::DataProblem::BareNewline:
        counts_.record(counted, false);
        bare_newline("message content");
        return reset_transaction();
    case tern::DataProblem::TooBig:
        reply_counted(counted, chunks_ ? "552 5.3.4 Chunk exceeds message size limit" : kReplyTooBig);
        return reset_transaction();
    case tern::DataProblem::None: break;
    }
    if (!cleanup_open_ || cleanup_failed_) {
        reply_counted(counted, kReplyQueueWriteError);
        return reset_transaction();
    }
    if (Verdict v = policy_.check(Stage::EndOfData, context(last_recipient_)); v.kind != VerdictKind::Accept) {
        log_reject("END-OF-MESSAGE", v.reply, last_recipient_);
        reply_counted(counted, v.reply);
        return reset_transaction();
    }
    host_.finish_cleanup();
    phase_ = Phase::AwaitQueued;
}

void Protocol::cleanup_replied(const tern::CleanupReply& answer) {
    const Counted counted = chunks_ ? Counted::Bdat : Counted::Data;
    cleanup_open_ = false;
    phase_ = Phase::Command;
    std::string line = answer.reason;
    if (line.empty())
        line = answer.status == 0 ? "250 2.0.0 Ok: queued as " + queue_id_ : std::string(kReplyQueueWriteError);
    if (answer.status != 0)
        tern::log_info("%s: reject: END-OF-MESSAGE from %s: %s", queue_id_.c_str(), client_text().c_str(),
                       tern::printable(line, 500).c_str());
    reply_counted(counted, line);
    reset_transaction();
}

}  // namespace smtpd
