// tests/fuzz/fuzz_delivery_request.cpp - libFuzzer target for delivery requests, replies and delivery logs
//
// SYNOPSIS
//     fuzz_delivery_request [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/delivery_request)
// DESCRIPTION
//     Input: byte 0 picks the parser (mod 3), byte 1 is the recipient
//     count a reply must match; the rest is
//       0: an attr message decoded with kDeliveryAttrLimits, then
//          decode_delivery_request;
//       1: the same, then decode_delivery_reply;
//       2: the bytes of a defer/ID log, read with read_delivery_log.
//     Whatever decodes must encode and decode again to the same value
//     (requests: to the same attributes). The log reader must accept any
//     bytes in a regular file (damaged records are skipped), and its
//     records must append and read back unchanged.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "lib/base/log.h"
#include "lib/mail/attr.h"
#include "lib/mail/delivery_log.h"
#include "lib/mail/delivery_protocol.h"

namespace {

constexpr std::string_view kQueueId = "1xVjby00001";

void check(bool ok) {
    if (!ok) std::abort();
}

std::optional<tern::AttrList> decode_message(std::string_view wire) {
    tern::AttrDecoder decoder(tern::kDeliveryAttrLimits);
    tern::Result<std::size_t> used = decoder.feed(wire);
    if (!used) return std::nullopt;
    return decoder.take_message();
}

void fuzz_request(std::string_view wire) {
    std::optional<tern::AttrList> message = decode_message(wire);
    if (!message) return;
    tern::Result<tern::DeliveryRequest> request = tern::decode_delivery_request(*message);
    if (!request) return;
    const tern::AttrList again = tern::encode_delivery_request(*request);
    tern::Result<tern::DeliveryRequest> back = tern::decode_delivery_request(again);
    check(back.has_value());
    check(tern::encode_delivery_request(*back) == again);
    check(back->recipients == request->recipients);
}

void fuzz_reply(std::string_view wire, std::size_t count) {
    std::optional<tern::AttrList> message = decode_message(wire);
    if (!message) return;
    tern::Result<tern::DeliveryReply> reply = tern::decode_delivery_reply(*message, count);
    if (!reply) return;
    tern::Result<tern::DeliveryReply> back = tern::decode_delivery_reply(tern::encode_delivery_reply(*reply), count);
    check(back.has_value() && *back == *reply);
}

// A queue directory with defer/ and bounce/, removed at exit.
struct FuzzQueue {
    std::filesystem::path path;
    FuzzQueue() {
        // tmpfs when there is one: rewriting a file on ext4 flushes it (auto_da_alloc).
        const std::filesystem::path base =
            std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
        std::string pattern = (base / "fuzz-delivery-XXXXXX").string();
        check(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
        std::filesystem::create_directory(path / "defer");
        std::filesystem::create_directory(path / "bounce");
        tern::log_use_stderr(false);  // skipped-record warnings would flood the output
    }
    ~FuzzQueue() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

const std::filesystem::path& queue_directory() {
    static const FuzzQueue queue;
    return queue.path;
}

void fuzz_log(std::string_view bytes) {
    const std::string queue = queue_directory().string();
    {
        std::ofstream out(tern::delivery_log_path(queue, tern::DeliveryLog::Defer, kQueueId),
                          std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    tern::Result<std::vector<tern::DeliveryRecord>> records =
        tern::read_delivery_log(queue, tern::DeliveryLog::Defer, kQueueId);
    check(records.has_value());
    check(records->size() <= bytes.size() / 10 + 1);
    (void)tern::newest_per_recipient(*records);
    check(tern::remove_delivery_log(queue, tern::DeliveryLog::Bounce, kQueueId).has_value());
    if (records->empty()) return;
    check(tern::append_delivery_records(queue, tern::DeliveryLog::Bounce, kQueueId, *records, false).has_value());
    tern::Result<std::vector<tern::DeliveryRecord>> back =
        tern::read_delivery_log(queue, tern::DeliveryLog::Bounce, kQueueId);
    check(back.has_value() && *back == *records);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size < 2) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(bytes + 2), size - 2);
    switch (bytes[0] % 3) {
    case 0: fuzz_request(rest); break;
    case 1: fuzz_reply(rest, bytes[1] % 8); break;
    default: fuzz_log(rest); break;
    }
    return 0;
}
