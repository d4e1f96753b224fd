// smtpd/settings.cpp - read smtpd's parameters from main.cf (see settings.h)
#include "smtpd/settings.h"

#include "lib/base/text.h"

namespace smtpd {

namespace {

// The value of one parameter, or `fallback` once an error is recorded in `status`.
template <class T>
T take(tern::Status& status, tern::Result<T> value, T fallback) {
    if (!status) return fallback;
    if (!value) {
        status = tl::unexpected(value.error());
        return fallback;
    }
    return *value;
}

// A list parameter our table may not know yet: main.cf's value, else Postfix's default.
std::vector<std::string> list_or(const tern::Config& config, std::string_view name, std::string_view fallback) {
    if (config.is_set(name) || tern::find_param(name) != nullptr) return config.list(name);
    tern::Result<std::string> expanded = config.expand(fallback);
    if (!expanded) return {};
    return tern::split_config_list(*expanded);
}

}  // namespace

tern::Result<Settings> load_settings(const tern::Config& config) {
    Settings s;
    tern::Status st;
    s.myhostname = config.get("myhostname");
    s.banner = config.get("smtpd_banner");
    s.message_size_limit = static_cast<std::uint64_t>(take(st, config.bytes("message_size_limit"), 10240000LL));
    s.line_length_limit = static_cast<std::size_t>(take(st, config.integer("line_length_limit"), 2048LL));
    s.recipient_limit = take(st, config.integer("smtpd_recipient_limit"), 1000LL);
    s.timeout_ms = take(st, config.seconds("smtpd_timeout"), 300LL) * 1000;
    s.soft_error_limit = take(st, config.integer("smtpd_soft_error_limit"), 10LL);
    s.hard_error_limit = take(st, config.integer("smtpd_hard_error_limit"), 20LL);
    s.error_sleep_ms = take(st, config.seconds("smtpd_error_sleep_time"), 1LL) * 1000;
    s.disable_vrfy = take(st, config.boolean("disable_vrfy_command"), false);
    s.helo_required = take(st, config.boolean("smtpd_helo_required"), false);
    s.smtputf8_enable = take(st, config.boolean("smtputf8_enable"), true);
    s.strict_smtputf8 = take(st, config.boolean("strict_smtputf8"), false);
    s.strict_rfc821_envelopes = take(st, config.boolean("strict_rfc821_envelopes"), false);
    s.forbid_bare_newline = take(st, config.boolean("smtpd_forbid_bare_newline"), true);
    s.connection_count_limit = take(st, config.integer("smtpd_client_connection_count_limit"), 50LL);
    s.connection_rate_limit = take(st, config.integer("smtpd_client_connection_rate_limit"), 0LL);
    s.rate_time_unit_s = take(st, config.seconds("anvil_rate_time_unit"), 60LL);
    if (!st) return tl::unexpected(st.error());
    s.bare_newline_exclusions = config.list("smtpd_forbid_bare_newline_exclusions");
    s.event_limit_exceptions = list_or(config, "smtpd_client_event_limit_exceptions", "$mynetworks");
    s.discard_ehlo_keywords = config.list("smtpd_discard_ehlo_keywords");
    s.queue_directory = config.get("queue_directory");
    if (s.rate_time_unit_s < 1) s.rate_time_unit_s = 1;
    return s;
}

tern::CommandOptions command_options(const Settings& settings) noexcept {
    return {.strict_rfc821_envelopes = settings.strict_rfc821_envelopes,
            .smtputf8_enable = settings.smtputf8_enable,
            .strict_smtputf8 = settings.strict_smtputf8};
}

}  // namespace smtpd
