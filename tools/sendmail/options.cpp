// tools/sendmail/options.cpp - parse sendmail's command line (see options.h)
#include "tools/sendmail/options.h"

#include <cstddef>

#include "lib/base/text.h"
#include "tools/sendmail/recipients.h"

namespace sendmail {
namespace {

constexpr std::string_view kValueFlags = "BCFLNORVXbefhopr";
constexpr std::string_view kIgnoredFlags = "GUcmnx";

tern::Status usage(std::string_view why) {
    std::string text(why);
    if (!text.empty()) text += "\n";
    return tern::fail(tern::Retry::Permanent, text + std::string(kUsage));
}

std::string strip_brackets(std::string_view sender) {
    const std::string_view t = tern::trim(sender);
    if (t.size() >= 2 && t.front() == '<' && t.back() == '>') return std::string(t.substr(1, t.size() - 2));
    return std::string(t);
}

tern::Status set_mode(Options& o, std::string_view value) {
    if (value == "m") o.mode = Mode::Deliver;
    else if (value == "s") o.mode = Mode::Smtp;
    else if (value == "p") o.mode = Mode::ListQueue;
    else if (value == "i") o.mode = Mode::Aliases;
    else if (value == "d") o.mode = Mode::Daemon;
    else return usage("-b" + std::string(value) + ": unsupported mode");
    return {};
}

tern::Status set_ret(Options& o, std::string_view value) {
    if (tern::iequals(value, "full")) o.ret = tern::DsnRet::Full;
    else if (tern::iequals(value, "hdrs")) o.ret = tern::DsnRet::Headers;
    else return usage("-R: bad value: " + tern::printable(value, 100));
    return {};
}

tern::Status set_body_type(Options& o, std::string_view value) {
    if (tern::iequals(value, "7bit")) o.body_type = "7BIT";
    else if (tern::iequals(value, "8bitmime")) o.body_type = "8BITMIME";
    else return usage("-B: bad value: " + tern::printable(value, 100));
    return {};
}

// One flag that takes a value.
tern::Status apply_value(Options& o, char flag, std::string_view value) {
    switch (flag) {
        case 'b': return set_mode(o, value);
        case 'C': o.config_path = std::string(value); return {};
        case 'F': o.full_name = std::string(value); return {};
        case 'f':
        case 'r': o.sender = strip_brackets(value); return {};
        case 'N': {
            const std::optional<unsigned> n = parse_notify(value);
            if (!n) return usage("-N: bad value: " + tern::printable(value, 100));
            o.notify = *n;
            return {};
        }
        case 'R': return set_ret(o, value);
        case 'V': o.envid = std::string(value); return {};
        case 'B': return set_body_type(o, value);
        case 'o':
            if (!value.empty() && value.front() == 'i') o.dot_ends_input = false;
            return {};
        default: return {};  // -L -O -X -e -h -p: accepted, ignored
    }
}

// One flag without a value; false when the letter is unknown.
bool apply_flag(Options& o, char flag) {
    switch (flag) {
        case 't': o.extract_recipients = true; return true;
        case 'i': o.dot_ends_input = false; return true;
        case 'v': ++o.verbose; return true;
        case 'I': o.mode = Mode::Aliases; return true;
        default: return kIgnoredFlags.find(flag) != std::string_view::npos;
    }
}

// Parses one "-..." argument; may consume the next one as a value.
tern::Status parse_flags(Options& o, const std::vector<std::string>& args, std::size_t& i) {
    const std::string_view arg = args[i];
    for (std::size_t k = 1; k < arg.size(); ++k) {
        const char flag = arg[k];
        if (flag == 'q') {  // -q, -q30m, -qR...: all mean "flush"
            o.mode = Mode::Flush;
            return {};
        }
        if (kValueFlags.find(flag) != std::string_view::npos) {
            if (k + 1 < arg.size()) return apply_value(o, flag, arg.substr(k + 1));
            if (i + 1 >= args.size()) return usage(std::string("option requires an argument -- ") + flag);
            return apply_value(o, flag, args[++i]);
        }
        if (!apply_flag(o, flag)) return usage(std::string("invalid option -- ") + flag);
    }
    return {};
}

std::string_view program_name(const std::vector<std::string>& args) {
    if (args.empty()) return "sendmail";
    std::string_view name = args[0];
    const std::size_t slash = name.rfind('/');
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    return name;
}

}  // namespace

std::optional<unsigned> parse_notify(std::string_view value) {
    if (tern::iequals(tern::trim(value), "never")) return tern::kDsnNotifyNever;
    unsigned bits = 0;
    for (const std::string& word : tern::split_on(value, ", \t")) {
        if (tern::iequals(word, "success")) bits |= tern::kDsnNotifySuccess;
        else if (tern::iequals(word, "failure")) bits |= tern::kDsnNotifyFailure;
        else if (tern::iequals(word, "delay")) bits |= tern::kDsnNotifyDelay;
        else return std::nullopt;
    }
    if (bits == 0) return std::nullopt;
    return bits;
}

tern::Result<Options> parse_options(const std::vector<std::string>& args) {
    Options o;
    const std::string_view name = program_name(args);
    if (name == "mailq") o.mode = Mode::ListQueue;
    else if (name == "newaliases") o.mode = Mode::Aliases;
    std::size_t i = 1;
    for (; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {
            ++i;
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') break;
        if (tern::Status s = parse_flags(o, args, i); !s) return tl::unexpected(s.error());
    }
    for (; i < args.size(); ++i)
        for (std::string& r : parse_address_list(args[i])) o.recipients.push_back(std::move(r));
    return o;
}

}  // namespace sendmail
