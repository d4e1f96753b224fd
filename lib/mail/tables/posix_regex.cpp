// lib/mail/tables/posix_regex.cpp - own one compiled POSIX regular expression
#include "lib/mail/tables/posix_regex.h"

#include <array>
#include <optional>

#include "lib/mail/tables/regex_cost.h"

namespace tern {

namespace {

std::string regex_error_text(int code, const regex_t* compiled) {
    std::array<char, 256> text{};
    ::regerror(code, compiled, text.data(), text.size());
    return text.data();
}

}  // namespace

Result<PosixRegex> PosixRegex::compile(const std::string& pattern, int flags) {
    if (const std::optional<std::string> why = regex_cost_problem(pattern, (flags & REG_EXTENDED) != 0))
        return fail(Retry::Permanent, "regular expression too complex: " + *why);
    auto compiled = std::make_unique<regex_t>();
    if (const int code = ::regcomp(compiled.get(), pattern.c_str(), flags); code != 0)
        return fail(Retry::Permanent, regex_error_text(code, compiled.get()));  // nothing to regfree
    return PosixRegex(std::move(compiled));
}

Result<bool> PosixRegex::match(const char* subject, std::span<regmatch_t> pmatch) const {
    const int code = ::regexec(compiled_.get(), subject, pmatch.size(), pmatch.empty() ? nullptr : pmatch.data(), 0);
    if (code == 0) return true;
    if (code == REG_NOMATCH) return false;
    return fail(Retry::Temporary, regex_error_text(code, compiled_.get()));
}

}  // namespace tern
