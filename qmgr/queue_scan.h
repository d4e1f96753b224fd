// qmgr/queue_scan.h - which queue files to take next: trigger bytes, directory passes, due times
//
// SYNOPSIS
//     qmgr::TriggerActions t = qmgr::parse_trigger("FADI");
//     qmgr::QueueScan incoming(tern::QueueName::Incoming);
//     incoming.request(t.ignore_times);
//     if (std::optional<std::string> id = incoming.next(now_s)) activate(*id);
//     std::vector<std::string> due = qmgr::select_due(entries, now_s, false);
// DESCRIPTION
//     Trigger bytes are Postfix's (qmgr.c): 'I' and the wakeup byte 'W'
//     scan incoming/, 'D' scans deferred/, 'A' makes the scans of the same
//     trigger ignore the time stamps, 'F' forgets dead destinations;
//     "Q" followed by a queue ID (postqueue -i, lib/mail/qmgr_trigger.h)
//     asks for that deferred message now.
//     Unknown bytes are ignored, as Postfix does.
//     A QueueScan is one pass over one queue folder: request() asks for a
//     pass (a request during a pass starts another when this one ends, so
//     files that arrive meanwhile are seen); next() lists the folder when a
//     pass starts and hands out one queue ID at a time, in ID (arrival)
//     order. A file is due when its name is a queue ID, it is a regular
//     file and its mtime is not in the future (Postfix allows one second:
//     deferred files carry their next attempt time as mtime); with
//     ignore_times every file is due.
// LIMITS
//     A pass lists at most kMaxScanEntries names; the rest wait for the
//     next pass (the folder is scanned again on the next trigger or timer).
// ERRORS
//     A folder that cannot be read is logged as a warning; the pass is empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/queue_name.h"

namespace qmgr {

inline constexpr std::size_t kMaxScanEntries = 1'000'000;

struct TriggerActions {
    bool scan_incoming = false;
    bool scan_deferred = false;
    bool ignore_times = false;
    bool forget_dead = false;
    std::string flush_id = {};  // "Q" ID: make deferred/ID due now (postqueue -i)
    bool operator==(const TriggerActions&) const = default;
};

[[nodiscard]] TriggerActions parse_trigger(std::string_view bytes);

struct ScanEntry {
    std::string name;
    std::int64_t mtime_s = 0;
    bool regular = true;
};

// Names of the due entries, sorted (queue IDs sort by arrival time).
[[nodiscard]] std::vector<std::string> select_due(std::span<const ScanEntry> entries, std::int64_t now_s,
                                                  bool ignore_times);

// Entries of `folder` (relative to the working directory), up to max_entries.
[[nodiscard]] tern::Result<std::vector<ScanEntry>> list_queue_folder(const std::string& folder,
                                                                     std::size_t max_entries = kMaxScanEntries);

class QueueScan {
public:
    explicit QueueScan(tern::QueueName queue) noexcept : queue_(queue) {}

    void request(bool ignore_times) noexcept;
    // The next due queue ID of the current pass; starts a requested pass
    // when none runs. nullopt: nothing (more) to take now.
    [[nodiscard]] std::optional<std::string> next(std::int64_t now_s);
    [[nodiscard]] bool busy() const noexcept { return position_ < pending_.size() || requested_; }
    [[nodiscard]] tern::QueueName queue() const noexcept { return queue_; }

private:
    void start_pass(std::int64_t now_s);

    tern::QueueName queue_;
    bool requested_ = false;
    bool requested_all_ = false;
    std::vector<std::string> pending_;
    std::size_t position_ = 0;
};

}  // namespace qmgr
