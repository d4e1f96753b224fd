// lib/base/result.h - Result<T>: a value or an Error that says whether to retry
//
// SYNOPSIS
//     tern::Result<Fd> open_queue_file(const std::string& path);
//     return tern::fail(Retry::Temporary, "open " + path, errno);
//     auto r = f(); if (!r) log_warning("%s", r.error().describe().c_str());
// DESCRIPTION
//     Result is tl::expected<T, Error> (Debian libexpected-dev), because
//     g++ 12 lacks std::expected; switching later changes this file only.
//     Error carries Retry::Temporary (defer, 4xx: disk full, timeout, peer
//     gone) or Retry::Permanent (bounce, 5xx: bad input, bad config), a
//     text naming the file, peer or parameter, and errno as captured right
//     after the failing call (0 when none applies).
// LIMITS
//     One Error type, two retry kinds; no error codes. Test a Result
//     before using *r: .value() throws and we do not use exceptions.
#pragma once

#include <tl/expected.hpp>

#include <string>

namespace tern {

enum class Retry { Temporary, Permanent };

struct Error {
    Retry retry = Retry::Permanent;
    std::string text;
    int errno_value = 0;

    // "text: strerror(errno)" or just the text when errno is 0.
    [[nodiscard]] std::string describe() const;
    [[nodiscard]] bool temporary() const noexcept { return retry == Retry::Temporary; }
};

template <class T>
using Result = tl::expected<T, Error>;

// For functions that return nothing but can fail.
using Status = Result<void>;

[[nodiscard]] inline tl::unexpected<Error> fail(Retry retry, std::string text, int errno_value = 0) {
    return tl::unexpected<Error>(Error{retry, std::move(text), errno_value});
}

}  // namespace tern
