// qmgr/settings.h - the main.cf and master.cf values qmgr works with
//
// SYNOPSIS
//     tern::Result<std::vector<tern::MasterService>> services = tern::load_master_cf(tern::config());
//     tern::Result<qmgr::Settings> s = qmgr::load_settings(tern::config(), *services);
//     qmgr::TransportLimits smtp = qmgr::transport_limits(tern::config(), *s, "smtp");
// DESCRIPTION
//     Read once at start (master.cf before the chroot). Times are seconds.
//     Per transport (a master.cf service name):
//       destination_concurrency  <transport>_destination_concurrency_limit
//                                (default_destination_concurrency_limit; 0: none)
//       recipient_limit          <transport>_destination_recipient_limit
//                                (default_destination_recipient_limit)
//       process_limit            the service's master.cf maxproc ("-":
//                                default_process_limit; 0: none); a
//                                transport master.cf does not list gets
//                                default_process_limit.
// ERRORS
//     load_settings: the first bad value, naming file, line and parameter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/mail/config.h"
#include "lib/mail/master_cf.h"
#include "qmgr/backoff.h"
#include "qmgr/scheduler.h"

namespace qmgr {

struct Settings {
    BackoffPolicy backoff;
    Lifetimes lifetimes;
    std::int64_t queue_run_delay_s = 300;
    std::int64_t transport_retry_s = 60;
    std::int64_t delay_warning_s = 0;
    int ipc_timeout_ms = 3'600'000;
    std::size_t active_limit = 20000;     // qmgr_message_active_limit
    std::size_t recipient_limit = 20000;  // qmgr_message_recipient_limit, per message at a time
    bool soft_bounce = false;
    std::map<std::string, int, std::less<>> process_limits;  // master.cf maxproc by service
    int default_process_limit = 100;
};

[[nodiscard]] tern::Result<Settings> load_settings(const tern::Config& config,
                                                   const std::vector<tern::MasterService>& services);
[[nodiscard]] TransportLimits transport_limits(const tern::Config& config, const Settings& settings,
                                               std::string_view transport);

}  // namespace qmgr
