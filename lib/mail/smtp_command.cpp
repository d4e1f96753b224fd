// lib/mail/smtp_command.cpp - parse one SMTP command line into a verb, a path and ESMTP parameters
#include "lib/mail/smtp_command.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "lib/base/text.h"
#include "lib/mail/smtp_params.h"
#include "lib/mail/xtext.h"

namespace tern {
namespace {

struct VerbEntry {
    std::string_view name;
    SmtpVerb verb;
};

constexpr std::array kVerbs{
    VerbEntry{"EHLO", SmtpVerb::Ehlo}, VerbEntry{"HELO", SmtpVerb::Helo},         VerbEntry{"MAIL", SmtpVerb::Mail},
    VerbEntry{"RCPT", SmtpVerb::Rcpt}, VerbEntry{"DATA", SmtpVerb::Data},         VerbEntry{"BDAT", SmtpVerb::Bdat},
    VerbEntry{"RSET", SmtpVerb::Rset}, VerbEntry{"NOOP", SmtpVerb::Noop},         VerbEntry{"QUIT", SmtpVerb::Quit},
    VerbEntry{"VRFY", SmtpVerb::Vrfy}, VerbEntry{"EXPN", SmtpVerb::Expn},         VerbEntry{"HELP", SmtpVerb::Help},
    VerbEntry{"STARTTLS", SmtpVerb::Starttls}, VerbEntry{"AUTH", SmtpVerb::Auth},
};

SmtpVerb find_verb(std::string_view name) noexcept {
    for (const VerbEntry& entry : kVerbs)
        if (iequals(entry.name, name)) return entry.verb;
    return SmtpVerb::Unknown;
}

// One word of a command line, as Postfix's smtpd_token cuts it.
struct Word {
    std::string text;
    bool unterminated = false;  // "<..." or "\"..." without its end
};

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == '\n'; }

// Copies a "<...>" or "\"...\"" group that starts at line[pos]; nested
// quotes inside <> hide a '>', and a backslash hides any byte.
std::size_t take_group(std::string_view line, std::size_t pos, Word& word) {
    std::string pending;  // closing characters still wanted, innermost last
    pending.push_back(line[pos] == '<' ? '>' : '"');
    word.text.push_back(line[pos++]);
    while (pos < line.size()) {
        const char c = line[pos++];
        word.text.push_back(c);
        if (c == '\\') {
            if (pos < line.size()) word.text.push_back(line[pos++]);
        } else if (c == pending.back()) {
            pending.pop_back();
            if (pending.empty()) return pos;
        } else if (c == '"') {
            pending.push_back('"');
        }
    }
    word.unterminated = true;
    return pos;
}

std::size_t take_word(std::string_view line, std::size_t pos, Word& word) {
    while (pos < line.size() && !is_space(line[pos])) {
        const char c = line[pos];
        if (c == '<' || c == '"') {
            pos = take_group(line, pos, word);
            continue;
        }
        word.text.push_back(c);
        ++pos;
        if (c == ':' && (iequals(word.text, "from:") || iequals(word.text, "to:"))) break;
        if (c == '\\' && pos < line.size()) word.text.push_back(line[pos++]);
    }
    return pos;
}

std::vector<Word> split_words(std::string_view line) {
    std::vector<Word> words;
    std::size_t pos = 0;
    while (true) {
        while (pos < line.size() && is_space(line[pos])) ++pos;
        if (pos >= line.size()) return words;
        Word word;
        pos = take_word(line, pos, word);
        words.push_back(std::move(word));
    }
}

std::string join_words(const std::vector<Word>& words, std::size_t first, std::size_t end) {
    std::string out;
    for (std::size_t i = first; i < end && i < words.size(); ++i) {
        if (!out.empty()) out.push_back(' ');
        out.append(words[i].text);
    }
    return out;
}

bool has_8bit(std::string_view text) noexcept {
    return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

bool all_digits(std::string_view text) noexcept {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

tl::unexpected<Error> reply(std::string_view text) { return fail(Retry::Permanent, std::string(text)); }

// MAIL FROM:<path> and RCPT TO:<path>: the shared part.
Status parse_envelope(const std::vector<Word>& words, bool is_mail, const CommandOptions& options,
                      SmtpCommand& cmd) {
    const std::string_view syntax = is_mail ? "501 5.5.4 Syntax: MAIL FROM:<address>"
                                            : "501 5.5.4 Syntax: RCPT TO:<address>";
    const std::string_view bad = is_mail ? "501 5.1.7 Bad sender address syntax"
                                         : "501 5.1.3 Bad recipient address syntax";
    if (words.size() < 3 || !iequals(words[1].text, is_mail ? "from:" : "to:")) return reply(syntax);
    if (words[2].unterminated) return reply(bad);
    cmd.raw_path = words[2].text;
    // 8-bit is checked after the parameters, which may declare SMTPUTF8.
    const PathOptions path_options{.allow_empty = is_mail,
                                   .strict_rfc821 = options.strict_rfc821_envelopes,
                                   .allow_8bit = true};
    auto path = parse_path(cmd.raw_path, path_options);
    if (!path) return reply(bad);
    cmd.path = std::move(*path);
    for (std::size_t i = 3; i < words.size(); ++i) {
        Status param = is_mail ? parse_mail_param(words[i].text, options, cmd.mail)
                               : parse_rcpt_param(words[i].text, options, cmd.rcpt);
        if (!param) return param;
    }
    const bool declared = is_mail ? cmd.mail.smtputf8 : options.smtputf8_declared;
    // Like Postfix (strict_smtputf8 = no), 8-bit addresses without SMTPUTF8
    // are accepted unless strict_smtputf8 asks for the RFC's rule.
    if (options.strict_smtputf8 && has_8bit(cmd.raw_path) && !declared)
        return reply("553 5.6.7 Must declare SMTPUTF8 to send unicode address");
    return {};
}

Status parse_bdat(const std::vector<Word>& words, SmtpCommand& cmd) {
    constexpr std::string_view kSyntax = "521 5.5.4 Syntax: BDAT count [LAST]";
    if (words.size() < 2 || words.size() > 3 || !all_digits(words[1].text)) return reply(kSyntax);
    if (words.size() == 3 && !iequals(words[2].text, "LAST")) return reply(kSyntax);
    cmd.bdat_last = words.size() == 3;
    const auto size = parse_integer(words[1].text);
    if (!size) return reply("552 5.3.4 Chunk exceeds message size limit");
    cmd.bdat_size = static_cast<std::uint64_t>(*size);
    if (cmd.bdat_size == 0 && !cmd.bdat_last) return reply("551 5.7.1 Null BDAT request");
    return {};
}

Status parse_vrfy(std::vector<Word> words, const CommandOptions& options, SmtpCommand& cmd) {
    if (words.size() < 2)
        return reply(options.smtputf8_enable ? "501 5.5.4 Syntax: VRFY address [SMTPUTF8]"
                                             : "501 5.5.4 Syntax: VRFY address");
    if (options.smtputf8_enable && words.size() > 2 && iequals(words.back().text, "SMTPUTF8")) {
        cmd.vrfy_smtputf8 = true;
        words.pop_back();
    }
    cmd.argument = join_words(words, 1, words.size());
    constexpr std::string_view kBad = "501 5.1.3 Bad recipient address syntax";
    if (words.size() != 2 || words[1].unterminated) return reply(kBad);
    cmd.raw_path = words[1].text;
    auto path = parse_path(cmd.raw_path, {.allow_empty = false, .strict_rfc821 = false, .allow_8bit = true});
    if (!path) return reply(kBad);
    if (options.strict_smtputf8 && has_8bit(cmd.raw_path) && !cmd.vrfy_smtputf8)
        return reply("553 5.6.7 Must declare SMTPUTF8 to send unicode address");
    cmd.path = std::move(*path);
    return {};
}

Status parse_arguments(const std::vector<Word>& words, const CommandOptions& options, SmtpCommand& cmd) {
    const std::size_t argc = words.size();
    switch (cmd.verb) {
    case SmtpVerb::Ehlo:
    case SmtpVerb::Helo:
        if (argc < 2)
            return reply(cmd.verb == SmtpVerb::Ehlo ? "501 Syntax: EHLO hostname" : "501 Syntax: HELO hostname");
        return {};
    case SmtpVerb::Mail: return parse_envelope(words, true, options, cmd);
    case SmtpVerb::Rcpt: return parse_envelope(words, false, options, cmd);
    case SmtpVerb::Data: return argc == 1 ? Status{} : reply("501 5.5.4 Syntax: DATA");
    case SmtpVerb::Rset: return argc == 1 ? Status{} : reply("501 5.5.4 Syntax: RSET");
    case SmtpVerb::Starttls: return argc == 1 ? Status{} : reply("501 5.5.4 Syntax: STARTTLS");
    case SmtpVerb::Bdat: return parse_bdat(words, cmd);
    case SmtpVerb::Vrfy: return parse_vrfy(words, options, cmd);
    case SmtpVerb::Auth:
        if (argc < 2 || argc > 3) return reply("501 5.5.4 Syntax: AUTH mechanism");
        cmd.auth_mechanism = words[1].text;
        if (argc == 3) cmd.auth_initial_response = words[2].text;
        return {};
    case SmtpVerb::Noop:
    case SmtpVerb::Quit:
    case SmtpVerb::Expn:
    case SmtpVerb::Help:
    case SmtpVerb::Unknown: return {};
    }
    return {};
}

}  // namespace

Result<SmtpCommand> parse_smtp_command(std::string_view line, const CommandOptions& options) {
    // Postfix would cut the line at a NUL (C strings); we refuse it, so what
    // we log and check is all the client sent.
    if (line.find('\0') != std::string_view::npos) return reply("500 5.5.2 Error: bad syntax");
    if (options.smtputf8_enable && has_8bit(line) && !is_valid_utf8(line))
        return reply("500 5.5.2 Error: bad UTF-8 syntax");
    std::vector<Word> words = split_words(line);
    if (words.empty()) return reply("500 5.5.2 Error: bad syntax");
    SmtpCommand cmd;
    cmd.name = words[0].text;
    cmd.verb = find_verb(cmd.name);
    cmd.argument = join_words(words, 1, words.size());
    Status parsed = parse_arguments(words, options, cmd);
    if (!parsed) return tl::unexpected(std::move(parsed.error()));
    return cmd;
}

std::string_view verb_name(SmtpVerb verb) noexcept {
    for (const VerbEntry& entry : kVerbs)
        if (entry.verb == verb) return entry.name;
    return "UNKNOWN";
}

}  // namespace tern
