// lib/mail/tables/unix_table.cpp - unix:passwd.byname and unix:group.byname (getpwnam, getgrnam)
#include "lib/mail/tables/unix_table.h"

#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <map>
#include <memory>
#include <vector>

#include "lib/base/text.h"

namespace tern {

namespace {

// getpwnam_r/getgrnam_r want a scratch buffer; grow it until it fits, within reason.
constexpr std::size_t kInitialBufferBytes = 4096;
constexpr std::size_t kMaxBufferBytes = 1024 * 1024;

// The passwd snapshot taken at open covers a daemon that looks users up
// after chroot, where the user database is usually out of reach.
constexpr std::size_t kMaxSnapshotEntries = 200000;

enum class UnixMap { Passwd, Group };

std::string passwd_line(const passwd& entry) {
    return std::string(entry.pw_name) + ":" + entry.pw_passwd + ":" + std::to_string(entry.pw_uid) + ":" +
           std::to_string(entry.pw_gid) + ":" + entry.pw_gecos + ":" + entry.pw_dir + ":" + entry.pw_shell;
}

std::string group_line(const group& entry) {
    std::string line = std::string(entry.gr_name) + ":" + entry.gr_passwd + ":" + std::to_string(entry.gr_gid) + ":";
    for (char** member = entry.gr_mem; member && *member; ++member) {
        if (member != entry.gr_mem) line += ",";
        line += *member;
    }
    return line;
}

std::map<std::string, std::string, std::less<>> snapshot_passwd() {
    std::map<std::string, std::string, std::less<>> users;
    ::setpwent();
    while (users.size() < kMaxSnapshotEntries) {
        const passwd* entry = ::getpwent();  // single-threaded startup code
        if (!entry) break;
        users.emplace(to_lower(entry->pw_name), passwd_line(*entry));
    }
    ::endpwent();
    return users;
}

class UnixTable final : public LookupTable {
public:
    UnixTable(std::string name, UnixMap map) : LookupTable("unix", std::move(name)), map_(map) {
        if (map_ == UnixMap::Passwd) snapshot_ = snapshot_passwd();
    }

protected:
    Result<std::optional<std::string>> find(std::string_view key) const override {
        Result<std::optional<std::string>> live = find_live(key);
        if (live && *live) return live;
        if (auto known = snapshot_.find(key); known != snapshot_.end()) return std::optional<std::string>{known->second};
        return live;
    }

private:
    Result<std::optional<std::string>> find_live(std::string_view key) const {
        const std::string name(key);
        std::vector<char> buffer(kInitialBufferBytes);
        for (;;) {
            int error = 0;
            std::optional<std::string> line;
            if (map_ == UnixMap::Passwd) {
                passwd entry{};
                passwd* found = nullptr;
                error = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
                if (error == 0 && found) line = passwd_line(entry);
            } else {
                group entry{};
                group* found = nullptr;
                error = ::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
                if (error == 0 && found) line = group_line(entry);
            }
            if (error == ERANGE && buffer.size() < kMaxBufferBytes) {
                buffer.resize(buffer.size() * 2);
                continue;
            }
            // "Not found" comes back as 0 or as one of these, depending on the NSS module.
            if (error == 0 || error == ENOENT || error == ESRCH || error == EBADF || error == EPERM) return line;
            return fail(Retry::Temporary, "table " + spec() + ": lookup of " + printable(key, 100), error);
        }
    }

    UnixMap map_;
    std::map<std::string, std::string, std::less<>> snapshot_;  // passwd at open, by lower-case name
};

}  // namespace

Result<TablePtr> open_unix_table(std::string_view name, const TableOptions& options) {
    UnixMap map = UnixMap::Passwd;
    if (name == "passwd.byname") map = UnixMap::Passwd;
    else if (name == "group.byname") map = UnixMap::Group;
    else return fail(Retry::Permanent, "unknown table: unix:" + printable(name, 100));
    auto table = std::make_unique<UnixTable>(std::string(name), map);
    table->configure(options, true);
    return TablePtr(std::move(table));
}

}  // namespace tern
