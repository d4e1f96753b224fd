// smtpd/restrictions.cpp - smtpd_*_restrictions: load the lists, evaluate them per stage
#include "smtpd/restrictions.h"

#include <vector>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/address.h"
#include "lib/mail/domain_class.h"
#include "lib/mail/net_list.h"

namespace smtpd {

enum class Rule { Permit, Reject, PermitMynetworks, RejectUnauthDestination, DeferUnauthDestination,
                  PermitSaslAuthenticated };

struct Restrictions::State {
    tern::NetList mynetworks;
    tern::DomainClassifier domains;
    std::vector<Rule> relay;
    std::vector<Rule> recipient;
};

namespace {

tern::Result<std::vector<Rule>> parse_rules(const tern::Config& config, std::string_view param) {
    std::vector<Rule> rules;
    for (const std::string& word : config.list(param)) {
        const std::string name = tern::to_lower(word);
        if (name == "permit") rules.push_back(Rule::Permit);
        else if (name == "reject") rules.push_back(Rule::Reject);
        else if (name == "permit_mynetworks") rules.push_back(Rule::PermitMynetworks);
        else if (name == "reject_unauth_destination") rules.push_back(Rule::RejectUnauthDestination);
        else if (name == "defer_unauth_destination") rules.push_back(Rule::DeferUnauthDestination);
        else if (name == "permit_sasl_authenticated") rules.push_back(Rule::PermitSaslAuthenticated);
        else return tern::fail(tern::Retry::Permanent, std::string(param) + ": unknown restriction: " + tern::printable(word, 100));
    }
    return rules;
}

}  // namespace

Restrictions::Restrictions(std::unique_ptr<State> state) : state_(std::move(state)) {}
Restrictions::Restrictions(Restrictions&&) noexcept = default;
Restrictions& Restrictions::operator=(Restrictions&&) noexcept = default;
Restrictions::~Restrictions() = default;

tern::Result<Restrictions> Restrictions::load(const tern::Config& config) {
    auto state = std::make_unique<State>();
    tern::Result<tern::NetList> nets = tern::load_mynetworks(config);
    if (!nets) return tl::unexpected(nets.error());
    state->mynetworks = std::move(*nets);
    tern::Result<tern::DomainClassifier> domains = tern::DomainClassifier::load(config);
    if (!domains) return tl::unexpected(domains.error());
    state->domains = std::move(*domains);
    tern::Result<std::vector<Rule>> relay = parse_rules(config, "smtpd_relay_restrictions");
    if (!relay) return tl::unexpected(relay.error());
    state->relay = std::move(*relay);
    tern::Result<std::vector<Rule>> recipient = parse_rules(config, "smtpd_recipient_restrictions");
    if (!recipient) return tl::unexpected(recipient.error());
    state->recipient = std::move(*recipient);
    return Restrictions(std::move(state));
}

Verdict Restrictions::check(Stage stage, const PolicyContext& context) const {
    Verdict verdict;
    if (stage != Stage::Recipient) return verdict;
    for (const std::vector<Rule>* list : {&state_->relay, &state_->recipient}) {
        for (Rule rule : *list) {
            bool decided = false;
            switch (rule) {
            case Rule::Permit: decided = true; break;
            case Rule::Reject:
                return Verdict{VerdictKind::Reject, "554 5.7.1 <" + std::string(context.recipient) +
                                                        ">: Recipient address rejected: Access denied"};
            case Rule::PermitMynetworks: {
                tern::Result<bool> mine = state_->mynetworks.matches(context.client_address);
                decided = mine && *mine;
                break;
            }
            case Rule::PermitSaslAuthenticated: decided = context.sasl_authenticated; break;
            case Rule::RejectUnauthDestination:
            case Rule::DeferUnauthDestination: {
                tern::Result<tern::DomainClass> c = state_->domains.classify(tern::domain_of(context.recipient));
                if (c && *c != tern::DomainClass::Other) break;
                if (rule == Rule::DeferUnauthDestination)
                    return Verdict{VerdictKind::Defer, "454 4.7.1 <" + std::string(context.recipient) +
                                                           ">: Relay access denied"};
                return Verdict{VerdictKind::Reject,
                               "554 5.7.1 <" + std::string(context.recipient) + ">: Relay access denied"};
            }
            }
            if (decided) break;
        }
    }
    return verdict;
}

}  // namespace smtpd
