// master/listeners.cpp - inet, unix and fifo listeners for master
#include "master/listeners.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/text.h"
#include "lib/base/unix_socket.h"
#include "lib/mail/master_protocol.h"

namespace master {
namespace {

using tern::Fd;
using tern::Result;
using tern::Retry;

std::string strip_brackets(const std::string& host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

Result<std::vector<Fd>> open_inet(const tern::MasterService& entry, const ListenContext& ctx) {
    Result<std::vector<tern::InetEndpoint>> endpoints = inet_endpoints(entry.name, ctx.inet_interfaces, ctx.families);
    if (!endpoints) return tl::unexpected(endpoints.error());
    std::vector<Fd> fds;
    for (const tern::InetEndpoint& ep : *endpoints) {
        Result<std::vector<Fd>> some = tern::inet_listen(ep.host, ep.port, kListenBacklog, ctx.families);
        if (!some) return tl::unexpected(some.error());
        for (Fd& fd : *some) fds.push_back(std::move(fd));
    }
    if (fds.size() > static_cast<std::size_t>(tern::kMaxListenFds))
        return tern::fail(Retry::Permanent, "service " + entry.name + ": too many listening addresses");
    return fds;
}

tern::Status give_to_owner(const std::string& path, const ListenContext& ctx, mode_t mode) {
    if (::chown(path.c_str(), ctx.owner.uid, ctx.owner.gid) < 0)
        return tern::fail(Retry::Permanent, "chown " + path, errno);
    if (::chmod(path.c_str(), mode) < 0) return tern::fail(Retry::Permanent, "chmod " + path, errno);
    return {};
}

Result<std::vector<Fd>> open_unix(const tern::MasterService& entry, const ListenContext& ctx) {
    const std::string path = service_path(entry, ctx.queue_dir);
    const mode_t mode = entry.private_access ? 0600 : 0666;
    Result<Fd> fd = tern::unix_listen(path, kListenBacklog, mode);
    if (!fd) return tl::unexpected(fd.error());
    if (tern::Status s = give_to_owner(path, ctx, mode); !s) return tl::unexpected(s.error());
    if (tern::Status s = tern::set_nonblocking(fd->get()); !s) return tl::unexpected(s.error());
    std::vector<Fd> fds;
    fds.push_back(std::move(*fd));
    return fds;
}

Result<std::vector<Fd>> open_fifo(const tern::MasterService& entry, const ListenContext& ctx) {
    const std::string path = service_path(entry, ctx.queue_dir);
    const mode_t mode = entry.private_access ? 0600 : 0622;
    if (::mkfifo(path.c_str(), mode) < 0 && errno != EEXIST) return tern::fail(Retry::Permanent, "mkfifo " + path, errno);
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) return tern::fail(Retry::Permanent, "lstat " + path, errno);
    if (!S_ISFIFO(st.st_mode)) return tern::fail(Retry::Permanent, path + ": exists and is not a FIFO");
    if (tern::Status s = give_to_owner(path, ctx, mode); !s) return tl::unexpected(s.error());
    Fd fd{::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)};
    if (!fd) return tern::fail(Retry::Permanent, "open " + path, errno);
    std::vector<Fd> fds;
    fds.push_back(std::move(fd));
    return fds;
}

}  // namespace

std::string service_path(const tern::MasterService& entry, const std::string& queue_dir) {
    return queue_dir + (entry.private_access ? "/private/" : "/public/") + entry.name;
}

Result<std::vector<tern::InetEndpoint>> inet_endpoints(const std::string& service_name,
                                                       const std::string& inet_interfaces,
                                                       tern::InetFamilies families) {
    Result<tern::InetEndpoint> ep = tern::parse_inet_endpoint(service_name);
    if (!ep) return tl::unexpected(ep.error());
    if (service_name.find(':') != std::string::npos) return std::vector<tern::InetEndpoint>{*ep};
    std::vector<tern::InetEndpoint> out;
    for (const std::string& word : tern::split_list(inet_interfaces)) {
        const std::string name = tern::to_lower(word);
        if (name == "all") return std::vector<tern::InetEndpoint>{{"", ep->port}};
        if (name == "loopback-only") {
            if (families != tern::InetFamilies::Ipv6) out.push_back({"127.0.0.1", ep->port});
            if (families != tern::InetFamilies::Ipv4) out.push_back({"::1", ep->port});
            continue;
        }
        out.push_back({strip_brackets(word), ep->port});
    }
    if (out.empty()) return std::vector<tern::InetEndpoint>{{"", ep->port}};
    return out;
}

Result<std::vector<Fd>> open_listeners(const tern::MasterService& entry, const ListenContext& ctx) {
    switch (entry.type) {
    case tern::ServiceType::Inet: return open_inet(entry, ctx);
    case tern::ServiceType::Unix: return open_unix(entry, ctx);
    case tern::ServiceType::Fifo: return open_fifo(entry, ctx);
    case tern::ServiceType::UnixDgram:
    case tern::ServiceType::Pass: break;
    }
    return tern::fail(Retry::Permanent, "service " + entry.name + ": type not supported");
}

}  // namespace master
