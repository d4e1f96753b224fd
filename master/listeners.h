// master/listeners.h - open the listening sockets and FIFOs of a service
//
// SYNOPSIS
//     ListenContext ctx{queue_dir, owner, "all", tern::InetFamilies::All};
//     tern::Result<std::vector<tern::Fd>> fds = master::open_listeners(spec.entry, ctx);
//     std::string path = master::service_path(spec.entry, queue_dir);   // unix, fifo
//     std::vector<tern::InetEndpoint> eps = master::inet_endpoints("2525", "loopback-only", fam);
// DESCRIPTION
//     Runs as root in master, before any child exists. inet: "host:port"
//     or "[v6]:port" listens there; a bare port listens on every address
//     of inet_interfaces ("all", "loopback-only" or a list), with
//     SO_REUSEADDR. unix: QUEUE_DIR/private/NAME (mode 0600) or
//     QUEUE_DIR/public/NAME (mode 0666), owned by mail_owner. fifo: the same
//     paths, mode 0600 or 0622, opened read-write so it never reads EOF.
//     Every descriptor is close-on-exec and non-blocking; the spawner puts
//     them on the fixed descriptors of master_protocol.h.
// ERRORS
//     A bad address, a file in the way or a failed bind names the service
//     and what failed; the caller decides whether that is fatal.
// SECURITY
//     Runs as root; unix sockets and FIFOs are made below the queue's
//     private/ and public/ folders (root-made, see queue_layout.h) and
//     given to mail_owner.
#pragma once

#include <string>
#include <vector>

#include "lib/base/account.h"
#include "lib/base/fd.h"
#include "lib/base/inet_listen.h"
#include "lib/base/result.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/master_cf.h"

namespace master {

using tern::kListenBacklog;

struct ListenContext {
    std::string queue_dir;
    tern::Account owner;
    std::string inet_interfaces;
    tern::InetFamilies families = tern::InetFamilies::All;
};

[[nodiscard]] std::string service_path(const tern::MasterService& entry, const std::string& queue_dir);

[[nodiscard]] tern::Result<std::vector<tern::InetEndpoint>> inet_endpoints(const std::string& service_name,
                                                                           const std::string& inet_interfaces,
                                                                           tern::InetFamilies families);

[[nodiscard]] tern::Result<std::vector<tern::Fd>> open_listeners(const tern::MasterService& entry,
                                                                 const ListenContext& ctx);

}  // namespace master
