// tests/fuzz/fuzz_restrictions.cpp - libFuzzer target: access-table actions, restriction evaluation, net lists
//
// DESCRIPTION
//     The input is up to six lines: an access-table value (what a
//     check_recipient_access table answers), a recipient, a HELO name, a
//     sender, a client address, and a mynetworks list. The value is put in
//     a static: table behind check_recipient_access, check_sender_access
//     and check_helo_access; the session is checked at every stage. A
//     reply must be empty or a 4xx/5xx line of at most 510 printable bytes.
//     Seeds: tests/fuzz/corpus/restrictions/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/config.h"
#include "lib/mail/net_list.h"
#include "smtpd/restrictions.h"

namespace {

constexpr std::size_t kMaxFieldBytes = 300;

// main.cf cannot hold line breaks, braces close the static:{...} value, '$' expands.
std::string config_safe(std::string_view text) {
    std::string out(text.substr(0, kMaxFieldBytes));
    for (char& c : out)
        if (c == '\n' || c == '\r' || c == '{' || c == '}' || c == '$' || c == '#' || c == '\0') c = ' ';
    return out;
}

void check_reply(const std::string& reply) {
    if (reply.empty()) return;
    if (reply.size() > 510 || (reply[0] != '4' && reply[0] != '5') || reply[4] != reply[0]) std::abort();
    for (const char c : reply)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool quiet = [] {
        tern::log_use_stderr(false);
        return true;
    }();
    (void)quiet;
    const std::vector<std::string> lines = tern::split_on(std::string_view(reinterpret_cast<const char*>(data), size), "\n");
    auto field = [&lines](std::size_t i) { return i < lines.size() ? lines[i].substr(0, kMaxFieldBytes) : std::string(); };

    (void)tern::NetList::parse(tern::split_config_list(config_safe(field(5))), "mynetworks");
    const std::string value = config_safe(field(0));
    const std::string table = "static:{" + (tern::trim(value).empty() ? std::string("DUNNO") : value) + "}";
    const std::string main_cf =
        "myhostname = mx.example.com\nmydomain = example.com\nmydestination = example.com\nalias_maps =\n"
        "local_recipient_maps = inline:{ alice=1 }\nrecipient_delimiter = +\n"
        "smtpd_restriction_classes = c1\nc1 = reject_non_fqdn_sender, permit\n"
        "smtpd_helo_restrictions = check_helo_access " + table + ", reject_invalid_helo_hostname\n"
        "smtpd_sender_restrictions = check_sender_access " + table + "\n"
        "smtpd_recipient_restrictions = check_recipient_access " + table + ", reject_unauth_destination\n"
        "smtpd_data_restrictions = reject_unauth_pipelining\n";
    tern::Result<tern::Config> config = tern::Config::parse(main_cf, "fuzz");
    if (!config) return 0;
    tern::Result<smtpd::Restrictions> restrictions = smtpd::Restrictions::load(*config);
    if (!restrictions) return 0;

    const std::string recipient = field(1), helo = field(2), sender = field(3), address = field(4);
    smtpd::PolicyContext context;
    context.client_name = "unknown";
    context.client_address = address;
    context.helo_name = helo;
    context.sender = sender;
    context.sender_given = true;
    context.recipient = recipient;
    context.protocol = "ESMTP";
    for (const smtpd::Stage stage : {smtpd::Stage::Client, smtpd::Stage::Helo, smtpd::Stage::Sender,
                                     smtpd::Stage::Recipient, smtpd::Stage::Data, smtpd::Stage::EndOfData})
        check_reply(restrictions->check(stage, context).reply);
    return 0;
}
