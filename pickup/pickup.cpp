// pickup/pickup.cpp - feed maildrop/ files to cleanup (contract in pickup.h)
#include "pickup/pickup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "lib/base/log.h"
#include "lib/base/text.h"
#include "lib/mail/cleanup_protocol.h"
#include "pickup/cleanup_client.h"
#include "pickup/request.h"

namespace pickup {

namespace {

constexpr std::size_t kLogTextBytes = 400;

tern::Result<tern::Fd> open_dir(const std::string& path) {
    tern::Fd fd{::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
    if (!fd) return tern::fail(tern::Retry::Temporary, "open " + path, errno);
    return fd;
}

std::string join(const std::string& dir, std::string_view name) {
    if (!dir.empty() && dir.back() == '/') return dir + std::string(name);
    return dir + "/" + std::string(name);
}

}  // namespace

std::size_t Pickup::scan() noexcept {
    tern::Result<tern::Fd> maildrop = open_dir(join(settings_.queue_directory, "maildrop"));
    if (!maildrop) {
        tern::log_warning("%s", maildrop.error().describe().c_str());
        return 0;
    }
    std::size_t handed = 0;
    bool full = true;
    while (full) {
        full = false;
        if (!scan_once(maildrop->get(), handed, full)) break;
    }
    return handed;
}

bool Pickup::scan_once(int maildrop_fd, std::size_t& handed, bool& full) {
    tern::Result<std::vector<std::string>> names = list_names(maildrop_fd, kMaxNamesPerScan);
    if (!names) {
        tern::log_warning("%s", names.error().describe().c_str());
        return false;
    }
    full = names->size() >= kMaxNamesPerScan;
    const std::time_t now = std::time(nullptr);
    std::size_t taken = 0;
    for (const std::string& name : *names) {
        switch (classify_name(name, entry_mtime(maildrop_fd, name).value_or(now), now)) {
        case NameAction::Skip:
            continue;
        case NameAction::RemoveStale:
            remove_stale(maildrop_fd, name);
            continue;
        case NameAction::Take:
            break;
        }
        switch (take(maildrop_fd, name)) {
        case FileOutcome::Done:
            ++handed;
            ++taken;
            break;
        case FileOutcome::Kept:
            break;
        case FileOutcome::CleanupDown:
            return false;
        }
    }
    // A full listing of files we could not take would loop: stop then.
    return taken > 0;
}

void Pickup::remove_stale(int maildrop_fd, const std::string& name) {
    if (::unlinkat(maildrop_fd, name.c_str(), 0) != 0) {
        if (errno != ENOENT) tern::log_warning("remove maildrop/%s: %s", name.c_str(), std::strerror(errno));
        return;
    }
    tern::log_warning("maildrop/%s: removed a temporary file older than a day (left by a crashed postdrop)",
                      name.c_str());
}

void Pickup::move_aside(int maildrop_fd, const std::string& name, const std::string& why) {
    tern::log_warning("%s: moving maildrop/%s to corrupt/", tern::printable(why, kLogTextBytes).c_str(),
                      name.c_str());
    tern::Result<tern::Fd> corrupt = open_dir(join(settings_.queue_directory, "corrupt"));
    if (!corrupt) {
        tern::log_warning("%s", corrupt.error().describe().c_str());
        return;
    }
    if (tern::Status moved = move_to_corrupt(maildrop_fd, corrupt->get(), name); !moved)
        tern::log_warning("%s", moved.error().describe().c_str());
}

FileOutcome Pickup::take(int maildrop_fd, const std::string& name) {
    tern::Result<OpenedFile> file = open_maildrop_file(maildrop_fd, name);
    if (!file) {
        if (file.error().temporary()) {
            if (file.error().errno_value != ENOENT) tern::log_warning("%s", file.error().describe().c_str());
            return FileOutcome::Kept;
        }
        move_aside(maildrop_fd, name, file.error().describe());
        return FileOutcome::Kept;
    }
    const std::string path = "maildrop/" + name;
    tern::Result<tern::QueueFile> parsed = tern::read_queue_file(file->fd.get(), path, settings_.limits);
    if (!parsed) {
        if (parsed.error().temporary()) {
            tern::log_warning("%s", parsed.error().describe().c_str());
            return FileOutcome::Kept;
        }
        move_aside(maildrop_fd, name, parsed.error().describe());
        return FileOutcome::Kept;
    }
    return hand_over(maildrop_fd, name, *file, *parsed);
}

namespace {

tern::Status send_message(CleanupClient& client, int fd, const tern::QueueFile& parsed, const Submitter& who,
                          const timespec& arrival, const std::string& path) {
    if (tern::Status s = client.send(envelope_request(parsed, who, arrival)); !s) return s;
    for (const tern::AttrList& recipient : recipient_requests(parsed))
        if (tern::Status s = client.send(recipient); !s) return s;
    tern::ContentReader content(fd, parsed, path);
    return client.send_content(content);
}

}  // namespace

FileOutcome Pickup::hand_over(int maildrop_fd, const std::string& name, const OpenedFile& file,
                              const tern::QueueFile& parsed) {
    const std::string path = "maildrop/" + name;
    const uid_t uid = submit_uid(parsed, file.st.st_uid);
    const Submitter who{.uid = uid, .user = names_.lookup(uid)};
    tern::Result<CleanupClient> client =
        CleanupClient::connect(join(settings_.queue_directory, tern::kCleanupSocketPath), settings_.timeout_ms);
    if (!client) {
        tern::log_warning("%s: cannot reach cleanup: %s; will retry", path.c_str(),
                          client.error().describe().c_str());
        return FileOutcome::CleanupDown;
    }
    tern::Result<std::string> id = client->greeting();
    if (!id) {
        tern::log_warning("%s: %s; will retry", path.c_str(), id.error().describe().c_str());
        return FileOutcome::CleanupDown;
    }
    const std::string sender = tern::printable(parsed.sender, kLogTextBytes);
    tern::log_info("%s: uid=%lu from=<%s>", id->c_str(), static_cast<unsigned long>(uid), sender.c_str());
    tern::Result<CleanupReply> reply = [&]() -> tern::Result<CleanupReply> {
        if (tern::Status sent = send_message(*client, file.fd.get(), parsed, who, file.st.st_mtim, path); !sent)
            return tl::unexpected(sent.error());
        return client->finish();
    }();
    if (!reply) {
        tern::log_warning("%s: %s: %s; file kept, will retry", id->c_str(), path.c_str(),
                          reply.error().describe().c_str());
        return FileOutcome::CleanupDown;
    }
    switch (reply->verdict) {
    case CleanupVerdict::Queued:
        break;
    case CleanupVerdict::Deferred:
        tern::log_warning("%s: %s: cleanup deferred it: %s; file kept, will retry", id->c_str(), path.c_str(),
                          reply->reason.c_str());
        return FileOutcome::CleanupDown;
    case CleanupVerdict::Rejected:
        // TODO(issue 5): bounce to the sender, as Postfix's pickup does.
        tern::log_info("%s: reject: %s; from=<%s>; %s removed, no bounce sent", id->c_str(), reply->reason.c_str(),
                       sender.c_str(), path.c_str());
        break;
    }
    if (::unlinkat(maildrop_fd, name.c_str(), 0) != 0 && errno != ENOENT)
        tern::log_error("%s: remove %s: %s (the message may be picked up twice)", id->c_str(), path.c_str(),
                        std::strerror(errno));
    return FileOutcome::Done;
}

}  // namespace pickup
