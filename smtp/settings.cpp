// smtp/settings.cpp - read the smtp_* / lmtp_* parameters; see settings.h
#include "smtp/settings.h"

#include <string_view>

#include "lib/base/text.h"

namespace smtp {

namespace {

// A parameter named "smtp" or "lmtp" + suffix and the field it sets.
template <class T>
struct Param {
    std::string_view suffix;
    T Settings::*field;
};

// Time limits: 0 (or less) means none, kNoTimeoutS.
constexpr Param<long long> kSecondsParams[] = {
    {"_connect_timeout", &Settings::connect_timeout_s},
    {"_mail_timeout", &Settings::mail_timeout_s},
    {"_rcpt_timeout", &Settings::rcpt_timeout_s},
    {"_data_init_timeout", &Settings::data_init_timeout_s},
    {"_data_xfer_timeout", &Settings::data_xfer_timeout_s},
    {"_data_done_timeout", &Settings::data_done_timeout_s},
    {"_rset_timeout", &Settings::rset_timeout_s},
    {"_quit_timeout", &Settings::quit_timeout_s},
    {"_connection_cache_time_limit", &Settings::cache_time_limit_s},
    {"_connection_reuse_time_limit", &Settings::reuse_time_limit_s},
};

constexpr Param<long long> kIntegerParams[] = {
    {"_mx_address_limit", &Settings::mx_address_limit},
    {"_mx_session_limit", &Settings::mx_session_limit},
    {"_connection_reuse_count_limit", &Settings::reuse_count_limit},
};

constexpr Param<bool> kBoolParams[] = {
    {"_skip_5xx_greeting", &Settings::skip_5xx_greeting},
    {"_connection_cache_on_demand", &Settings::cache_on_demand},
};

void read_seconds(const tern::Config& c, const std::string& name, long long& out) {
    if (tern::Result<long long> v = c.seconds(name); v) out = *v > 0 ? *v : kNoTimeoutS;
}

void read_params(const tern::Config& c, Settings& s) {
    const std::string& p = s.prefix;
    for (const Param<long long>& param : kSecondsParams) read_seconds(c, p + std::string(param.suffix), s.*param.field);
    for (const Param<long long>& param : kIntegerParams)
        if (tern::Result<long long> v = c.integer(p + std::string(param.suffix)); v) s.*param.field = *v;
    for (const Param<bool>& param : kBoolParams)
        if (tern::Result<bool> v = c.boolean(p + std::string(param.suffix)); v) s.*param.field = *v;
}

}  // namespace

long long Settings::timeout_ms(Stage stage) const noexcept {
    long long s = 300;
    switch (stage) {
    case Stage::Greeting:
    case Stage::Hello:
    case Stage::Helo: s = helo_timeout_s; break;
    case Stage::Mail: s = mail_timeout_s; break;
    case Stage::Rcpt: s = rcpt_timeout_s; break;
    case Stage::Data: s = data_init_timeout_s; break;
    case Stage::Content: s = data_xfer_timeout_s; break;
    case Stage::Dot: s = data_done_timeout_s; break;
    case Stage::Rset: s = rset_timeout_s; break;
    case Stage::Quit: s = quit_timeout_s; break;
    }
    return s * 1000;
}

Settings load_settings(Dialect dialect, const tern::Config& c) {
    Settings s;
    s.dialect = dialect;
    s.prefix = dialect == Dialect::Lmtp ? "lmtp" : "smtp";
    const std::string& p = s.prefix;
    const std::string hello = dialect == Dialect::Lmtp ? "_lhlo" : "_helo";
    s.myhostname = c.get("myhostname");
    s.helo_name = c.get(p + hello + "_name");
    if (s.helo_name.empty()) s.helo_name = s.myhostname;
    s.default_port = c.get(p + "_tcp_port");
    if (s.default_port.empty()) s.default_port = dialect == Dialect::Lmtp ? "24" : "smtp";
    s.queue_directory = c.get("queue_directory");
    read_params(c, s);
    read_seconds(c, p + hello + "_timeout", s.helo_timeout_s);
    if (s.mx_address_limit <= 0) s.mx_address_limit = 1000;
    if (s.mx_session_limit <= 0) s.mx_session_limit = 1000;
    const std::vector<std::string> protocols = c.list("inet_protocols");
    bool all = false, v4 = false, v6 = false;
    for (const std::string& word : protocols) {
        all = all || tern::iequals(word, "all");
        v4 = v4 || tern::iequals(word, "ipv4");
        v6 = v6 || tern::iequals(word, "ipv6");
    }
    if (!all && (v4 || v6)) {
        s.ipv4 = v4;
        s.ipv6 = v6;
    }
    return s;
}

}  // namespace smtp
