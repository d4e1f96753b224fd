// lib/mail/queue_render.cpp - a queue file as postcat-style text (see queue_render.h)
#include "lib/mail/queue_render.h"

#include <array>
#include <cinttypes>
#include <cstdio>

namespace tern {
namespace {

constexpr std::size_t kReadBytes = 64 * 1024;

// Splits content into header and body and turns CRLF into LF, across
// chunk boundaries.
class ContentPrinter {
public:
    explicit ContentPrinter(const RenderOptions& options) : options_(options) {}
    void feed(std::string_view bytes, std::string& out) {
        for (const char c : bytes) feed_byte(c, out);
    }
    void finish(std::string& out) {
        if (pending_cr_) ordinary('\r', out);
        pending_cr_ = false;
        if (!at_line_start_) end_line(out);
    }

private:
    void feed_byte(char c, std::string& out) {
        if (pending_cr_) {
            pending_cr_ = false;
            if (c == '\n') return end_line(out);
            ordinary('\r', out);
        }
        if (c == '\r') {
            pending_cr_ = true;
            return;
        }
        if (c == '\n') return end_line(out);
        ordinary(c, out);
    }
    void ordinary(char c, std::string& out) {
        at_line_start_ = false;
        if (printing()) out.push_back(c);
    }
    void end_line(std::string& out) {
        if (in_header_ && at_line_start_) in_header_ = false;  // the empty line starts the body
        if (printing()) out.push_back('\n');
        at_line_start_ = true;
    }
    [[nodiscard]] bool printing() const { return in_header_ ? options_.header : options_.body; }

    const RenderOptions& options_;
    bool in_header_ = true;
    bool at_line_start_ = true;
    bool pending_cr_ = false;
};

void marker(std::string& out, std::string_view what, std::string_view path) {
    out.append("*** ").append(what).append(" ").append(path).append(" ***\n");
}

void line(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).push_back('\n');
}

void render_recipient(std::string& out, const QueueRecipient& recipient) {
    if (!recipient.orcpt.empty()) line(out, "dsn_original_recipient", recipient.orcpt);
    if (recipient.notify != 0) line(out, "dsn_notify_flags", std::to_string(recipient.notify));
    line(out, recipient.status == RecipientStatus::Done ? "done_recipient" : "recipient", recipient.address);
}

// Recipients that cleanup added after the content show in the extracted
// section, as Postfix's do.
bool after_content(const QueueFile& file, const QueueRecipient& recipient) {
    return !file.content.empty() && recipient.status_offset > file.content.front().offset;
}

void render_envelope(std::string& out, const QueueFile& file) {
    std::array<char, 80> size_line{};
    std::snprintf(size_line.data(), size_line.size(), "%15" PRIu64 " %15" PRIu64 " %15zu", file.content_size,
                  file.content.empty() ? std::uint64_t{0} : file.content.front().offset, file.recipients.size());
    line(out, "message_size", size_line.data());
    line(out, "message_arrival_time", asctime_text(file.arrival.tv_sec));
    line(out, "sender", file.sender);
    if (!file.envid.empty()) line(out, "dsn_envelope_id", file.envid);
    if (file.ret != DsnRet::None) line(out, "dsn_return_flags", file.ret == DsnRet::Full ? "1" : "2");
    for (const QueueAttribute& attribute : file.attributes)
        line(out, "named_attribute", attribute.name + "=" + attribute.value);
    for (const QueueRecipient& recipient : file.recipients)
        if (!after_content(file, recipient)) render_recipient(out, recipient);
    line(out, "next_attempt_time",
         file.schedule.next_attempt_s == 0 ? std::string("now") : asctime_text(file.schedule.next_attempt_s));
    line(out, "delivery_attempts", std::to_string(file.schedule.attempts));
    if (file.warning_offset != 0)
        line(out, "delay_warning_sent",
             file.warning_sent_s == 0 ? std::string("not yet") : asctime_text(file.warning_sent_s));
}

void render_extracted(std::string& out, const QueueFile& file) {
    for (const QueueRecipient& recipient : file.recipients)
        if (after_content(file, recipient)) render_recipient(out, recipient);
}

// The whole rendering, with `read_content` feeding the content in pieces.
template <class ReadContent>
Status render(const QueueFile& file, std::string_view path, const RenderSink& sink, const RenderOptions& options,
              ReadContent&& read_content) {
    std::string out;
    if (options.envelope) {
        marker(out, "ENVELOPE RECORDS", path);
        render_envelope(out, file);
        marker(out, "MESSAGE CONTENTS", path);
    }
    if (options.header || options.body) {
        ContentPrinter printer(options);
        auto fed = read_content([&](std::string_view piece) -> Status {
            printer.feed(piece, out);
            if (out.size() < kReadBytes) return {};
            auto sent = sink(out);
            out.clear();
            return sent;
        });
        if (!fed) return fed;
        printer.finish(out);
    }
    if (options.envelope) {
        marker(out, "HEADER EXTRACTED", path);
        render_extracted(out, file);
        marker(out, "MESSAGE FILE END", path);
    }
    return out.empty() ? Status{} : sink(out);
}

}  // namespace

std::string asctime_text(std::time_t when) {
    static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::tm parts{};
    if (localtime_r(&when, &parts) == nullptr) return std::to_string(when);
    std::array<char, 64> text{};
    std::snprintf(text.data(), text.size(), "%.3s %.3s%3d %.2d:%.2d:%.2d %d",
                  kDays[static_cast<std::size_t>(parts.tm_wday % 7)],
                  kMonths[static_cast<std::size_t>(parts.tm_mon % 12)], parts.tm_mday, parts.tm_hour, parts.tm_min,
                  parts.tm_sec, 1900 + parts.tm_year);
    return text.data();
}

Status render_queue_file(int fd, const QueueFile& file, std::string_view path, const RenderSink& sink,
                         const RenderOptions& options) {
    return render(file, path, sink, options, [&](const auto& feed) -> Status {
        ContentReader reader(fd, file, path);
        std::string buffer(kReadBytes, '\0');
        while (true) {
            auto got = reader.read(std::span<char>(buffer.data(), buffer.size()));
            if (!got) return tl::unexpected(got.error());
            if (*got == 0) return {};
            if (auto ok = feed(std::string_view(buffer.data(), *got)); !ok) return ok;
        }
    });
}

std::string render_queue_file(std::string_view bytes, const QueueFile& file, std::string_view path,
                              const RenderOptions& options) {
    std::string text;
    const RenderSink sink = [&](std::string_view piece) -> Status {
        text.append(piece);
        return {};
    };
    const Status ok = render(file, path, sink, options, [&](const auto& feed) -> Status {
        for (const ContentChunk& chunk : file.content)
            if (auto fed = feed(bytes.substr(static_cast<std::size_t>(chunk.offset), chunk.length)); !fed) return fed;
        return {};
    });
    (void)ok;  // the sink above cannot fail
    return text;
}

}  // namespace tern
