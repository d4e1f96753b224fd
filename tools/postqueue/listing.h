// tools/postqueue/listing.h - get the queue listing from showq, or from the queue itself
//
// SYNOPSIS
//     int status = postqueue::show_queue(cfg, postqueue::Output::Text, stdout);   // -p
//     int status = postqueue::show_queue(cfg, postqueue::Output::Json, stdout);   // -j
// DESCRIPTION
//     As Postfix's postqueue: connect to public/showq and print what it
//     sends, message by message (format.h), so memory does not grow with
//     the queue. When showq cannot be reached, root reads the queue
//     directly (tern::QueueScanner) after the warning "Mail system is
//     down -- accessing queue directly (...)"; anyone else gets "Queue
//     report unavailable - mail system is down" (EX_UNAVAILABLE); and a
//     refused permission is EX_SOFTWARE, never "down".
// LIMITS
//     Every read from showq must complete within ipc_timeout; records are
//     decoded with AttrLimits and checked by tern::ListingAssembler.
// ERRORS
//     A malformed or truncated showq answer is fatal: "malformed showq
//     server response" (EX_SOFTWARE), as Postfix.
#pragma once

#include <cstdio>

#include "lib/mail/config.h"

namespace postqueue {

enum class Output { Text, Json };

[[nodiscard]] int show_queue(const tern::Config& cfg, Output output, std::FILE* out);

}  // namespace postqueue
