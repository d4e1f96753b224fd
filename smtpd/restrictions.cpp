// smtpd/restrictions.cpp - load smtpd_*_restrictions and everything they consult; evaluate per stage
#include "smtpd/restrictions.h"

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "smtpd/restriction_eval.h"

namespace smtpd {

struct Restrictions::State : PolicyState {};

namespace {

// A parameter tern's table may not know yet: main.cf's value, else Postfix's default.
std::string param_or(const tern::Config& config, std::string_view name, std::string_view fallback) {
    if (!config.is_set(name) && tern::find_param(name) == nullptr) return std::string(fallback);
    return config.get(name);
}

tern::Result<bool> bool_param(const tern::Config& config, std::string_view name, bool fallback) {
    if (!config.is_set(name) && tern::find_param(name) == nullptr) return fallback;
    return config.boolean(name);
}

tern::Status load_settings(const tern::Config& config, PolicyState& state) {
    struct BoolParam {
        std::string_view name;
        bool* target;
    };
    const BoolParam flags[] = {
        {"smtpd_delay_reject", &state.delay_reject},
        {"smtpd_reject_unlisted_recipient", &state.reject_unlisted_recipient},
        {"smtpd_reject_unlisted_sender", &state.reject_unlisted_sender},
        {"allow_untrusted_routing", &state.allow_untrusted_routing},
        {"allow_percent_hack", &state.form.percent_hack},
        {"swap_bangpath", &state.form.swap_bangpath},
    };
    for (const BoolParam& flag : flags) {
        tern::Result<bool> value = bool_param(config, flag.name, *flag.target);
        if (!value) return tl::unexpected(value.error());
        *flag.target = *value;
    }
    tern::Result<ReplyCodes> codes = load_reply_codes(config);
    if (!codes) return tl::unexpected(codes.error());
    state.codes = *codes;
    state.form.myorigin = tern::to_lower(std::string(tern::trim(config.get("myorigin"))));
    state.delimiters = config.get("recipient_delimiter");
    state.null_key = param_or(config, "smtpd_null_access_lookup_key", "<>");
    state.double_bounce = param_or(config, "double_bounce_sender", "double-bounce");
    return {};
}

tern::Status load_lists(const tern::Config& config, PolicyState& state) {
    RestrictionParser parser(config);
    if (tern::Status classes = parser.load_classes(); !classes) return classes;
    struct ListParam {
        std::string_view name;
        RestrictionList* list;
    };
    const ListParam lists[] = {
        {"smtpd_client_restrictions", &state.client},
        {"smtpd_helo_restrictions", &state.helo},
        {"smtpd_sender_restrictions", &state.sender},
        {"smtpd_relay_restrictions", &state.relay},
        {"smtpd_recipient_restrictions", &state.recipient},
        {"smtpd_data_restrictions", &state.data},
        {"smtpd_end_of_data_restrictions", &state.end_of_data},
    };
    for (const ListParam& param : lists) {
        tern::Result<RestrictionList> parsed = parser.parse(param.name);
        if (!parsed) return tl::unexpected(parsed.error());
        *param.list = std::move(*parsed);
    }
    state.classes = std::move(parser.classes());
    state.class_names = parser.class_names();
    // An open relay is a configuration error, never a default (Postfix's rule).
    if (!has_required(state.relay, state.recipient, state.classes))
        return tern::fail(tern::Retry::Permanent,
                          "in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one "
                          "working instance of: reject_unauth_destination, defer_unauth_destination, reject, defer "
                          "or defer_if_permit");
    return {};
}

}  // namespace

Restrictions::Restrictions(std::unique_ptr<State> state) : state_(std::move(state)) {}
Restrictions::Restrictions(Restrictions&&) noexcept = default;
Restrictions& Restrictions::operator=(Restrictions&&) noexcept = default;
Restrictions::~Restrictions() = default;

tern::Result<Restrictions> Restrictions::load(const tern::Config& config) {
    auto state = std::make_unique<State>();
    if (tern::Status settings = load_settings(config, *state); !settings) return tl::unexpected(settings.error());
    tern::Result<tern::NetList> nets = tern::load_mynetworks(config);
    if (!nets) return tl::unexpected(nets.error());
    state->mynetworks = std::move(*nets);
    state->interface_addresses = tern::local_interface_addresses(config);
    tern::Result<tern::Resolver> resolver = tern::Resolver::load(config);
    if (!resolver) return tl::unexpected(resolver.error());
    state->resolver = std::move(*resolver);
    tern::Result<RecipientMaps> maps = RecipientMaps::load(config);
    if (!maps) return tl::unexpected(maps.error());
    state->recipient_maps = std::move(*maps);
    if (tern::Status lists = load_lists(config, *state); !lists) return tl::unexpected(lists.error());
    return Restrictions(std::move(state));
}

Verdict Restrictions::check(Stage stage, const PolicyContext& context) const {
    return Evaluation(*state_, context).run(stage);
}

}  // namespace smtpd
