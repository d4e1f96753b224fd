// lib/mail/tables/posix_regex.h - own one compiled POSIX regular expression
//
// SYNOPSIS
//     tern::Result<tern::PosixRegex> re = tern::PosixRegex::compile("^(.*)@example\\.com$", REG_EXTENDED | REG_ICASE);
//     tern::Result<bool> hit = re->match(subject_cstr, pmatch);   // pmatch may be empty
// DESCRIPTION
//     regcomp(3)/regexec(3) from the C library, never std::regex: the
//     libstdc++ engine recurses per input character, so a long key from
//     the network could exhaust the stack. The regex_t lives on the heap
//     so the object can move; regfree() runs in the destructor.
// LIMITS
//     compile() first refuses patterns that glibc's regcomp would take
//     minutes or gigabytes to compile (regex_cost.h). glibc's regexec is
//     not linear either: "(.+)+x" or many capturing "(.*)" take seconds
//     on a 100 KB subject. Postfix shares this; keep the keys handed to
//     regexp tables as short as the job allows.
// ERRORS
//     compile: a Permanent Error whose text is regerror()'s message, or
//     "regular expression too complex: REASON" for the limits above.
//     match: a Temporary Error when regexec fails for lack of memory.
#pragma once

#include <regex.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace tern {

class PosixRegex {
public:
    PosixRegex(PosixRegex&&) noexcept = default;
    PosixRegex& operator=(PosixRegex&& other) noexcept {
        reset();
        compiled_ = std::move(other.compiled_);
        return *this;
    }
    PosixRegex(const PosixRegex&) = delete;
    PosixRegex& operator=(const PosixRegex&) = delete;
    ~PosixRegex() { reset(); }

    [[nodiscard]] static Result<PosixRegex> compile(const std::string& pattern, int flags);
    // true on a match; pmatch receives up to pmatch.size() subexpressions.
    [[nodiscard]] Result<bool> match(const char* subject, std::span<regmatch_t> pmatch) const;
    // Number of parenthesized subexpressions.
    [[nodiscard]] std::size_t subexpressions() const noexcept { return compiled_->re_nsub; }

private:
    explicit PosixRegex(std::unique_ptr<regex_t> compiled) noexcept : compiled_(std::move(compiled)) {}
    void reset() noexcept {
        if (compiled_) ::regfree(compiled_.get());
        compiled_.reset();
    }

    std::unique_ptr<regex_t> compiled_;
};

}  // namespace tern
