// lib/mail/params.cpp - the one table of every main.cf parameter tern knows
//
// SYNOPSIS
//     for (const tern::ParamSpec& p : tern::all_params()) ...;
//     const tern::ParamSpec* p = tern::find_param("message_size_limit");
// DESCRIPTION
//     kParams holds every parameter: name, default, type, bounds and the
//     unit of a bare time value. It is sorted by name (checked at compile
//     time) so lookups are a binary search. Defaults are Postfix 3.7's,
//     except where tern differs on purpose: syslog_name, mail_name,
//     mail_owner, setgid_group, queue_directory and the install
//     directories name tern; mynetworks is the loopback networks
//     (mynetworks_style = host); smtpd_forbid_bare_newline is on (SMTP
//     smuggling is refused by default); defaults that Postfix computes
//     from compatibility_level carry their 3.6+ value. myhostname and
//     mydomain have empty entries here: their defaults are computed at
//     run time (default_hostname(), domain_of_host()).
//     Postfix's per-transport names ("<transport>_recipient_limit", ...)
//     match kPatterns and default to the "default_..." parameter.
// LIMITS
//     A bare number in a time parameter is in the spec's time_unit.
#include "lib/mail/params.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>

#include "lib/base/text.h"

#ifndef TERN_SYSCONFDIR
#define TERN_SYSCONFDIR "/etc/tern"
#endif
#ifndef TERN_DAEMON_DIR
#define TERN_DAEMON_DIR "/usr/libexec/tern"
#endif
#ifndef TERN_COMMAND_DIR
#define TERN_COMMAND_DIR "/usr/sbin"
#endif
#ifndef TERN_MANPAGE_DIR
#define TERN_MANPAGE_DIR "/usr/share/man"
#endif
#ifndef TERN_DATA_DIR
#define TERN_DATA_DIR "/usr/share/tern"
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0"
#endif

namespace tern {
namespace {

constexpr auto kParams = std::to_array<ParamSpec>({
    {"2bounce_notice_recipient", "postmaster", ParamType::String},
    {"access_map_reject_code", "554", ParamType::Integer},
    {"alias_database", "hash:/etc/aliases", ParamType::String},
    {"alias_maps", "hash:/etc/aliases", ParamType::List},
    {"allow_mail_to_commands", "alias, forward", ParamType::String},
    {"allow_mail_to_files", "alias, forward", ParamType::List},
    {"allow_percent_hack", "yes", ParamType::Bool},
    {"allow_untrusted_routing", "no", ParamType::Bool},
    {"always_add_missing_headers", "no", ParamType::Bool},
    {"always_bcc", "", ParamType::String},
    {"anvil_rate_time_unit", "60s", ParamType::Time},
    {"append_dot_mydomain", "no", ParamType::Bool},
    {"best_mx_transport", "", ParamType::String},
    {"biff", "yes", ParamType::Bool},
    {"body_checks", "", ParamType::List},
    {"bounce_notice_recipient", "postmaster", ParamType::String},
    {"bounce_queue_lifetime", "5d", ParamType::Time, 0, LLONG_MAX, 'd'},
    {"bounce_size_limit", "50000", ParamType::Size},
    {"bounce_template_file", "", ParamType::String},
    {"canonical_maps", "", ParamType::List},
    {"command_directory", TERN_COMMAND_DIR, ParamType::String},
    {"command_expansion_filter", "1234567890!@%-_=+:,./abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", ParamType::String},
    {"command_time_limit", "1000s", ParamType::Time, 1},
    {"compatibility_level", "3.7", ParamType::String},
    {"config_directory", TERN_SYSCONFDIR, ParamType::String},
    {"daemon_directory", TERN_DAEMON_DIR, ParamType::String},
    {"daemon_timeout", "18000s", ParamType::Time, 1},
    {"data_directory", "/var/lib/tern", ParamType::String},
    {"debug_peer_level", "2", ParamType::Integer},
    {"debug_peer_list", "", ParamType::List},
    {"default_database_type", "hash", ParamType::String},
    {"default_delivery_slot_cost", "5", ParamType::Integer},
    {"default_delivery_slot_discount", "50", ParamType::Integer},
    {"default_delivery_slot_loan", "3", ParamType::Integer},
    {"default_delivery_status_filter", "", ParamType::String},
    {"default_destination_concurrency_failed_cohort_limit", "1", ParamType::Integer},
    {"default_destination_concurrency_limit", "20", ParamType::Integer},
    {"default_destination_concurrency_negative_feedback", "1", ParamType::String},
    {"default_destination_concurrency_positive_feedback", "1", ParamType::String},
    {"default_destination_rate_delay", "0s", ParamType::Time},
    {"default_destination_recipient_limit", "50", ParamType::Integer},
    {"default_extra_recipient_limit", "1000", ParamType::Integer},
    {"default_minimum_delivery_slots", "3", ParamType::Integer},
    {"default_privs", "nobody", ParamType::String},
    {"default_process_limit", "100", ParamType::Integer, 1},
    {"default_recipient_limit", "20000", ParamType::Integer},
    {"default_recipient_refill_delay", "5s", ParamType::Time},
    {"default_recipient_refill_limit", "100", ParamType::Integer},
    {"default_transport", "smtp", ParamType::String},
    {"default_transport_rate_delay", "0s", ParamType::Time},
    {"delay_notice_recipient", "postmaster", ParamType::String},
    {"delay_warning_time", "0h", ParamType::Time, 0, LLONG_MAX, 'h'},
    {"disable_mime_input_processing", "no", ParamType::Bool},
    {"disable_mime_output_conversion", "no", ParamType::Bool},
    {"disable_vrfy_command", "no", ParamType::Bool},
    {"double_bounce_sender", "double-bounce", ParamType::String},
    {"empty_address_recipient", "MAILER-DAEMON", ParamType::String},
    {"error_notice_recipient", "postmaster", ParamType::String},
    {"expand_owner_alias", "no", ParamType::Bool},
    {"export_environment", "TZ MAIL_CONFIG LANG", ParamType::List},
    {"fallback_transport", "", ParamType::String},
    {"fork_attempts", "5", ParamType::Integer},
    {"fork_delay", "1s", ParamType::Time},
    {"forward_path", "$home/.forward${recipient_delimiter}${extension}, $home/.forward", ParamType::String},
    {"header_address_token_limit", "10240", ParamType::Integer},
    {"header_checks", "", ParamType::List},
    {"header_size_limit", "102400", ParamType::Size, 1},
    {"home_mailbox", "", ParamType::String},
    {"hopcount_limit", "50", ParamType::Integer, 1},
    {"import_environment", "MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ XAUTHORITY DISPLAY LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME", ParamType::List},
    {"in_flow_delay", "1s", ParamType::Time},
    {"inet_interfaces", "all", ParamType::List},
    {"inet_protocols", "all", ParamType::List},
    {"initial_destination_concurrency", "5", ParamType::Integer},
    {"ipc_timeout", "3600s", ParamType::Time, 1},
    {"line_length_limit", "2048", ParamType::Integer, 1},
    {"lmtp_address_preference", "any", ParamType::String},
    {"lmtp_address_verify_target", "rcpt", ParamType::String},
    {"lmtp_assume_final", "no", ParamType::Bool},
    {"lmtp_balance_inet_protocols", "yes", ParamType::List},
    {"lmtp_bind_address", "", ParamType::String},
    {"lmtp_bind_address6", "", ParamType::String},
    {"lmtp_bind_address_enforce", "no", ParamType::Bool},
    {"lmtp_body_checks", "", ParamType::List},
    {"lmtp_cname_overrides_servername", "no", ParamType::Bool},
    {"lmtp_connect_timeout", "0s", ParamType::Time},
    {"lmtp_connection_cache_destinations", "", ParamType::String},
    {"lmtp_connection_cache_on_demand", "yes", ParamType::Bool},
    {"lmtp_connection_cache_time_limit", "2s", ParamType::Time},
    {"lmtp_connection_reuse_count_limit", "0", ParamType::Integer},
    {"lmtp_connection_reuse_time_limit", "300s", ParamType::Time},
    {"lmtp_data_done_timeout", "600s", ParamType::Time},
    {"lmtp_data_init_timeout", "120s", ParamType::Time},
    {"lmtp_data_xfer_timeout", "180s", ParamType::Time},
    {"lmtp_defer_if_no_mx_address_found", "no", ParamType::Bool},
    {"lmtp_delivery_slot_cost", "$default_delivery_slot_cost", ParamType::Integer},
    {"lmtp_delivery_slot_discount", "$default_delivery_slot_discount", ParamType::Integer},
    {"lmtp_delivery_slot_loan", "$default_delivery_slot_loan", ParamType::Integer},
    {"lmtp_delivery_status_filter", "$default_delivery_status_filter", ParamType::String},
    {"lmtp_destination_concurrency_failed_cohort_limit", "$default_destination_concurrency_failed_cohort_limit", ParamType::Integer},
    {"lmtp_destination_concurrency_limit", "$default_destination_concurrency_limit", ParamType::Integer},
    {"lmtp_destination_concurrency_negative_feedback", "$default_destination_concurrency_negative_feedback", ParamType::String},
    {"lmtp_destination_concurrency_positive_feedback", "$default_destination_concurrency_positive_feedback", ParamType::String},
    {"lmtp_destination_rate_delay", "$default_destination_rate_delay", ParamType::Time},
    {"lmtp_destination_recipient_limit", "$default_destination_recipient_limit", ParamType::Integer},
    {"lmtp_discard_lhlo_keyword_address_maps", "", ParamType::List},
    {"lmtp_discard_lhlo_keywords", "", ParamType::List},
    {"lmtp_dns_reply_filter", "", ParamType::String},
    {"lmtp_dns_resolver_options", "", ParamType::List},
    {"lmtp_dns_support_level", "", ParamType::String},
    {"lmtp_enforce_tls", "no", ParamType::Bool},
    {"lmtp_extra_recipient_limit", "$default_extra_recipient_limit", ParamType::Integer},
    {"lmtp_fallback_relay", "", ParamType::String},
    {"lmtp_generic_maps", "", ParamType::List},
    {"lmtp_header_checks", "", ParamType::List},
    {"lmtp_host_lookup", "dns", ParamType::String},
    {"lmtp_initial_destination_concurrency", "$initial_destination_concurrency", ParamType::Integer},
    {"lmtp_lhlo_name", "$myhostname", ParamType::String},
    {"lmtp_lhlo_timeout", "300s", ParamType::Time},
    {"lmtp_line_length_limit", "998", ParamType::Integer},
    {"lmtp_mail_timeout", "300s", ParamType::Time},
    {"lmtp_mime_header_checks", "", ParamType::List},
    {"lmtp_min_data_rate", "500", ParamType::Integer},
    {"lmtp_minimum_delivery_slots", "$default_minimum_delivery_slots", ParamType::Integer},
    {"lmtp_mx_address_limit", "5", ParamType::Integer},
    {"lmtp_mx_session_limit", "2", ParamType::Integer},
    {"lmtp_nested_header_checks", "", ParamType::List},
    {"lmtp_per_request_deadline", "no", ParamType::Bool},
    {"lmtp_pix_workaround_delay_time", "10s", ParamType::Time},
    {"lmtp_pix_workaround_maps", "", ParamType::List},
    {"lmtp_pix_workaround_threshold_time", "500s", ParamType::Time},
    {"lmtp_pix_workarounds", "disable_esmtp,delay_dotcrlf", ParamType::String},
    {"lmtp_quit_timeout", "300s", ParamType::Time},
    {"lmtp_quote_rfc821_envelope", "yes", ParamType::Bool},
    {"lmtp_randomize_addresses", "yes", ParamType::Bool},
    {"lmtp_rcpt_timeout", "300s", ParamType::Time},
    {"lmtp_recipient_limit", "$default_recipient_limit", ParamType::Integer},
    {"lmtp_recipient_refill_delay", "$default_recipient_refill_delay", ParamType::Time},
    {"lmtp_recipient_refill_limit", "$default_recipient_refill_limit", ParamType::Integer},
    {"lmtp_reply_filter", "", ParamType::String},
    {"lmtp_rset_timeout", "20s", ParamType::Time},
    {"lmtp_sasl_auth_cache_name", "", ParamType::String},
    {"lmtp_sasl_auth_cache_time", "90d", ParamType::Time, 0, LLONG_MAX, 'd'},
    {"lmtp_sasl_auth_enable", "no", ParamType::Bool},
    {"lmtp_sasl_auth_soft_bounce", "yes", ParamType::Bool},
    {"lmtp_sasl_mechanism_filter", "", ParamType::String},
    {"lmtp_sasl_password_maps", "", ParamType::List},
    {"lmtp_sasl_path", "", ParamType::String},
    {"lmtp_sasl_security_options", "noplaintext, noanonymous", ParamType::List},
    {"lmtp_sasl_tls_security_options", "$lmtp_sasl_security_options", ParamType::List},
    {"lmtp_sasl_tls_verified_security_options", "$lmtp_sasl_tls_security_options", ParamType::List},
    {"lmtp_sasl_type", "cyrus", ParamType::String},
    {"lmtp_send_dummy_mail_auth", "no", ParamType::Bool},
    {"lmtp_send_xforward_command", "no", ParamType::Bool},
    {"lmtp_sender_dependent_authentication", "no", ParamType::Bool},
    {"lmtp_skip_5xx_greeting", "yes", ParamType::Bool},
    {"lmtp_skip_quit_response", "no", ParamType::Bool},
    {"lmtp_starttls_timeout", "300s", ParamType::Time},
    {"lmtp_tcp_port", "24", ParamType::Integer},
    {"lmtp_tls_CAfile", "", ParamType::String},
    {"lmtp_tls_CApath", "", ParamType::String},
    {"lmtp_tls_block_early_mail_reply", "no", ParamType::Bool},
    {"lmtp_tls_cert_file", "", ParamType::String},
    {"lmtp_tls_chain_files", "", ParamType::List},
    {"lmtp_tls_ciphers", "medium", ParamType::List},
    {"lmtp_tls_connection_reuse", "no", ParamType::Bool},
    {"lmtp_tls_dcert_file", "", ParamType::String},
    {"lmtp_tls_dkey_file", "$lmtp_tls_dcert_file", ParamType::String},
    {"lmtp_tls_eccert_file", "", ParamType::String},
    {"lmtp_tls_eckey_file", "$lmtp_tls_eccert_file", ParamType::String},
    {"lmtp_tls_enforce_peername", "yes", ParamType::Bool},
    {"lmtp_tls_exclude_ciphers", "", ParamType::List},
    {"lmtp_tls_fingerprint_cert_match", "", ParamType::String},
    {"lmtp_tls_fingerprint_digest", "sha256", ParamType::String},
    {"lmtp_tls_force_insecure_host_tlsa_lookup", "no", ParamType::Bool},
    {"lmtp_tls_key_file", "$lmtp_tls_cert_file", ParamType::String},
    {"lmtp_tls_loglevel", "0", ParamType::Integer},
    {"lmtp_tls_mandatory_ciphers", "medium", ParamType::List},
    {"lmtp_tls_mandatory_exclude_ciphers", "", ParamType::List},
    {"lmtp_tls_mandatory_protocols", ">=TLSv1", ParamType::List},
    {"lmtp_tls_note_starttls_offer", "no", ParamType::Bool},
    {"lmtp_tls_per_site", "", ParamType::String},
    {"lmtp_tls_policy_maps", "", ParamType::List},
    {"lmtp_tls_protocols", ">=TLSv1", ParamType::List},
    {"lmtp_tls_scert_verifydepth", "9", ParamType::Integer},
    {"lmtp_tls_secure_cert_match", "nexthop", ParamType::String},
    {"lmtp_tls_security_level", "", ParamType::String},
    {"lmtp_tls_servername", "", ParamType::String},
    {"lmtp_tls_session_cache_database", "", ParamType::String},
    {"lmtp_tls_session_cache_timeout", "3600s", ParamType::Time},
    {"lmtp_tls_trust_anchor_file", "", ParamType::String},
    {"lmtp_tls_verify_cert_match", "hostname", ParamType::String},
    {"lmtp_tls_wrappermode", "no", ParamType::Bool},
    {"lmtp_transport_rate_delay", "$default_transport_rate_delay", ParamType::Time},
    {"lmtp_use_tls", "no", ParamType::Bool},
    {"lmtp_xforward_timeout", "300s", ParamType::Time},
    {"local_command_shell", "", ParamType::String},
    {"local_destination_concurrency_limit", "2", ParamType::Integer},
    {"local_destination_recipient_limit", "1", ParamType::Integer},
    {"local_header_rewrite_clients", "permit_inet_interfaces", ParamType::String},
    {"local_recipient_maps", "proxy:unix:passwd.byname $alias_maps", ParamType::List},
    {"local_transport", "local:$myhostname", ParamType::String},
    {"luser_relay", "", ParamType::String},
    {"mail_name", "tern", ParamType::String},
    {"mail_owner", "tern", ParamType::String},
    {"mail_spool_directory", "/var/mail", ParamType::String},
    {"mail_version", PACKAGE_VERSION, ParamType::String},
    {"mailbox_command", "", ParamType::String},
    {"mailbox_delivery_lock", "fcntl, dotlock", ParamType::String},
    {"mailbox_size_limit", "51200000", ParamType::Size},
    {"mailbox_transport", "", ParamType::String},
    {"maillog_file", "", ParamType::String},
    {"mailq_path", TERN_COMMAND_DIR "/mailq", ParamType::String},
    {"manpage_directory", TERN_MANPAGE_DIR, ParamType::String},
    {"maps_rbl_reject_code", "554", ParamType::Integer},
    {"masquerade_classes", "envelope_sender, header_sender, header_recipient", ParamType::List},
    {"masquerade_domains", "", ParamType::List},
    {"masquerade_exceptions", "", ParamType::List},
    {"max_idle", "100s", ParamType::Time, 1},
    {"max_use", "100", ParamType::Integer, 1},
    {"maximal_backoff_time", "4000s", ParamType::Time, 1},
    {"maximal_queue_lifetime", "5d", ParamType::Time, 0, LLONG_MAX, 'd'},
    {"message_size_limit", "10240000", ParamType::Size},
    {"meta_directory", TERN_DATA_DIR, ParamType::String},
    {"mime_header_checks", "$header_checks", ParamType::List},
    {"minimal_backoff_time", "300s", ParamType::Time, 1},
    {"mydestination", "$myhostname, localhost.$mydomain, localhost", ParamType::List},
    {"mydomain", "", ParamType::String},
    {"myhostname", "", ParamType::String},
    {"mynetworks", "127.0.0.0/8 [::1]/128", ParamType::List},
    {"mynetworks_style", "host", ParamType::String},
    {"myorigin", "$myhostname", ParamType::String},
    {"nested_header_checks", "$header_checks", ParamType::List},
    {"newaliases_path", TERN_COMMAND_DIR "/newaliases", ParamType::String},
    {"notify_classes", "resource, software", ParamType::List},
    {"owner_request_special", "yes", ParamType::Bool},
    {"process_id_directory", "pid", ParamType::String},
    {"process_name", "", ParamType::String},  // set by each daemon at start
    {"propagate_unmatched_extensions", "canonical, virtual", ParamType::String},
    {"proxy_interfaces", "", ParamType::List},
    {"qmgr_fudge_factor", "100", ParamType::Integer},
    {"qmgr_message_active_limit", "20000", ParamType::Integer, 1},
    {"qmgr_message_recipient_limit", "20000", ParamType::Integer, 1},
    {"qmgr_message_recipient_minimum", "10", ParamType::Integer},
    {"queue_directory", "/var/spool/tern", ParamType::String},
    {"queue_minfree", "0", ParamType::Size},
    {"queue_run_delay", "300s", ParamType::Time, 1},
    {"recipient_bcc_maps", "", ParamType::List},
    {"recipient_canonical_maps", "", ParamType::List},
    {"recipient_delimiter", "", ParamType::String},
    {"reject_code", "554", ParamType::Integer},
    {"relay_domains", "", ParamType::List},
    {"relay_domains_reject_code", "554", ParamType::Integer},
    {"relay_recipient_maps", "", ParamType::List},
    {"relay_transport", "relay", ParamType::String},
    {"relayhost", "", ParamType::String},
    {"remote_header_rewrite_domain", "", ParamType::String},
    {"resolve_dequoted_address", "yes", ParamType::Bool},
    {"resolve_null_domain", "no", ParamType::Bool},
    {"sender_bcc_maps", "", ParamType::List},
    {"sender_canonical_maps", "", ParamType::List},
    {"sender_dependent_default_transport_maps", "", ParamType::List},
    {"sender_dependent_relayhost_maps", "", ParamType::List},
    {"sendmail_path", TERN_COMMAND_DIR "/sendmail", ParamType::String},
    {"service_name", "", ParamType::String},  // master.cf service name, set by each daemon at start
    {"service_throttle_time", "60s", ParamType::Time, 1},
    {"setgid_group", "terndrop", ParamType::String},
    {"smtp_bind_address", "", ParamType::String},
    {"smtp_connect_timeout", "30s", ParamType::Time},
    {"smtp_connection_cache_on_demand", "yes", ParamType::Bool},
    {"smtp_connection_cache_time_limit", "2s", ParamType::Time},
    {"smtp_connection_reuse_count_limit", "0", ParamType::Integer},
    {"smtp_connection_reuse_time_limit", "300s", ParamType::Time},
    {"smtp_data_done_timeout", "600s", ParamType::Time},
    {"smtp_data_init_timeout", "120s", ParamType::Time},
    {"smtp_data_xfer_timeout", "180s", ParamType::Time},
    {"smtp_destination_concurrency_limit", "$default_destination_concurrency_limit", ParamType::Integer},
    {"smtp_destination_recipient_limit", "$default_destination_recipient_limit", ParamType::Integer},
    {"smtp_dns_support_level", "", ParamType::String},
    {"smtp_fallback_relay", "", ParamType::String},
    {"smtp_generic_maps", "", ParamType::List},
    {"smtp_helo_name", "$myhostname", ParamType::String},
    {"smtp_helo_timeout", "300s", ParamType::Time},
    {"smtp_host_lookup", "dns", ParamType::String},
    {"smtp_line_length_limit", "998", ParamType::Integer, 1},
    {"smtp_mail_timeout", "300s", ParamType::Time},
    {"smtp_mx_address_limit", "5", ParamType::Integer, 1},
    {"smtp_mx_session_limit", "2", ParamType::Integer},
    {"smtp_quit_timeout", "300s", ParamType::Time},
    {"smtp_rcpt_timeout", "300s", ParamType::Time},
    {"smtp_rset_timeout", "20s", ParamType::Time},
    {"smtp_sasl_auth_cache_name", "", ParamType::String},
    {"smtp_sasl_auth_cache_time", "90d", ParamType::Time, 0, LLONG_MAX, 'd'},
    {"smtp_sasl_auth_enable", "no", ParamType::Bool},
    {"smtp_sasl_auth_soft_bounce", "yes", ParamType::Bool},
    {"smtp_sasl_mechanism_filter", "", ParamType::String},
    {"smtp_sasl_password_maps", "", ParamType::List},
    {"smtp_sasl_path", "", ParamType::String},
    {"smtp_sasl_security_options", "noplaintext, noanonymous", ParamType::List},
    {"smtp_sasl_tls_security_options", "$smtp_sasl_security_options", ParamType::List},
    {"smtp_sasl_tls_verified_security_options", "$smtp_sasl_tls_security_options", ParamType::List},
    {"smtp_sasl_type", "cyrus", ParamType::String},
    {"smtp_skip_5xx_greeting", "yes", ParamType::Bool},
    {"smtp_starttls_timeout", "300s", ParamType::Time},
    {"smtp_tcp_port", "smtp", ParamType::String},
    {"smtp_tls_CAfile", "", ParamType::String},
    {"smtp_tls_CApath", "", ParamType::String},
    {"smtp_tls_block_early_mail_reply", "no", ParamType::Bool},
    {"smtp_tls_cert_file", "", ParamType::String},
    {"smtp_tls_chain_files", "", ParamType::List},
    {"smtp_tls_ciphers", "medium", ParamType::List},
    {"smtp_tls_connection_reuse", "no", ParamType::Bool},
    {"smtp_tls_dane_insecure_mx_policy", "may", ParamType::String},
    {"smtp_tls_dcert_file", "", ParamType::String},
    {"smtp_tls_dkey_file", "$smtp_tls_dcert_file", ParamType::String},
    {"smtp_tls_eccert_file", "", ParamType::String},
    {"smtp_tls_eckey_file", "$smtp_tls_eccert_file", ParamType::String},
    {"smtp_tls_enforce_peername", "yes", ParamType::Bool},
    {"smtp_tls_exclude_ciphers", "", ParamType::List},
    {"smtp_tls_fingerprint_cert_match", "", ParamType::String},
    {"smtp_tls_fingerprint_digest", "sha256", ParamType::String},
    {"smtp_tls_force_insecure_host_tlsa_lookup", "no", ParamType::Bool},
    {"smtp_tls_key_file", "$smtp_tls_cert_file", ParamType::String},
    {"smtp_tls_loglevel", "0", ParamType::Integer},
    {"smtp_tls_mandatory_ciphers", "medium", ParamType::List},
    {"smtp_tls_mandatory_exclude_ciphers", "", ParamType::List},
    {"smtp_tls_mandatory_protocols", ">=TLSv1", ParamType::List},
    {"smtp_tls_note_starttls_offer", "no", ParamType::Bool},
    {"smtp_tls_per_site", "", ParamType::String},
    {"smtp_tls_policy_maps", "", ParamType::List},
    {"smtp_tls_protocols", ">=TLSv1", ParamType::List},
    {"smtp_tls_scert_verifydepth", "9", ParamType::Integer},
    {"smtp_tls_secure_cert_match", "nexthop, dot-nexthop", ParamType::String},
    {"smtp_tls_security_level", "", ParamType::String},
    {"smtp_tls_servername", "", ParamType::String},
    {"smtp_tls_session_cache_database", "", ParamType::String},
    {"smtp_tls_session_cache_timeout", "3600s", ParamType::Time},
    {"smtp_tls_trust_anchor_file", "", ParamType::String},
    {"smtp_tls_verify_cert_match", "hostname", ParamType::String},
    {"smtp_tls_wrappermode", "no", ParamType::Bool},
    {"smtp_xforward_timeout", "300s", ParamType::Time},
    {"smtpd_authorized_xforward_hosts", "", ParamType::List},
    {"smtpd_banner", "$myhostname ESMTP $mail_name", ParamType::String},
    {"smtpd_client_connection_count_limit", "50", ParamType::Integer},
    {"smtpd_client_connection_rate_limit", "0", ParamType::Integer},
    {"smtpd_client_message_rate_limit", "0", ParamType::Integer},
    {"smtpd_client_recipient_rate_limit", "0", ParamType::Integer},
    {"smtpd_client_restrictions", "", ParamType::List},
    {"smtpd_command_filter", "", ParamType::String},
    {"smtpd_data_restrictions", "", ParamType::List},
    {"smtpd_delay_reject", "yes", ParamType::Bool},
    {"smtpd_discard_ehlo_keywords", "", ParamType::List},
    {"smtpd_end_of_data_restrictions", "", ParamType::List},
    {"smtpd_error_sleep_time", "1s", ParamType::Time},
    {"smtpd_etrn_restrictions", "", ParamType::List},
    {"smtpd_forbid_bare_newline", "yes", ParamType::Bool},
    {"smtpd_forbid_bare_newline_exclusions", "$mynetworks", ParamType::List},
    {"smtpd_hard_error_limit", "20", ParamType::Integer, 1},
    {"smtpd_helo_required", "no", ParamType::Bool},
    {"smtpd_helo_restrictions", "", ParamType::List},
    {"smtpd_history_flush_threshold", "100", ParamType::Integer},
    {"smtpd_junk_command_limit", "100", ParamType::Integer},
    {"smtpd_log_access_permit_actions", "", ParamType::String},
    {"smtpd_milters", "", ParamType::List},
    {"smtpd_noop_commands", "", ParamType::List},
    {"smtpd_null_access_lookup_key", "<>", ParamType::String},
    {"smtpd_peername_lookup", "yes", ParamType::Bool},
    {"smtpd_proxy_filter", "", ParamType::String},
    {"smtpd_recipient_limit", "1000", ParamType::Integer, 1},
    {"smtpd_recipient_restrictions", "", ParamType::List},
    {"smtpd_reject_footer", "", ParamType::String},
    {"smtpd_reject_unlisted_recipient", "yes", ParamType::Bool},
    {"smtpd_reject_unlisted_sender", "no", ParamType::Bool},
    {"smtpd_relay_restrictions", "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination", ParamType::List},
    {"smtpd_restriction_classes", "", ParamType::List},
    {"smtpd_sasl_auth_enable", "no", ParamType::Bool},
    {"smtpd_sasl_authenticated_header", "no", ParamType::Bool},
    {"smtpd_sasl_exceptions_networks", "", ParamType::List},
    {"smtpd_sasl_local_domain", "", ParamType::String},
    {"smtpd_sasl_mechanism_filter", "!external, static:rest", ParamType::String},
    {"smtpd_sasl_path", "smtpd", ParamType::String},
    {"smtpd_sasl_response_limit", "12288", ParamType::Integer},
    {"smtpd_sasl_security_options", "noanonymous", ParamType::List},
    {"smtpd_sasl_service", "smtp", ParamType::String},
    {"smtpd_sasl_tls_security_options", "$smtpd_sasl_security_options", ParamType::List},
    {"smtpd_sasl_type", "cyrus", ParamType::String},
    {"smtpd_sender_login_maps", "", ParamType::List},
    {"smtpd_sender_restrictions", "", ParamType::List},
    {"smtpd_soft_error_limit", "10", ParamType::Integer},
    {"smtpd_starttls_timeout", "300s", ParamType::Time},
    {"smtpd_timeout", "300s", ParamType::Time, 1},
    {"smtpd_tls_CAfile", "", ParamType::String},
    {"smtpd_tls_CApath", "", ParamType::String},
    {"smtpd_tls_always_issue_session_ids", "yes", ParamType::Bool},
    {"smtpd_tls_ask_ccert", "no", ParamType::Bool},
    {"smtpd_tls_auth_only", "no", ParamType::Bool},
    {"smtpd_tls_ccert_verifydepth", "9", ParamType::Integer},
    {"smtpd_tls_cert_file", "", ParamType::String},
    {"smtpd_tls_chain_files", "", ParamType::List},
    {"smtpd_tls_ciphers", "medium", ParamType::List},
    {"smtpd_tls_dcert_file", "", ParamType::String},
    {"smtpd_tls_dh1024_param_file", "", ParamType::String},
    {"smtpd_tls_dh512_param_file", "", ParamType::String},
    {"smtpd_tls_dkey_file", "$smtpd_tls_dcert_file", ParamType::String},
    {"smtpd_tls_eccert_file", "", ParamType::String},
    {"smtpd_tls_eckey_file", "$smtpd_tls_eccert_file", ParamType::String},
    {"smtpd_tls_eecdh_grade", "auto", ParamType::String},
    {"smtpd_tls_exclude_ciphers", "", ParamType::List},
    {"smtpd_tls_fingerprint_digest", "sha256", ParamType::String},
    {"smtpd_tls_key_file", "$smtpd_tls_cert_file", ParamType::String},
    {"smtpd_tls_loglevel", "0", ParamType::Integer},
    {"smtpd_tls_mandatory_ciphers", "medium", ParamType::List},
    {"smtpd_tls_mandatory_exclude_ciphers", "", ParamType::List},
    {"smtpd_tls_mandatory_protocols", ">=TLSv1", ParamType::List},
    {"smtpd_tls_protocols", ">=TLSv1", ParamType::List},
    {"smtpd_tls_received_header", "no", ParamType::Bool},
    {"smtpd_tls_req_ccert", "no", ParamType::Bool},
    {"smtpd_tls_security_level", "", ParamType::String},
    {"smtpd_tls_session_cache_database", "", ParamType::String},
    {"smtpd_tls_session_cache_timeout", "3600s", ParamType::Time},
    {"smtpd_tls_wrappermode", "no", ParamType::Bool},
    {"smtputf8_enable", "yes", ParamType::Bool},
    {"soft_bounce", "no", ParamType::Bool},
    {"strict_rfc821_envelopes", "no", ParamType::Bool},
    {"swap_bangpath", "yes", ParamType::Bool},
    {"syslog_name", "tern", ParamType::String},
    {"tls_random_source", "dev:/dev/urandom", ParamType::String},
    {"transport_maps", "", ParamType::List},
    {"transport_retry_time", "60s", ParamType::Time},
    {"unknown_local_recipient_reject_code", "550", ParamType::Integer},
    {"unknown_relay_recipient_reject_code", "550", ParamType::Integer},
    {"unknown_virtual_alias_reject_code", "550", ParamType::Integer},
    {"unknown_virtual_mailbox_reject_code", "550", ParamType::Integer},
    {"virtual_alias_domains", "$virtual_alias_maps", ParamType::List},
    {"virtual_alias_expansion_limit", "1000", ParamType::Integer},
    {"virtual_alias_maps", "$virtual_maps", ParamType::List},
    {"virtual_alias_recursion_limit", "1000", ParamType::Integer},
    {"virtual_destination_concurrency_limit", "$default_destination_concurrency_limit", ParamType::Integer},
    {"virtual_destination_recipient_limit", "$default_destination_recipient_limit", ParamType::Integer},
    {"virtual_gid_maps", "", ParamType::List},
    {"virtual_mailbox_base", "", ParamType::String},
    {"virtual_mailbox_domains", "$virtual_mailbox_maps", ParamType::List},
    {"virtual_mailbox_limit", "51200000", ParamType::Size},
    {"virtual_mailbox_lock", "fcntl, dotlock", ParamType::String},
    {"virtual_mailbox_maps", "", ParamType::List},
    {"virtual_minimum_uid", "100", ParamType::Integer},
    {"virtual_transport", "virtual", ParamType::String},
    {"virtual_uid_maps", "", ParamType::List},
});

static_assert(std::is_sorted(kParams.begin(), kParams.end(),
                             [](const ParamSpec& a, const ParamSpec& b) { return a.name < b.name; }),
              "kParams must stay sorted by name");

// Per-transport names: "<transport>" + suffix, e.g. smtp_destination_concurrency_limit.
constexpr auto kPatterns = std::to_array<ParamSpec>({
    {"*_delivery_slot_cost", "$default_delivery_slot_cost", ParamType::Integer},
    {"*_delivery_slot_discount", "$default_delivery_slot_discount", ParamType::Integer, 0, 100},
    {"*_delivery_slot_loan", "$default_delivery_slot_loan", ParamType::Integer},
    {"*_delivery_status_filter", "$default_delivery_status_filter", ParamType::List},
    {"*_destination_concurrency_failed_cohort_limit", "$default_destination_concurrency_failed_cohort_limit",
     ParamType::Integer},
    {"*_destination_concurrency_limit", "$default_destination_concurrency_limit", ParamType::Integer},
    {"*_destination_concurrency_negative_feedback", "$default_destination_concurrency_negative_feedback",
     ParamType::String},
    {"*_destination_concurrency_positive_feedback", "$default_destination_concurrency_positive_feedback",
     ParamType::String},
    {"*_destination_rate_delay", "$default_destination_rate_delay", ParamType::Time},
    {"*_destination_recipient_limit", "$default_destination_recipient_limit", ParamType::Integer},
    {"*_extra_recipient_limit", "$default_extra_recipient_limit", ParamType::Integer},
    {"*_initial_destination_concurrency", "$initial_destination_concurrency", ParamType::Integer},
    {"*_minimum_delivery_slots", "$default_minimum_delivery_slots", ParamType::Integer},
    {"*_recipient_limit", "$default_recipient_limit", ParamType::Integer},
    {"*_recipient_refill_delay", "$default_recipient_refill_delay", ParamType::Time},
    {"*_recipient_refill_limit", "$default_recipient_refill_limit", ParamType::Integer},
    {"*_time_limit", "$command_time_limit", ParamType::Time},
    {"*_transport_rate_delay", "$default_transport_rate_delay", ParamType::Time},
});

// A transport name as master.cf may spell it.
bool is_transport_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-' || c == '.';
    });
}

constexpr long long unit_seconds(char unit) noexcept {
    switch (unit) {
        case 's': return 1;
        case 'm': return 60;
        case 'h': return 3600;
        case 'd': return 86400;
        case 'w': return 604800;
        default: return 0;
    }
}

}  // namespace

std::span<const ParamSpec> all_params() noexcept { return kParams; }
std::span<const ParamSpec> param_patterns() noexcept { return kPatterns; }

const ParamSpec* find_param(std::string_view name) noexcept {
    const auto it = std::lower_bound(kParams.begin(), kParams.end(), name,
                                     [](const ParamSpec& p, std::string_view n) { return p.name < n; });
    if (it != kParams.end() && it->name == name) return &*it;
    return find_param_pattern(name);
}

const ParamSpec* find_param_pattern(std::string_view name) noexcept {
    for (const ParamSpec& p : kPatterns) {
        const std::string_view suffix = p.name.substr(1);
        if (name.size() > suffix.size() && name.ends_with(suffix) &&
            is_transport_name(name.substr(0, name.size() - suffix.size())))
            return &p;
    }
    return nullptr;
}

std::string default_hostname() {
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') return "localhost.localdomain";
    std::string name(host.data());
    if (name.find('.') == std::string::npos) name += ".localdomain";
    return name;
}

std::string domain_of_host(std::string_view host) {
    const auto dot = host.find('.');
    if (dot == std::string_view::npos || dot + 1 >= host.size()) return "localdomain";
    return std::string(host.substr(dot + 1));
}

Result<long long> parse_integer_value(std::string_view text) {
    const auto n = parse_integer(text);
    if (!n || text.front() == '+') return fail(Retry::Permanent, "bad numerical value: \"" + printable(text, 100) + "\"");
    return *n;
}

Result<long long> parse_time_value(std::string_view text, char default_unit) {
    const auto bad = [&] { return fail(Retry::Permanent, "bad time value: \"" + printable(text, 100) + "\""); };
    std::string_view digits = text;
    char unit = default_unit;
    if (!text.empty() && unit_seconds(text.back()) != 0) {
        unit = text.back();
        digits.remove_suffix(1);
    }
    long long number = 0;
    const char* end = digits.data() + digits.size();
    const auto [ptr, ec] = std::from_chars(digits.data(), end, number);
    if (digits.empty() || ec != std::errc{} || ptr != end || number < 0 || digits.front() == '-') return bad();
    const long long scale = unit_seconds(unit);
    if (scale == 0 || number > LLONG_MAX / scale) return bad();
    return number * scale;
}

Result<bool> parse_bool_value(std::string_view text) {
    if (iequals(text, "yes")) return true;
    if (iequals(text, "no")) return false;
    return fail(Retry::Permanent, "bad boolean value: \"" + printable(text, 100) + "\" (use yes or no)");
}

static Status check_bounds(long long value, const ParamSpec& spec) {
    if (value < spec.min)
        return fail(Retry::Permanent, "value " + std::to_string(value) + " is less than the minimum " +
                                          std::to_string(spec.min));
    if (value > spec.max)
        return fail(Retry::Permanent, "value " + std::to_string(value) + " is more than the maximum " +
                                          std::to_string(spec.max));
    return {};
}

Status check_param_value(const ParamSpec& spec, std::string_view value) {
    switch (spec.type) {
        case ParamType::String:
        case ParamType::List: return {};
        case ParamType::Bool: {
            const auto b = parse_bool_value(value);
            if (!b) return tl::unexpected(b.error());
            return {};
        }
        case ParamType::Integer:
        case ParamType::Size: {
            const auto n = parse_integer_value(value);
            if (!n) return tl::unexpected(n.error());
            return check_bounds(*n, spec);
        }
        case ParamType::Time: {
            const auto s = parse_time_value(value, spec.time_unit);
            if (!s) return tl::unexpected(s.error());
            return check_bounds(*s, spec);
        }
    }
    return {};
}

}  // namespace tern
