// lib/mail/delivery_agent.cpp - run_delivery_agent: read one request per connection, open its queue file
//
// SYNOPSIS
//     return tern::run_delivery_agent(argc, argv, {.service = "virtual", .on_request = deliver});
// DESCRIPTION
//     The agent half of lib/mail/delivery_protocol.h on top of
//     run_event_server. After the privilege drop the process works in
//     the queue directory: chrooted that is "/" already, otherwise it
//     changes to queue_directory, so queue files and delivery logs are
//     always opened by relative paths ("active/ID", "bounce/ID").
//     Each connection gets a RequestReader: non-blocking reads through
//     an AttrDecoder with kDeliveryAttrLimits; a peer that sends nothing
//     for kRequestTimeoutS is dropped. Then the request is decoded, the
//     queue file opened (O_RDWR | O_NOFOLLOW, a regular file with one
//     link), locked shared (flock) for as long as the job lives, and
//     parsed, and every
//     request recipient checked against it: its offset must name a status
//     record of that very address. Anything wrong is answered status=4
//     with the reason (qmgr defers the recipients); a peer that breaks
//     the protocol or goes silent is logged and closed.
// SECURITY
//     qmgr is trusted no further than the protocol: queue name and ID are
//     checked by the decoder, and a request cannot make the agent mark a
//     record done that is not the recipient it names.
// LIMITS
//     kDeliveryAttrLimits per request; kRequestTimeoutS of silence.
#include "lib/mail/delivery_agent.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <unordered_map>

#include "lib/base/event_loop.h"
#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/attr.h"
#include "lib/mail/config.h"
#include "lib/mail/delivery_agent_internal.h"

namespace tern {
namespace {

constexpr long long kRequestTimeoutS = 100;
constexpr int kRefusalTimeoutMs = 10'000;
constexpr std::size_t kReadChunkBytes = 16 * 1024;

class RequestReader;

// Every connection whose request is still being read, by descriptor.
std::map<int, std::unique_ptr<RequestReader>>& readers() {
    static std::map<int, std::unique_ptr<RequestReader>> all;
    return all;
}

void end_reader(int fd) noexcept;

// Answers status=4 with `reason`; qmgr defers every recipient of the request.
void refuse_request(Fd client, std::string_view queue_id, const std::string& reason) {
    log_warning("%s: %s", queue_id.empty() ? "delivery request" : std::string(queue_id).c_str(),
                printable(reason, 500).c_str());
    const DeliveryReply reply{.processed = false, .reason = reason, .outcomes = {}, .destination_dead = false};
    if (Status s = write_attr_message(client.get(), encode_delivery_reply(reply), kRefusalTimeoutMs); !s)
        log_warning("reply to queue manager: %s", s.error().describe().c_str());
}

Result<Fd> open_queue_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
    if (!fd) return fail(Retry::Temporary, "open queue file " + path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(Retry::Temporary, "fstat queue file " + path, errno);
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
        return fail(Retry::Permanent, "queue file " + path + " is not a regular file with one link");
    // A shared lock while the job lives tells qmgr (qmgr/queue_moves.h)
    // that the file is being delivered, as Postfix's agents do.
    if (::flock(fd.get(), LOCK_SH | LOCK_NB) != 0)
        return fail(Retry::Temporary, "lock queue file " + path, errno);
    return fd;
}

// Each request recipient must be the recipient of the status record it names.
Status check_recipients(const DeliveryRequest& request, const QueueFile& file, const std::string& path) {
    std::unordered_map<std::uint64_t, const QueueRecipient*> by_offset;
    by_offset.reserve(file.recipients.size());
    for (const QueueRecipient& r : file.recipients) by_offset.emplace(r.status_offset, &r);
    std::unordered_map<std::uint64_t, bool> seen;
    for (const DeliveryRecipient& r : request.recipients) {
        const auto found = by_offset.find(r.offset);
        if (found == by_offset.end() || found->second->address != r.address)
            return fail(Retry::Permanent, "request names recipient <" + printable(r.address, 200) + "> at offset " +
                                              std::to_string(r.offset) + ", which is not in " + path);
        if (!seen.emplace(r.offset, true).second)
            return fail(Retry::Permanent, "request names recipient <" + printable(r.address, 200) + "> twice");
    }
    return {};
}

class RequestReader {
public:
    RequestReader(Fd client, ServerContext& context) noexcept
        : client_(std::move(client)), context_(context), decoder_(kDeliveryAttrLimits) {}

    [[nodiscard]] bool start() noexcept {
        Result<EventPtr> ev = make_event<&RequestReader::on_event>(context_.base(), client_.get(), EV_READ | EV_PERSIST, this);
        if (!ev) return false;
        event_ = std::move(*ev);
        return static_cast<bool>(add_event(event_.get(), kRequestTimeoutS * 1000));
    }

private:
    void on_event(evutil_socket_t, short what) noexcept {
        if (what & EV_TIMEOUT) {
            log_warning("delivery request: timeout after %llds", kRequestTimeoutS);
            return end_reader(client_.get());
        }
        // One request per connection and qmgr sends nothing after it, so
        // a whole chunk is read at once: one read per wake-up, not one
        // per attribute field.
        std::array<char, kReadChunkBytes> buffer;
        const ssize_t got = ::read(client_.get(), buffer.data(), buffer.size());
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (got <= 0) {
            if (got < 0 || decoder_.mid_message())
                log_warning("delivery request: %s", got < 0 ? std::strerror(errno) : "peer closed mid-message");
            return end_reader(client_.get());
        }
        std::string_view input(buffer.data(), static_cast<std::size_t>(got));
        while (!input.empty()) {
            Result<std::size_t> used = decoder_.feed(input);
            if (!used) {
                log_warning("delivery request: %s", used.error().describe().c_str());
                return end_reader(client_.get());
            }
            input.remove_prefix(*used);
            if (std::optional<AttrList> message = decoder_.take_message()) {
                if (!input.empty()) {
                    log_warning("delivery request: %zu bytes after the request", input.size());
                    return end_reader(client_.get());
                }
                return handle(*message);
            }
            if (*used == 0) break;
        }
    }

    // The request is complete: the reader hands the client on and ends.
    void handle(const AttrList& message) noexcept {
        timeval received{};
        ::gettimeofday(&received, nullptr);
        event_.reset();
        const int key = client_.get();
        Result<DeliveryRequest> request = decode_delivery_request(message);
        if (!request) {
            refuse_request(std::move(client_), "", request.error().describe());
            return end_reader(key);
        }
        std::unique_ptr<DeliveryJob> job = make_job(std::move(*request), received);
        if (!job) return end_reader(key);
        // Keep this reader alive until we return; the job owns the client.
        std::unique_ptr<RequestReader> self = std::move(readers().at(key));
        readers().erase(key);
        const DeliveryRequestFn& on_request = detail::agent_runtime().on_request;
        if (on_request) on_request(std::move(job), context_);  // else ~DeliveryJob defers all
    }

    // Opens and checks the queue file; nullptr when the request was refused.
    std::unique_ptr<DeliveryJob> make_job(DeliveryRequest request, timeval received) noexcept {
        const std::string path = request.queue_name + "/" + request.queue_id;
        Result<Fd> queue_fd = open_queue_file(path);
        if (!queue_fd) {
            refuse_request(std::move(client_), request.queue_id, queue_fd.error().describe());
            return nullptr;
        }
        Result<QueueFile> file = read_queue_file(queue_fd->get(), path);
        if (!file) {
            refuse_request(std::move(client_), request.queue_id, file.error().describe());
            return nullptr;
        }
        if (Status matches = check_recipients(request, *file, path); !matches) {
            refuse_request(std::move(client_), request.queue_id, matches.error().describe());
            return nullptr;
        }
        return std::make_unique<DeliveryJob>(std::move(client_), std::move(*queue_fd), std::move(request),
                                             std::move(*file), path, received);
    }

    Fd client_;
    ServerContext& context_;
    AttrDecoder decoder_;
    EventPtr event_;
};

void end_reader(int fd) noexcept {
    const auto found = readers().find(fd);
    if (found == readers().end()) return;
    ServerContext* context = detail::agent_runtime().context;
    readers().erase(found);
    if (context) context->client_done();
}

void accept_request(Fd client, ServerContext& context) noexcept {
    const int key = client.get();
    auto reader = std::make_unique<RequestReader>(std::move(client), context);
    RequestReader* raw = reader.get();
    readers()[key] = std::move(reader);
    if (!raw->start()) {
        log_warning("delivery request: cannot watch the connection");
        end_reader(key);
    }
}

void enter_queue_directory(ServerContext& context) {
    if (context.root_directory() != "/") return;  // chrooted: "/" is the queue directory
    const std::string queue_directory = config().get("queue_directory");
    if (::chdir(queue_directory.c_str()) != 0)
        log_fatal("chdir %s: %s", queue_directory.c_str(), std::strerror(errno));
}

}  // namespace

int run_delivery_agent(int argc, char** argv, const DeliveryAgentSpec& spec) {
    detail::agent_runtime().on_request = spec.on_request;
    EventServerSpec server{
        .service = spec.service,
        .before_chroot = spec.before_chroot,
        .after_privilege_drop =
            [&spec](ServerContext& context) {
                detail::AgentRuntime& runtime = detail::agent_runtime();
                runtime.context = &context;
                Result<bool> soft_bounce = config().boolean("soft_bounce");
                if (!soft_bounce) log_fatal("soft_bounce: %s", soft_bounce.error().describe().c_str());
                runtime.soft_bounce = *soft_bounce;
                enter_queue_directory(context);
                if (spec.after_privilege_drop) spec.after_privilege_drop(context);
            },
        .on_accept = accept_request,
        .on_wakeup = {},
        .on_stop =
            [&spec](ServerContext& context) {
                readers().clear();
                if (spec.on_stop) spec.on_stop(context);
            },
        .busy_at_clients = spec.busy_at_clients,
        .ignore_max_idle = false,
        .ignore_max_use = false,
    };
    return run_event_server(argc, argv, server);
}

}  // namespace tern
