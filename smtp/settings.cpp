// smtp/settings.cpp - read the smtp_* / lmtp_* parameters; see settings.h
#include "smtp/settings.h"

#include "lib/base/text.h"

namespace smtp {

namespace {

void read_seconds(const tern::Config& c, const std::string& name, long long& out) {
    if (tern::Result<long long> v = c.seconds(name); v) out = *v > 0 ? *v : kNoTimeoutS;
}

void read_integer(const tern::Config& c, const std::string& name, long long& out) {
    if (tern::Result<long long> v = c.integer(name); v) out = *v;
}

void read_bool(const tern::Config& c, const std::string& name, bool& out) {
    if (tern::Result<bool> v = c.boolean(name); v) out = *v;
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
    read_bool(c, p + "_skip_5xx_greeting", s.skip_5xx_greeting);
    read_seconds(c, p + "_connect_timeout", s.connect_timeout_s);
    read_seconds(c, p + hello + "_timeout", s.helo_timeout_s);
    read_seconds(c, p + "_mail_timeout", s.mail_timeout_s);
    read_seconds(c, p + "_rcpt_timeout", s.rcpt_timeout_s);
    read_seconds(c, p + "_data_init_timeout", s.data_init_timeout_s);
    read_seconds(c, p + "_data_xfer_timeout", s.data_xfer_timeout_s);
    read_seconds(c, p + "_data_done_timeout", s.data_done_timeout_s);
    read_seconds(c, p + "_rset_timeout", s.rset_timeout_s);
    read_seconds(c, p + "_quit_timeout", s.quit_timeout_s);
    read_integer(c, p + "_mx_address_limit", s.mx_address_limit);
    read_integer(c, p + "_mx_session_limit", s.mx_session_limit);
    read_bool(c, p + "_connection_cache_on_demand", s.cache_on_demand);
    read_seconds(c, p + "_connection_cache_time_limit", s.cache_time_limit_s);
    read_seconds(c, p + "_connection_reuse_time_limit", s.reuse_time_limit_s);
    read_integer(c, p + "_connection_reuse_count_limit", s.reuse_count_limit);
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
