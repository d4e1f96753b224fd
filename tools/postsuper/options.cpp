// tools/postsuper/options.cpp - postsuper's command line (contract in options.h)
#include "tools/postsuper/options.h"

#include <algorithm>
#include <array>

namespace postsuper {

namespace {

using tern::QueueName;

constexpr std::array<QueueName, 5> kDeleteQueues{QueueName::Maildrop, QueueName::Incoming, QueueName::Active,
                                                 QueueName::Deferred, QueueName::Hold};
constexpr std::array<QueueName, 3> kHoldQueues{QueueName::Incoming, QueueName::Active, QueueName::Deferred};
constexpr std::array<QueueName, 1> kReleaseQueues{QueueName::Hold};
constexpr std::array<QueueName, 4> kRequeueQueues{QueueName::Incoming, QueueName::Active, QueueName::Deferred,
                                                  QueueName::Hold};

std::span<const QueueName> default_queues(Action action) noexcept {
    switch (action) {
    case Action::Delete: return kDeleteQueues;
    case Action::Hold: return kHoldQueues;
    case Action::Release: return kReleaseQueues;
    case Action::Requeue: return kRequeueQueues;
    }
    return {};
}

std::optional<Action> action_of(char flag) noexcept {
    switch (flag) {
    case 'd': return Action::Delete;
    case 'h': return Action::Hold;
    case 'H': return Action::Release;
    case 'r': return Action::Requeue;
    default: return std::nullopt;
    }
}

bool takes_argument(char flag) noexcept {
    return flag == 'c' || flag == 'e' || flag == 'f' || action_of(flag).has_value();
}

tl::unexpected<tern::Error> usage_error(std::string text) {
    return tern::fail(tern::Retry::Permanent, std::move(text));
}

tern::Status add_operand(Options& o, std::string_view name) {
    const std::optional<QueueName> queue = tern::queue_name_from_string(name);
    const bool usable = queue && std::find(kDeleteQueues.begin(), kDeleteQueues.end(), *queue) != kDeleteQueues.end();
    if (!usable) return usage_error("invalid directory name: " + std::string(name));
    if (std::find(o.queues.begin(), o.queues.end(), *queue) == o.queues.end()) o.queues.push_back(*queue);
    return {};
}

tern::Status apply_flag(Options& o, char flag, std::string_view argument) {
    if (const std::optional<Action> action = action_of(flag)) {
        o.requests.push_back({*action, std::string(argument)});
        return {};
    }
    switch (flag) {
    case 'c': o.config_dir = argument; return {};
    case 'v': ++o.verbosity; return {};
    case 'e':
    case 'f': return usage_error("-" + std::string(1, flag) + " (forced expiration) is not available in tern");
    case 'p':
    case 's':
    case 'S':
        return usage_error("-" + std::string(1, flag) +
                           " is not needed with tern: its queue has no hashed folders to repair");
    default: return usage_error("invalid option -- '" + std::string(1, flag) + "'");
    }
}

// One "-xyz" word; may consume the next word as the last flag's argument.
tern::Status parse_flags(Options& o, std::span<const char* const> args, std::size_t& i) {
    const std::string_view word = args[i];
    for (std::size_t pos = 1; pos < word.size(); ++pos) {
        const char flag = word[pos];
        if (!takes_argument(flag)) {
            if (tern::Status s = apply_flag(o, flag, {}); !s) return s;
            continue;
        }
        if (pos + 1 < word.size()) return apply_flag(o, flag, word.substr(pos + 1));
        if (i + 1 >= args.size()) return usage_error("option requires an argument -- '" + std::string(1, flag) + "'");
        return apply_flag(o, flag, args[++i]);
    }
    return {};
}

}  // namespace

tern::Result<Options> parse_options(std::span<const char* const> args) {
    Options o;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view word = args[i] == nullptr ? std::string_view() : std::string_view(args[i]);
        if (!options_done && word == "--") {
            options_done = true;
            continue;
        }
        const tern::Status s = (!options_done && word.size() > 1 && word.front() == '-')
                                   ? parse_flags(o, args, i)
                                   : add_operand(o, word);
        if (!s) return tl::unexpected(s.error());
    }
    return o;
}

std::vector<QueueName> queues_for(Action action, std::span<const QueueName> named) {
    const std::span<const QueueName> defaults = default_queues(action);
    if (named.empty()) return {defaults.begin(), defaults.end()};
    std::vector<QueueName> queues;
    for (const QueueName q : named)
        if (std::find(defaults.begin(), defaults.end(), q) != defaults.end()) queues.push_back(q);
    return queues;
}

std::string_view done_text(Action action) noexcept {
    switch (action) {
    case Action::Delete: return "removed";
    case Action::Hold: return "placed on hold";
    case Action::Release: return "released from hold";
    case Action::Requeue: return "requeued";
    }
    return "";
}

std::string summary_line(Action action, std::size_t count) {
    std::string_view what;
    switch (action) {
    case Action::Delete: what = "Deleted"; break;
    case Action::Hold: what = "Placed on hold"; break;
    case Action::Release: what = "Released from hold"; break;
    case Action::Requeue: what = "Requeued"; break;
    }
    return std::string(what) + ": " + std::to_string(count) + (count == 1 ? " message" : " messages");
}

}  // namespace postsuper
