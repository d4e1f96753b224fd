// qmgr/message.cpp - an active message and its recipients (see message.h)
#include "qmgr/message.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "lib/base/log.h"
#include "lib/mail/queue_name.h"

namespace qmgr {

ActiveMessage::ActiveMessage(Key, std::uint64_t handle, std::string id, tern::Fd fd, tern::QueueFile file,
                             const timeval& now)
    : handle_(handle),
      id_(std::move(id)),
      path_(tern::queue_file_path("", tern::QueueName::Active, id_)),
      fd_(std::move(fd)),
      file_(std::move(file)),
      active_since_(now),
      states_(file_.recipients.size(), State::Untouched) {
    for (std::size_t i = 0; i < states_.size(); ++i)
        if (file_.recipients[i].status == tern::RecipientStatus::Done) states_[i] = State::Done;
}

std::unique_ptr<ActiveMessage> ActiveMessage::from_parsed(std::uint64_t handle, std::string id, tern::Fd fd,
                                                          tern::QueueFile file, const timeval& now) {
    return std::make_unique<ActiveMessage>(Key{}, handle, std::move(id), std::move(fd), std::move(file), now);
}

namespace {

tern::Result<tern::Fd> open_queue_file(const std::string& path) {
    tern::Fd fd{::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC)};
    if (!fd) {
        const int error = errno;
        return tern::fail(error == ELOOP ? tern::Retry::Permanent : tern::Retry::Temporary, "open " + path, error);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return tern::fail(tern::Retry::Temporary, "fstat " + path, errno);
    if (!S_ISREG(st.st_mode)) return tern::fail(tern::Retry::Permanent, path + ": not a regular file");
    return fd;
}

}  // namespace

tern::Result<tern::Fd> ActiveMessage::open_file() const { return open_queue_file(path_); }

tern::Result<std::unique_ptr<ActiveMessage>> ActiveMessage::open(std::uint64_t handle, const std::string& id,
                                                               const timeval& now) {
    const std::string path = tern::queue_file_path("", tern::QueueName::Active, id);
    tern::Result<tern::Fd> fd = open_queue_file(path);
    if (!fd) return tl::unexpected(fd.error());
    tern::Result<tern::QueueFile> file = tern::read_queue_file(fd->get(), path);
    if (!file) return tl::unexpected(file.error());
    return from_parsed(handle, id, std::move(*fd), std::move(*file), now);
}

std::vector<std::size_t> ActiveMessage::take_chunk(std::size_t limit) {
    std::vector<std::size_t> chunk;
    while (cursor_ < states_.size() && chunk.size() < limit) {
        const std::size_t index = cursor_++;
        if (states_[index] != State::Untouched) continue;
        states_[index] = State::Waiting;
        ++outstanding_;
        chunk.push_back(index);
    }
    return chunk;
}

void ActiveMessage::settle(std::size_t index, Settled how) {
    if (index >= states_.size() || states_[index] != State::Waiting) {
        tern::log_warning("%s: recipient %zu settled twice or never scheduled", id_.c_str(), index);
        return;
    }
    --outstanding_;
    switch (how) {
    case Settled::Done:
        states_[index] = State::Done;
        return;
    case Settled::Deferred:
        states_[index] = State::Deferred;
        ++deferred_;
        return;
    }
}

}  // namespace qmgr
