// lib/mail/queue_name.cpp - queue folder names (see queue_name.h)
#include "lib/mail/queue_name.h"

#include "lib/mail/queue_id.h"

namespace tern {

std::string_view to_string(QueueName name) noexcept {
    switch (name) {
        case QueueName::Maildrop: return "maildrop";
        case QueueName::Incoming: return "incoming";
        case QueueName::Active: return "active";
        case QueueName::Deferred: return "deferred";
        case QueueName::Hold: return "hold";
        case QueueName::Corrupt: return "corrupt";
        case QueueName::Bounce: return "bounce";
        case QueueName::Defer: return "defer";
    }
    return "unknown";
}

std::optional<QueueName> queue_name_from_string(std::string_view text) noexcept {
    for (const QueueName name : kQueueNames)
        if (to_string(name) == text) return name;
    return std::nullopt;
}

bool holds_queue_files(QueueName name) noexcept {
    switch (name) {
        case QueueName::Maildrop:
        case QueueName::Incoming:
        case QueueName::Active:
        case QueueName::Deferred:
        case QueueName::Hold:
        case QueueName::Corrupt: return true;
        case QueueName::Bounce:
        case QueueName::Defer: return false;
    }
    return false;
}

std::string queue_file_path(std::string_view queue_directory, QueueName name, std::string_view id) {
    std::string path;
    path.reserve(queue_directory.size() + 16 + id.size());
    if (!queue_directory.empty()) {
        path.append(queue_directory);
        if (path.back() != '/') path.push_back('/');
    }
    path.append(to_string(name));
    path.push_back('/');
    path.append(id);
    return path;
}

std::string queue_file_path(std::string_view queue_directory, QueueName name, const QueueId& id) {
    return queue_file_path(queue_directory, name, std::string_view(id.str()));
}

}  // namespace tern
