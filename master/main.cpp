// master - supervise the tern daemons (man/man8/master.8)
//
// SYNOPSIS
//     master [-c DIR] [-d] [-t] [-w] [-v]
// DESCRIPTION
//     Reads main.cf and master.cf, takes the lock on QUEUE_DIR/pid/master.pid,
//     recovers the queue files a crash left under cleanup's temporary
//     names (lib/mail/queue_recovery.h), opens every listener, then runs
//     the services (master/supervisor.h).
//     -d stays in the foreground; otherwise master detaches once it is
//     ready, and the command exits 0 only then (-w is accepted for
//     Postfix compatibility: this is always how it starts). -t exits 0
//     when no master runs on this queue (one may start), 1 when one does.
// ERRORS
//     Bad main.cf or master.cf, a queue folder that is a symbolic link, an
//     unknown mail_owner or a listener that cannot be opened: a fatal log
//     line and exit 1 before detaching, so `tern start` sees the failure.
// SECURITY
//     Runs as root: it opens privileged ports and starts daemons that drop
//     privileges themselves.
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/log.h"
#include "lib/mail/config.h"
#include "lib/mail/master_protocol.h"
#include "lib/mail/queue_layout.h"
#include "lib/mail/queue_recovery.h"
#include "master/daemon.h"
#include "master/pid_lock.h"
#include "master/supervisor.h"

namespace {

struct MasterOptions {
    std::string config_dir;
    bool debug = false;
    bool test = false;
    int verbosity = 0;
};

MasterOptions parse_options(int argc, char** argv) {
    MasterOptions o;
    int c = 0;
    while ((c = ::getopt(argc, argv, "c:dDtvwe:")) != -1) {
        switch (c) {
        case 'c': o.config_dir = optarg; break;
        case 'd': o.debug = true; break;
        case 't': o.test = true; break;
        case 'v': ++o.verbosity; break;
        case 'w':
        case 'D':
        case 'e': break;  // Postfix options that need nothing here
        default: tern::log_fatal("usage: master [-c config_dir] [-d] [-t] [-v] [-w]");
        }
    }
    if (optind != argc) tern::log_fatal("unexpected argument: %s", argv[optind]);
    if (o.config_dir.empty()) o.config_dir = tern::default_config_dir();
    return o;
}

void load_configuration(const MasterOptions& o) {
    tern::Result<tern::Config> cfg = tern::Config::load(o.config_dir);
    if (!cfg) tern::log_fatal("%s", cfg.error().describe().c_str());
    tern::set_config(std::move(*cfg));
    std::string syslog_name = tern::config().get("syslog_name");
    if (syslog_name.empty()) syslog_name = "tern";
    tern::log_open(syslog_name + "/master", "master");
    tern::log_set_verbosity(o.verbosity);
    const std::string maillog = tern::config().get("maillog_file");
    if (maillog.empty()) {
        tern::log_use_syslog(true);
    } else if (tern::Status s = tern::log_use_file(maillog); !s) {
        tern::log_fatal("maillog_file: %s", s.error().describe().c_str());
    }
}

// Creates the queue folders that are missing (lib/mail/queue_layout.h) and
// only warns about existing ones with the wrong owner or mode, as `tern
// check` does; a symbolic link in the queue or an unknown account is fatal.
void prepare_queue(const std::string& queue_dir) {
    std::vector<std::string> warnings;
    const tern::Status layout = tern::check_queue_layout(tern::config(), true, warnings);
    for (const std::string& warning : warnings) tern::log_warning("%s", warning.c_str());
    if (!layout) tern::log_fatal("%s", layout.error().describe().c_str());
    if (::chdir(queue_dir.c_str()) < 0) tern::log_fatal("chdir %s: %s", queue_dir.c_str(), std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) {
    tern::log_open("tern/master", "master");
    const MasterOptions options = parse_options(argc, argv);
    load_configuration(options);
    const std::string queue_dir = tern::config().get("queue_directory");
    const std::string pid_path = queue_dir + "/" + tern::kMasterPidFile;
    if (options.test) {
        tern::Result<bool> running = master::master_running(pid_path);
        if (!running) tern::log_fatal("%s", running.error().describe().c_str());
        return *running ? 1 : 0;
    }
    if (::geteuid() != 0) tern::log_fatal("the master command is reserved for the superuser");
    ::umask(022);
    std::signal(SIGPIPE, SIG_IGN);
    prepare_queue(queue_dir);
    std::optional<master::Detacher> detacher;
    if (!options.debug) detacher.emplace(master::Detacher::fork_and_wait());
    tern::Result<master::PidLock> lock = master::PidLock::acquire(pid_path);
    if (!lock) tern::log_fatal("%s", lock.error().describe().c_str());
    // No cleanup runs yet: finish the commits a crash cut short (lib/mail/queue_recovery.h).
    (void)tern::recover_temp_queue_files("incoming", tern::TempOwners::All);
    master::Supervisor supervisor(options.config_dir, options.verbosity);
    if (tern::Status s = supervisor.open(); !s) tern::log_fatal("%s", s.error().describe().c_str());
    if (tern::Status s = lock->write_pid(); !s) tern::log_fatal("%s", s.error().describe().c_str());
    if (detacher) detacher->ready();
    supervisor.run();
    lock->remove();
    return 0;
}
