// tests/fuzz/fuzz_queue_file.cpp - libFuzzer target for the queue file reader (lib/mail/queue_file)
//
// SYNOPSIS
//     fuzz_queue_file [libFuzzer options] CORPUS_DIR... (seeds: tests/fuzz/corpus/queue_file)
// DESCRIPTION
//     The input is a queue file. parse_queue_file must refuse it or return
//     a QueueFile whose offsets all point into the input at the records
//     they name; read_queue_file on a descriptor holding the same bytes
//     must agree; rendering must not fail; and writing the parsed file
//     again with QueueFileWriter must give a file that parses to the same
//     envelope and content.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/base/fd.h"
#include "lib/mail/queue_file.h"
#include "lib/mail/queue_file_writer.h"
#include "lib/mail/queue_render.h"

namespace {

// Small limits so the fuzzer reaches every limit check quickly.
const tern::QueueFileLimits kLimits{.max_file_bytes = 1 << 20,
                                    .max_envelope_record_bytes = 256,
                                    .max_content_chunk_bytes = 4096,
                                    .max_recipients = 16,
                                    .max_attributes = 8};

void check(bool ok) {
    if (!ok) std::abort();
}

tern::Fd memory_file(std::string_view bytes) {
    tern::Fd fd{::memfd_create("queue", MFD_CLOEXEC)};
    check(fd.valid());
    check(::write(fd.get(), bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    return fd;
}

void check_offsets(std::string_view bytes, const tern::QueueFile& file) {
    check(file.file_size == bytes.size());
    std::uint64_t total = 0;
    for (const tern::ContentChunk& chunk : file.content) {
        check(chunk.offset >= tern::kRecordHeaderBytes && chunk.offset + chunk.length <= bytes.size());
        check(bytes[chunk.offset - tern::kRecordHeaderBytes] == 'C');
        total += chunk.length;
    }
    check(total == file.content_size);
    for (const tern::QueueRecipient& recipient : file.recipients)
        check(recipient.status_offset + 6 <= bytes.size() && bytes[recipient.status_offset] == 'S');
    check(file.schedule_offset + 24 <= bytes.size() && bytes[file.schedule_offset] == 'Q');
    check(!file.recipients.empty() && file.recipients.size() <= kLimits.max_recipients);
}

bool same_envelope(const tern::QueueFile& a, const tern::QueueFile& b) {
    if (a.sender != b.sender || a.envid != b.envid || a.ret != b.ret || a.attributes != b.attributes) return false;
    if (a.arrival.tv_sec != b.arrival.tv_sec || a.arrival.tv_usec != b.arrival.tv_usec) return false;
    if (!(a.schedule == b.schedule) || a.recipients.size() != b.recipients.size()) return false;
    for (std::size_t i = 0; i < a.recipients.size(); ++i) {
        const auto& x = a.recipients[i];
        const auto& y = b.recipients[i];
        if (x.address != y.address || x.orcpt != y.orcpt || x.notify != y.notify || x.status != y.status)
            return false;
    }
    return true;
}

void check_rewrite(std::string_view bytes, const tern::QueueFile& file) {
    tern::QueueFileWriter writer(tern::Fd{::memfd_create("again", MFD_CLOEXEC)}, "again");
    check(bool(writer.add_arrival(file.arrival)) && bool(writer.add_sender(file.sender)));
    if (!file.envid.empty()) check(bool(writer.add_envid(file.envid)));
    check(bool(writer.add_ret(file.ret)) && bool(writer.add_schedule(file.schedule)));
    for (const auto& attribute : file.attributes) check(bool(writer.add_attribute(attribute.name, attribute.value)));
    for (const auto& r : file.recipients)
        check(bool(writer.add_recipient({.address = r.address, .orcpt = r.orcpt, .notify = r.notify, .status = r.status})));
    const std::string content = tern::content_from_bytes(bytes, file);
    check(bool(writer.add_content(content)) && bool(writer.finish()));
    auto again = tern::read_queue_file(writer.fd(), "again");
    check(again.has_value() && same_envelope(file, *again));
    tern::ContentReader reader(writer.fd(), *again);
    auto content_again = reader.read_all(content.size());
    check(content_again.has_value() && *content_again == content);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto parsed = tern::parse_queue_file(bytes, kLimits);
    tern::Fd fd = memory_file(bytes);
    auto read = tern::read_queue_file(fd.get(), "fuzz", kLimits);
    check(parsed.has_value() == read.has_value());
    if (!parsed) {
        check(parsed.error().retry == tern::Retry::Permanent && read.error().retry == tern::Retry::Permanent);
        return 0;
    }
    check_offsets(bytes, *parsed);
    check(same_envelope(*parsed, *read) && parsed->content_size == read->content_size);
    check(!tern::render_queue_file(bytes, *parsed, "fuzz").empty());
    check_rewrite(bytes, *parsed);
    return 0;
}
