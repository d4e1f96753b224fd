// lib/mail/attr.cpp - attribute lists: encoding, incremental decoding,
// blocking message I/O (contract and wire format in attr.h)
#include "lib/mail/attr.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/base/unix_socket.h"

namespace tern {

namespace {

constexpr std::size_t kHeaderBytes = kAttrMagic.size() + 1;
constexpr std::size_t kLengthBytes = 4;
// The smallest attribute on the wire: name length, one name byte, value length.
constexpr std::size_t kMinAttrBytes = 1 + 1 + kLengthBytes;
// The wire holds a name length in one byte.
constexpr std::size_t kWireMaxNameBytes = 255;
// How much read_attr_message asks read() for at once.
constexpr std::size_t kReadChunkBytes = 16 * 1024;

constexpr bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

void put_u32(std::string& out, std::size_t value) {
    TERN_ASSERT(value <= std::numeric_limits<std::uint32_t>::max());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::size_t get_u32(std::string_view bytes) noexcept {
    std::size_t value = 0;
    for (std::size_t i = 0; i < kLengthBytes; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
    return value;
}

std::string quoted(std::string_view name) {
    return "\"" + printable(name, kWireMaxNameBytes) + "\"";
}

}  // namespace

bool is_valid_attr_name(std::string_view name) noexcept {
    return !name.empty() && name.size() <= kMaxAttrNameBytes && std::all_of(name.begin(), name.end(), is_name_char);
}

// ---- AttrList

AttrList& AttrList::add(std::string_view name, std::string_view value) {
    if (!is_valid_attr_name(name)) TERN_PANIC("bad attribute name %s", quoted(name).c_str());
    if (contains(name)) TERN_PANIC("duplicate attribute name %s", quoted(name).c_str());
    attrs_.push_back(Attr{std::string(name), std::string(value)});
    return *this;
}

AttrList& AttrList::add_int(std::string_view name, long long value) {
    return add(name, std::to_string(value));
}

std::optional<std::string_view> AttrList::get(std::string_view name) const noexcept {
    for (const Attr& attr : attrs_)
        if (attr.name == name) return std::string_view(attr.value);
    return std::nullopt;
}

Result<std::string_view> AttrList::require(std::string_view name) const {
    if (auto value = get(name)) return *value;
    return fail(Retry::Permanent, "missing attribute " + quoted(name));
}

Result<long long> AttrList::get_int(std::string_view name) const {
    auto value = require(name);
    if (!value) return tl::unexpected(value.error());
    if (auto number = parse_integer(*value)) return *number;
    return fail(Retry::Permanent, "attribute " + quoted(name) + ": not a whole number: " + quoted(*value));
}

Status AttrList::allow_only(std::initializer_list<std::string_view> allowed) const {
    for (const Attr& attr : attrs_)
        if (std::find(allowed.begin(), allowed.end(), attr.name) == allowed.end())
            return fail(Retry::Permanent, "unexpected attribute " + quoted(attr.name));
    return {};
}

// ---- encoding

void encode(const AttrList& list, std::string& out) {
    out.append(kAttrMagic);
    out.push_back(static_cast<char>(kAttrVersion));
    put_u32(out, list.size());
    for (const Attr& attr : list) {
        out.push_back(static_cast<char>(attr.name.size()));
        out.append(attr.name);
        put_u32(out, attr.value.size());
        out.append(attr.value);
    }
    out.push_back(static_cast<char>(kAttrEndMarker));
}

std::string encode(const AttrList& list) {
    std::string out;
    encode(list, out);
    return out;
}

// ---- decoding

AttrDecoder::AttrDecoder(const AttrLimits& limits) noexcept : limits_(limits) {
    limits_.max_name_bytes = std::min(limits_.max_name_bytes, kWireMaxNameBytes);
}

Result<std::size_t> AttrDecoder::feed(std::string_view input) {
    if (stage_ == Stage::Failed) return tl::unexpected(error_);
    std::size_t used = 0;
    while (used < input.size() && stage_ != Stage::Ready) {
        auto step = consume(input.substr(used));
        if (!step) return tl::unexpected(step.error());
        used += *step;
    }
    return used;
}

std::optional<AttrList> AttrDecoder::take_message() {
    if (stage_ != Stage::Ready) return std::nullopt;
    AttrList message = std::move(message_);
    message_ = AttrList{};
    message_bytes_ = 0;
    stage_ = Stage::Header;
    return message;
}

std::size_t AttrDecoder::want() const noexcept {
    switch (stage_) {
    case Stage::Header:
    case Stage::Count:
    case Stage::NameLength:
    case Stage::ValueLength:
    case Stage::End:
        return stage_bytes(stage_) - fixed_.size();
    case Stage::Name:
        return name_bytes_ - name_.size();
    case Stage::Value:
        return value_bytes_ - value_.size();
    case Stage::Ready:
    case Stage::Failed:
        return 0;
    }
    return 0;
}

bool AttrDecoder::mid_message() const noexcept {
    return message_bytes_ > 0 && stage_ != Stage::Ready && stage_ != Stage::Failed;
}

std::size_t AttrDecoder::stage_bytes(Stage stage) const noexcept {
    switch (stage) {
    case Stage::Header:
        return kHeaderBytes;
    case Stage::Count:
    case Stage::ValueLength:
        return kLengthBytes;
    case Stage::NameLength:
    case Stage::End:
        return 1;
    case Stage::Name:
        return name_bytes_;
    case Stage::Value:
        return value_bytes_;
    case Stage::Ready:
    case Stage::Failed:
        return 0;
    }
    return 0;
}

Result<std::size_t> AttrDecoder::consume(std::string_view input) {
    const std::size_t take = std::min(want(), input.size());
    const std::string_view bytes = input.substr(0, take);
    message_bytes_ += take;
    switch (stage_) {
    case Stage::Name:
        if (auto ok = consume_name(bytes); !ok) return tl::unexpected(ok.error());
        return take;
    case Stage::Value:
        value_.append(bytes);
        if (value_.size() == value_bytes_)
            if (auto ok = finish_attribute(); !ok) return tl::unexpected(ok.error());
        return take;
    case Stage::Header:
    case Stage::Count:
    case Stage::NameLength:
    case Stage::ValueLength:
    case Stage::End:
        fixed_.append(bytes);
        if (fixed_.size() == stage_bytes(stage_))
            if (auto ok = finish_fixed_field(); !ok) return tl::unexpected(ok.error());
        return take;
    case Stage::Ready:
    case Stage::Failed:
        break;
    }
    TERN_PANIC("AttrDecoder::consume in a final stage");
}

// Checks name characters as they arrive, so garbage fails at its first byte.
Status AttrDecoder::consume_name(std::string_view bytes) {
    if (!std::all_of(bytes.begin(), bytes.end(), is_name_char))
        return refuse("bad character in attribute name " + quoted(std::string(name_).append(bytes)));
    name_.append(bytes);
    if (name_.size() == name_bytes_) return finish_name();
    return {};
}

Status AttrDecoder::finish_fixed_field() {
    // The finish_* helpers read fixed_; enter() clears it for the next field.
    Status result;
    switch (stage_) {
    case Stage::Header:
        result = finish_header();
        break;
    case Stage::Count:
        result = finish_count();
        break;
    case Stage::NameLength:
        result = finish_name_length();
        break;
    case Stage::ValueLength:
        result = finish_value_length();
        break;
    case Stage::End:
        if (static_cast<unsigned char>(fixed_[0]) != kAttrEndMarker)
            return refuse("attribute message lacks its end marker");
        fixed_.clear();  // Ready needs no room: the message is complete
        stage_ = Stage::Ready;
        return {};
    case Stage::Name:
    case Stage::Value:
    case Stage::Ready:
    case Stage::Failed:
        TERN_PANIC("AttrDecoder: no fixed field in this stage");
    }
    return result;
}

Status AttrDecoder::finish_header() {
    if (std::string_view(fixed_).substr(0, kAttrMagic.size()) != kAttrMagic)
        return refuse("not an attribute message (bad magic)");
    const unsigned version = static_cast<unsigned char>(fixed_[kAttrMagic.size()]);
    if (version != kAttrVersion)
        return refuse("unsupported attribute message version " + std::to_string(version) + " (expected " +
                      std::to_string(kAttrVersion) + ")");
    return enter(Stage::Count);
}

Status AttrDecoder::finish_count() {
    count_ = get_u32(fixed_);
    if (count_ > limits_.max_attributes)
        return refuse("too many attributes: " + std::to_string(count_) + " (limit " +
                      std::to_string(limits_.max_attributes) + ")");
    // Even the smallest attributes must fit: refuse a hopeless count now.
    if (message_bytes_ + count_ * kMinAttrBytes + 1 > limits_.max_message_bytes)
        return refuse(std::to_string(count_) + " attributes cannot fit in " +
                      std::to_string(limits_.max_message_bytes) + " bytes");
    return enter(count_ == 0 ? Stage::End : Stage::NameLength);
}

Status AttrDecoder::finish_name_length() {
    name_bytes_ = static_cast<unsigned char>(fixed_[0]);
    if (name_bytes_ == 0) return refuse("empty attribute name");
    if (name_bytes_ > limits_.max_name_bytes)
        return refuse("attribute name too long: " + std::to_string(name_bytes_) + " bytes (limit " +
                      std::to_string(limits_.max_name_bytes) + ")");
    return enter(Stage::Name);
}

Status AttrDecoder::finish_name() {
    if (message_.contains(name_)) return refuse("duplicate attribute " + quoted(name_));
    return enter(Stage::ValueLength);
}

Status AttrDecoder::finish_value_length() {
    value_bytes_ = get_u32(fixed_);
    if (value_bytes_ > limits_.max_value_bytes)
        return refuse("attribute " + quoted(name_) + ": value too long: " + std::to_string(value_bytes_) +
                      " bytes (limit " + std::to_string(limits_.max_value_bytes) + ")");
    if (auto ok = enter(Stage::Value); !ok) return ok;
    if (value_bytes_ == 0) return finish_attribute();
    return {};
}

Status AttrDecoder::finish_attribute() {
    message_.attrs_.push_back(Attr{std::move(name_), std::move(value_)});
    name_.clear();
    value_.clear();
    return enter(message_.size() == count_ ? Stage::End : Stage::NameLength);
}

// Moves to `stage` if its bytes fit in the message limit, and only then
// reserves room for them: memory follows the limits, never the input.
Status AttrDecoder::enter(Stage stage) {
    fixed_.clear();
    stage_ = stage;
    const std::size_t end_marker_bytes = stage == Stage::End ? 0 : 1;  // still to come
    if (message_bytes_ + stage_bytes(stage) + end_marker_bytes > limits_.max_message_bytes)
        return refuse("attribute message exceeds " + std::to_string(limits_.max_message_bytes) + " bytes");
    if (stage == Stage::Name) name_.reserve(name_bytes_);
    if (stage == Stage::Value) value_.reserve(value_bytes_);
    return {};
}

tl::unexpected<Error> AttrDecoder::refuse(std::string reason) {
    stage_ = Stage::Failed;
    error_ = Error{Retry::Permanent, std::move(reason), 0};
    // Drop what the bad message built; a failed decoder holds no input.
    message_ = AttrList{};
    name_ = std::string();
    value_ = std::string();
    fixed_.clear();
    return tl::unexpected(error_);
}

// ---- blocking I/O

Status write_attr_message(int fd, const AttrList& list, int timeout_ms) {
    if (auto sent = write_all(fd, encode(list), timeout_ms); !sent)
        return fail(sent.error().retry, "send attribute message: " + sent.error().text, sent.error().errno_value);
    return {};
}

Result<AttrList> read_attr_message(int fd, const AttrLimits& limits, int timeout_ms) {
    const Deadline deadline(timeout_ms);
    AttrDecoder decoder(limits);
    std::array<char, kReadChunkBytes> buffer;
    for (;;) {
        // Never ask for more than the message still needs: the bytes after
        // it belong to the next reader.
        const std::size_t ask = std::min(decoder.want(), buffer.size());
        auto got = read_some(fd, std::span<char>(buffer.data(), ask), deadline.remaining_ms());
        if (!got)
            return fail(got.error().retry, "receive attribute message: " + got.error().text, got.error().errno_value);
        if (*got == 0)
            return fail(Retry::Temporary, decoder.mid_message() ? "peer closed mid-message" : "peer closed connection");
        auto used = decoder.feed(std::string_view(buffer.data(), *got));
        if (!used) return tl::unexpected(used.error());
        TERN_ASSERT(*used == *got);
        if (auto message = decoder.take_message()) return std::move(*message);
    }
}

}  // namespace tern
