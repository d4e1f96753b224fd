// tools/postqueue/listing.cpp - the queue listing from showq or the queue (see listing.h)
#include "tools/postqueue/listing.h"

#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "lib/base/log.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/attr.h"
#include "lib/mail/queue_listing.h"
#include "tools/postqueue/format.h"

namespace postqueue {

namespace {

constexpr std::string_view kShowqSocket = "public/showq";

// Prints each message as it is handed over, then the totals.
class Printer {
public:
    // tern's queue IDs are long: Postfix's enable_long_queue_ids layout.
    Printer(Output output, std::FILE* out) : output_(output), out_(out), listing_(IdLayout::Long) {}

    void print(const tern::ListedMessage& message) {
        std::string text;
        if (output_ == Output::Json) text = json_line(message);
        else listing_.add(message, text);
        write(text);
    }
    void finish() {
        if (output_ == Output::Json) return;  // -j prints nothing for an empty queue
        std::string text;
        listing_.finish(text);
        write(text);
    }

private:
    void write(const std::string& text) {
        if (std::fwrite(text.data(), 1, text.size(), out_) != text.size())
            tern::log_fatal_exit(EX_IOERR, "write standard output: %s", std::strerror(errno));
    }

    Output output_;
    std::FILE* out_;
    TextListing listing_;
};

int timeout_ms(const tern::Config& cfg) {
    const tern::Result<long long> seconds = cfg.seconds("ipc_timeout");
    if (!seconds) tern::log_fatal("%s", seconds.error().describe().c_str());
    return static_cast<int>(std::min<long long>(*seconds, INT_MAX / 1000) * 1000);
}

int read_from_showq(tern::Fd showq, int timeout, Printer& printer) {
    tern::ListingAssembler assembler;
    tern::AttrLimits limits;
    limits.max_attributes = 16;
    while (!assembler.done()) {
        tern::Result<tern::AttrList> record = tern::read_attr_message(showq.get(), limits, timeout);
        if (!record) tern::log_fatal_exit(EX_SOFTWARE, "malformed showq server response");
        tern::Result<std::optional<tern::ListedMessage>> message = assembler.feed(*record);
        if (!message) tern::log_fatal_exit(EX_SOFTWARE, "malformed showq server response");
        if (*message) printer.print(**message);
    }
    printer.finish();
    return EX_OK;
}

int read_queue_directly(const tern::Config& cfg, Printer& printer) {
    tern::QueueScanner scanner(cfg.get("queue_directory"));
    while (std::optional<tern::ListedMessage> message = scanner.next()) printer.print(*message);
    printer.finish();
    return EX_OK;
}

}  // namespace

int show_queue(const tern::Config& cfg, Output output, std::FILE* out) {
    Printer printer(output, out);
    const int timeout = timeout_ms(cfg);
    const std::string path = cfg.get("queue_directory") + "/" + std::string(kShowqSocket);
    tern::Result<tern::Fd> showq = tern::unix_connect(path, timeout);
    if (showq) return read_from_showq(std::move(*showq), timeout, printer);
    const int error = showq.error().errno_value;
    // A refused permission is not "down": say what it is (Postfix does).
    if (error == EACCES || error == EPERM)
        tern::log_fatal_exit(EX_SOFTWARE, "Connect to the tern showq service: %s", std::strerror(error));
    if (::geteuid() != 0)
        tern::log_fatal_exit(EX_UNAVAILABLE, "Queue report unavailable - mail system is down");
    tern::log_warning("Mail system is down -- accessing queue directly (Connect to the tern showq service: %s)",
                      std::strerror(error));
    return read_queue_directly(cfg, printer);
}

}  // namespace postqueue
