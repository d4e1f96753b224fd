// lib/mail/qmgr_trigger.cpp - send a trigger request to qmgr or pickup (see qmgr_trigger.h)
#include "lib/mail/qmgr_trigger.h"

#include "lib/base/unix_socket.h"

namespace tern {

Status send_trigger(const std::string& path, std::string_view request, int timeout_ms) {
    Deadline deadline(timeout_ms);
    Result<Fd> socket = unix_connect(path, timeout_ms);
    if (!socket) {
        Error error = socket.error();
        error.retry = Retry::Temporary;  // nobody listens now; maybe later
        return tl::unexpected(std::move(error));
    }
    return write_all(socket->get(), request, deadline.remaining_ms());
}

}  // namespace tern
