// lib/mail/attr.h - attribute lists: the message format of tern's internal IPC
//
// SYNOPSIS
//     AttrList request;
//     request.add("request", "flush").add_int("flags", 3);
//     std::string wire = encode(request);       // or encode(request, out) to append
//
//     AttrDecoder decoder(AttrLimits{.max_value_bytes = 64 * 1024});
//     while (!input.empty()) {                  // bytes as libevent delivers them
//         Result<std::size_t> used = decoder.feed(input);
//         if (!used) { log_warning(...); close the socket; }
//         input.remove_prefix(*used);
//         if (std::optional<AttrList> message = decoder.take_message()) handle(*message);
//     }
//
//     Status sent = write_attr_message(fd, request, 5000);
//     Result<AttrList> reply = read_attr_message(fd, AttrLimits{}, 5000);
//     Result<std::string_view> id = reply->require("queue_id");
//     Result<long long> status = reply->get_int("status");
//     Status known = reply->allow_only({"queue_id", "status", "reason"});
// DESCRIPTION
//     Every tern daemon talks to another over a UNIX stream socket in
//     messages that are ordered lists of (name, value) attributes. Names
//     are 1..kMaxAttrNameBytes characters of [a-z0-9_] and unique within a
//     message; values are any bytes (NUL and 8-bit included).
//
//     Wire format, version 1 (integers unsigned, big-endian):
//         magic       4 bytes   "TRNA"
//         version     1 byte    1
//         count       4 bytes   number of attributes
//         count times:
//           name_len  1 byte    1..max_name_bytes
//           name      name_len bytes
//           value_len 4 bytes   0..max_value_bytes
//           value     value_len bytes
//         end         1 byte    '\n'
//     Fixed-width lengths keep every limit checkable from a few bytes, so a
//     length is refused before anything is allocated for it. The count up
//     front lets a receiver refuse a too-long list at once; the end marker
//     catches a sender and receiver that disagree about the format.
//     Encoding is canonical: one list has exactly one encoding.
//
//     AttrDecoder is a pure incremental parser: feed() takes bytes as they
//     arrive, consumes them up to the end of at most one message and
//     returns how many it consumed; take_message() hands out the finished
//     message, after which feed() continues with the next. While a finished
//     message waits to be taken, feed() consumes nothing. want() says how
//     many bytes the decoder can take without reading past the current
//     message, so blocking readers never read into the next one.
//
//     write_attr_message and read_attr_message are blocking helpers for
//     commands and simple clients; read_attr_message reads exactly to the
//     end of one message. timeout_ms bounds the whole call (negative: no
//     limit).
// LIMITS
//     AttrLimits caps attributes per message, name length, value length
//     and message size; memory held by a decoder never exceeds about
//     max_message_bytes, whatever the input. Queue file contents travel
//     in a sequence of messages, not in one value.
// ERRORS
//     Any violation (bad magic, other version, bad or duplicate name, a
//     length over its limit, a missing end marker) is a Retry::Permanent
//     Error; the decoder then stays failed and the caller logs and closes
//     the socket. Timeouts and a peer that closes early (at all, or "peer
//     closed mid-message") are Retry::Temporary.
//     AttrList::add with an invalid or duplicate name is our bug: it panics.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace tern {

inline constexpr std::string_view kAttrMagic = "TRNA";
inline constexpr unsigned char kAttrVersion = 1;
inline constexpr unsigned char kAttrEndMarker = '\n';
inline constexpr std::size_t kMaxAttrNameBytes = 100;

struct AttrLimits {
    std::size_t max_attributes = 1024;
    std::size_t max_name_bytes = kMaxAttrNameBytes;  // at most 255 (one length byte)
    std::size_t max_value_bytes = 1024 * 1024;
    std::size_t max_message_bytes = 4 * 1024 * 1024;  // everything, header included
};

// True for 1..kMaxAttrNameBytes characters of [a-z0-9_].
[[nodiscard]] bool is_valid_attr_name(std::string_view name) noexcept;

struct Attr {
    std::string name;
    std::string value;
    bool operator==(const Attr&) const = default;
};

class AttrList {
public:
    using const_iterator = std::vector<Attr>::const_iterator;

    // Appends one attribute. The name must be valid and new (panics if not).
    AttrList& add(std::string_view name, std::string_view value);
    AttrList& add_int(std::string_view name, long long value);

    [[nodiscard]] std::optional<std::string_view> get(std::string_view name) const noexcept;
    // The value, or an Error "missing attribute \"NAME\"".
    [[nodiscard]] Result<std::string_view> require(std::string_view name) const;
    // A whole decimal number, or an Error naming the attribute.
    [[nodiscard]] Result<long long> get_int(std::string_view name) const;
    [[nodiscard]] bool contains(std::string_view name) const noexcept { return get(name).has_value(); }
    // Refuses the first attribute whose name is not in `allowed`.
    [[nodiscard]] Status allow_only(std::initializer_list<std::string_view> allowed) const;

    [[nodiscard]] std::size_t size() const noexcept { return attrs_.size(); }
    [[nodiscard]] bool empty() const noexcept { return attrs_.empty(); }
    [[nodiscard]] const_iterator begin() const noexcept { return attrs_.begin(); }
    [[nodiscard]] const_iterator end() const noexcept { return attrs_.end(); }
    bool operator==(const AttrList&) const = default;

private:
    friend class AttrDecoder;
    std::vector<Attr> attrs_;
};

// Appends the encoding of `list` to `out`.
void encode(const AttrList& list, std::string& out);
[[nodiscard]] std::string encode(const AttrList& list);

class AttrDecoder {
public:
    explicit AttrDecoder(const AttrLimits& limits = {}) noexcept;

    // Consumes bytes from the front of `input` up to the end of at most one
    // message; 0 while a finished message waits in take_message().
    [[nodiscard]] Result<std::size_t> feed(std::string_view input);
    // The finished message, once; nullopt while none is complete.
    [[nodiscard]] std::optional<AttrList> take_message();

    // Bytes the decoder can take without reading past the current message
    // (0 when failed or a message waits to be taken).
    [[nodiscard]] std::size_t want() const noexcept;
    // True when part of a message has been consumed but not all of it.
    [[nodiscard]] bool mid_message() const noexcept;
    [[nodiscard]] bool failed() const noexcept { return stage_ == Stage::Failed; }

private:
    enum class Stage { Header, Count, NameLength, Name, ValueLength, Value, End, Ready, Failed };

    [[nodiscard]] std::size_t stage_bytes(Stage stage) const noexcept;
    [[nodiscard]] Result<std::size_t> consume(std::string_view input);
    [[nodiscard]] Status consume_name(std::string_view bytes);
    [[nodiscard]] Status finish_fixed_field();
    [[nodiscard]] Status finish_header();
    [[nodiscard]] Status finish_count();
    [[nodiscard]] Status finish_name_length();
    [[nodiscard]] Status finish_name();
    [[nodiscard]] Status finish_value_length();
    [[nodiscard]] Status finish_attribute();
    [[nodiscard]] Status enter(Stage stage);
    tl::unexpected<Error> refuse(std::string reason);

    AttrLimits limits_;
    Stage stage_ = Stage::Header;
    std::string fixed_;           // the fixed-width field being read (<= 5 bytes)
    std::size_t count_ = 0;       // attributes announced
    std::size_t name_bytes_ = 0;  // current name's announced length
    std::size_t value_bytes_ = 0; // current value's announced length
    std::size_t message_bytes_ = 0;
    std::string name_;
    std::string value_;
    AttrList message_;
    Error error_;
};

[[nodiscard]] Status write_attr_message(int fd, const AttrList& list, int timeout_ms);
[[nodiscard]] Result<AttrList> read_attr_message(int fd, const AttrLimits& limits, int timeout_ms);

}  // namespace tern
