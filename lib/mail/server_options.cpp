// lib/mail/server_options.cpp - parse a daemon's command line
#include "lib/mail/server_options.h"

#include <charconv>

#include "lib/base/text.h"
#include "lib/mail/master_protocol.h"

namespace tern {
namespace {

constexpr long long kMaxWakeupS = 366LL * 24 * 3600;

Result<int> parse_bounded(std::string_view value, char option, long long max) {
    long long n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size() || n < 0 || n > max)
        return fail(Retry::Permanent, std::string("bad number for -") + option + ": \"" + printable(value, 50) + "\"");
    return static_cast<int>(n);
}

Status apply_value(ServerOptions& o, char option, std::string_view value) {
    switch (option) {
    case 'c': o.config_dir = value; return {};
    case 'n': o.service_name = value; return {};
    case 't': o.transport = value; return {};
    case 'l': o.listen_address = value; return {};
    case 's': {
        Result<int> n = parse_bounded(value, option, kMaxListenFds);
        if (!n) return tl::unexpected(n.error());
        o.listen_count = *n;
        return {};
    }
    case 'w': {
        Result<int> n = parse_bounded(value, option, kMaxWakeupS);
        if (!n) return tl::unexpected(n.error());
        o.wakeup_s = *n;
        return {};
    }
    case 'o': {
        const std::size_t eq = value.find('=');
        if (eq == std::string_view::npos || eq == 0)
            return fail(Retry::Permanent, "-o needs name=value, got \"" + printable(value, 100) + "\"");
        o.overrides.emplace_back(std::string(trim(value.substr(0, eq))), std::string(trim(value.substr(eq + 1))));
        return {};
    }
    }
    return fail(Retry::Permanent, std::string("invalid option -") + option);
}

}  // namespace

Result<ServerOptions> parse_server_options(int argc, const char* const* argv) {
    ServerOptions o;
    constexpr std::string_view kWithValue = "cntswol";
    int i = 1;
    for (; i < argc; ++i) {
        const std::string_view word = argv[i];
        if (word == "--") {
            ++i;
            break;
        }
        if (word.size() < 2 || word[0] != '-') break;
        const char option = word[1];
        if (kWithValue.find(option) != std::string_view::npos) {
            std::string_view value = word.substr(2);
            if (value.empty()) {
                if (i + 1 >= argc) return fail(Retry::Permanent, std::string("option -") + option + " needs a value");
                value = argv[++i];
            }
            if (Status s = apply_value(o, option, value); !s) return tl::unexpected(s.error());
            continue;
        }
        if (word.size() != 2) return fail(Retry::Permanent, "invalid option " + printable(word, 50));
        switch (option) {
        case 'u': o.unprivileged = true; break;
        case 'C': o.chroot = true; break;
        case 'v': ++o.verbosity; break;
        case 'd': o.debug = true; break;
        default: return fail(Retry::Permanent, "invalid option " + printable(word, 50));
        }
    }
    for (; i < argc; ++i) o.args.emplace_back(argv[i]);
    return o;
}

}  // namespace tern
