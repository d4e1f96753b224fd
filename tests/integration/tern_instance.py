r"""tests/integration/tern_instance.py - a throw-away tern instance for integration tests

SYNOPSIS
    inst = Instance(tmp_path, overrides={"myhostname": "mx.example"},
                    master_cf="smtp inet n - n - - smtpd\n")
    inst.start()
    inst.wait_for_log(r"tern/smtpd\[\d+\]: connect from")
    inst.tern("status")                     # CompletedProcess; check=True raises
    inst.stop()

DESCRIPTION
    Instance makes a complete instance with `tern init`: config/main.cf
    (queue_directory, daemon_directory, maillog_file, mail_owner=tern,
    setgid_group=terndrop, service_throttle_time=2s, then the caller's
    overrides) and config/master.cf (init's, or master_cf when given; in
    init's, smtpd listens on 127.0.0.1:smtp_port, a free port, not on 25,
    and qmgr is commented out so that accepted mail stays in incoming/,
    unless delivery=True).
    libexec/ holds a symlink to every executable built in $TERN_BUILD/master,
    $TERN_BUILD/tests/support and the daemon folders that exist.

    Where the files are: daemons that drop to user tern must reach the queue
    and the maillog through every parent folder, but pytest's tmp_path lives
    under /tmp/pytest-of-root, which is mode 0700 and which every new pytest
    session resets to 0700. So the instance lives in .root, a fresh 0755
    folder /tmp/tern-test-XXXXXX, and tmp_path/config, queue, maillog and
    libexec are symlinks to it for a person looking around. Put anything a
    daemon must reach (mailboxes, tables) under .root as well. close() (the
    `instance` fixture calls it) stops the instance and removes .root;
    setting TERN_KEEP_INSTANCE=1 keeps it.

    Every wait polls with a deadline and fails with an AssertionError that
    names what it waited for; there are no bare sleeps.
"""

import os
import re
import shutil
import signal
import socket
import struct
import fcntl
import subprocess
import tempfile
import time
from pathlib import Path

# Folders of $TERN_BUILD whose executables become daemons in libexec/.
DAEMON_FOLDERS = ("master", "tests/support", "smtpd", "cleanup", "qmgr", "local",
                  "virtual", "smtp", "pickup", "bounce", "showq")

POLL_INTERVAL_S = 0.05
COMMAND_TIMEOUT_S = 60
LOG_TAIL_LINES = 40


def build_dir():
    """$TERN_BUILD as a Path; a missing or wrong value fails loudly."""
    value = os.environ.get("TERN_BUILD")
    if not value:
        raise RuntimeError("TERN_BUILD is not set: point it at a configured and built build directory")
    path = Path(value)
    if not (path / "tools" / "tern" / "tern").is_file():
        raise RuntimeError(f"TERN_BUILD={value}: no tools/tern/tern there; run make first")
    return path


class TernCommandError(subprocess.CalledProcessError):
    """A tern command failed; str() shows its output."""

    def __str__(self):
        return (f"{' '.join(map(str, self.cmd))} exited {self.returncode}\n"
                f"stdout: {self.stdout}\nstderr: {self.stderr}")


def run_captured(argv, check, env=None):
    """Runs argv with output in files, not pipes: a daemon that inherits the
    descriptors cannot keep us waiting for end of file."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.run([str(a) for a in argv], stdin=subprocess.DEVNULL, stdout=out,
                              stderr=err, timeout=COMMAND_TIMEOUT_S, env=env)
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(
            proc.args, proc.returncode,
            out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
    if check and result.returncode != 0:
        raise TernCommandError(result.returncode, result.args, result.stdout, result.stderr)
    return result


def lock_holder(path):
    """The pid holding an fcntl lock on path, or None (F_GETLK takes no lock)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        # struct flock on Linux x86_64/aarch64: short type, short whence,
        # off_t start, off_t len, pid_t pid (+ padding).
        probe = struct.pack("hhqqii", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, probe)
        lock_type, _, _, _, pid, _ = struct.unpack("hhqqii", answer)
        if lock_type == fcntl.F_UNLCK:
            return None
        if pid > 1:
            return pid
        with open(fd, closefd=False) as handle:
            first = handle.readline().strip()
        return int(first) if first.isdigit() else None
    finally:
        os.close(fd)


class Instance:
    """One tern instance: its own config, queue, maillog and daemons."""

    def __init__(self, tmp_path, overrides=None, master_cf=None, delivery=False):
        self.build = build_dir()
        self.tmp_path = Path(tmp_path)
        self.tmp_path.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix="tern-test-", dir="/tmp"))
        os.chmod(self.root, 0o755)
        self.config_dir = self.root / "config"
        self.queue_dir = self.root / "queue"
        self.maillog = self.root / "maillog"
        self.libexec = self.root / "libexec"
        self.tern_path = self.build / "tools" / "tern" / "tern"
        self._link_daemons()
        for name in ("config", "queue", "maillog", "libexec"):
            link = self.tmp_path / name
            if not link.exists() and not link.is_symlink():
                link.symlink_to(self.root / name)
        settings = {
            "queue_directory": str(self.queue_dir),
            "daemon_directory": str(self.libexec),
            "maillog_file": str(self.maillog),
            "mail_owner": "tern",
            "setgid_group": "terndrop",
            "service_throttle_time": "2s",
        }
        settings.update(overrides or {})
        words = [f"{name}={value}" for name, value in settings.items()]
        try:
            run_captured([self.tern_path, "init", self.config_dir, *words], check=True)
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        # init's master.cf runs smtpd on port 25 of every address; a test
        # instance listens on a free port of 127.0.0.1 instead (smtp_port).
        self.smtp_port = self.free_port()
        if master_cf is not None:
            self.write_master_cf(master_cf)
        else:
            path = self.config_dir / "master.cf"
            text = re.sub(r"(?m)^smtp(\s+inet\s)", f"127.0.0.1:{self.smtp_port}\\1", path.read_text(), count=1)
            if not delivery:
                # Without qmgr, accepted mail stays in incoming/ for the
                # test to inspect; delivery=True keeps init's qmgr.
                text = re.sub(r"(?m)^qmgr(\s)", r"#qmgr\1", text, count=1)
            path.write_text(text)

    def _link_daemons(self):
        self.libexec.mkdir(mode=0o755)
        for folder in DAEMON_FOLDERS:
            source = self.build / folder
            if not source.is_dir():
                continue
            for entry in sorted(source.iterdir()):
                if entry.is_file() and not entry.is_symlink() and os.access(entry, os.X_OK):
                    target = self.libexec / entry.name
                    if not target.exists():
                        target.symlink_to(entry)

    # ---- commands -------------------------------------------------------

    def tern(self, *args, check=True):
        """Runs `tern -c CONFIG_DIR ARGS...`; raises TernCommandError on failure when check."""
        return run_captured([self.tern_path, "-c", self.config_dir, *args], check=check)

    def start(self):
        result = self.tern("start")
        self.wait_for(self.master_pid, what="master to hold its pid-file lock")
        return result

    def stop(self):
        """Stops master, then waits until none of this instance's processes is left."""
        result = self.tern("stop")
        self.wait_for(lambda: self.master_pid() is None, what="master to exit")
        self.wait_for(lambda: not self.processes(), what="the daemons to exit after stop")
        return result

    def reload(self):
        return self.tern("reload")

    def master_pid(self):
        """The pid of this instance's running master, or None."""
        return lock_holder(self.queue_dir / "pid" / "master.pid")

    # ---- files ----------------------------------------------------------

    def write_master_cf(self, text):
        (self.config_dir / "master.cf").write_text(text)

    def set_main_cf(self, **settings):
        """Replaces each name's line (and its continuation lines) in main.cf, or appends it."""
        path = self.config_dir / "main.cf"
        lines = path.read_text().splitlines()
        for name, value in settings.items():
            line = f"{name} = {value}"
            pattern = re.compile(rf"^{re.escape(name)}\s*=")
            kept, replaced, skipping = [], False, False
            for old in lines:
                if skipping and old[:1] in (" ", "\t") and old.strip():
                    continue
                skipping = False
                if pattern.match(old):
                    if not replaced:
                        kept.append(line)
                    replaced, skipping = True, True
                    continue
                kept.append(old)
            if not replaced:
                kept.append(line)
            lines = kept
        path.write_text("\n".join(lines) + "\n")

    def log_text(self):
        try:
            return self.maillog.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _log_tail(self):
        lines = self.log_text().splitlines()[-LOG_TAIL_LINES:]
        return "\n".join(lines) if lines else "(maillog is empty)"

    # ---- waiting --------------------------------------------------------

    def wait_for(self, cond, timeout=10, what=""):
        """Polls cond() until it is true; returns its value, or raises AssertionError naming what."""
        deadline = time.monotonic() + timeout
        while True:
            value = cond()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what or cond}\n"
                                     f"last maillog lines:\n{self._log_tail()}")
            time.sleep(POLL_INTERVAL_S)

    def wait_for_log(self, regex, timeout=10):
        """Waits until the maillog matches regex (re.MULTILINE); returns the match."""
        pattern = re.compile(regex, re.MULTILINE)
        return self.wait_for(lambda: pattern.search(self.log_text()), timeout=timeout,
                             what=f"maillog to match {regex!r}")

    # ---- processes ------------------------------------------------------

    def processes(self):
        """(pid, name) of every live process of this instance's daemons: argv[0]
        under libexec/, or a built daemon's executable whose root (chroot),
        environment (MAIL_CONFIG) or arguments name this instance."""
        prefix = str(self.libexec) + "/"
        programs = self._daemon_programs()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            argv = self._read_proc(pid, "cmdline").split(b"\0")
            argv0 = argv[0].decode("utf-8", "replace")
            if argv0.startswith(prefix):
                found.append((pid, argv0[len(prefix):]))
                continue
            try:
                exe = os.readlink(f"/proc/{pid}/exe")
            except OSError:
                continue
            if exe in programs and self._belongs_here(pid, argv):
                found.append((pid, programs[exe]))
        return found

    def _daemon_programs(self):
        """{real path: name} of every program linked into libexec/."""
        programs = {}
        for link in self.libexec.iterdir():
            programs[os.path.realpath(link)] = link.name
        return programs

    def _belongs_here(self, pid, argv):
        try:
            if os.path.realpath(f"/proc/{pid}/root") == os.path.realpath(self.queue_dir):
                return True
        except OSError:
            pass
        config = str(self.config_dir).encode()
        if config in argv:
            return True
        return b"MAIL_CONFIG=" + config in self._read_proc(pid, "environ").split(b"\0")

    @staticmethod
    def _read_proc(pid, name):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as handle:
                return handle.read()
        except OSError:
            return b""

    def kill_leftovers(self):
        """SIGKILLs whatever processes() finds; returns what it found."""
        leftovers = self.processes()
        for pid, _ in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return leftovers

    def close(self, keep=False):
        """Stops the instance if it runs, SIGKILLs leftovers and removes .root
        (unless keep or TERN_KEEP_INSTANCE); returns the leftovers killed."""
        leftovers = []
        try:
            if self.master_pid() is not None:
                self.tern("stop", check=False)
        finally:
            leftovers = self.kill_leftovers()
            if not keep and not os.environ.get("TERN_KEEP_INSTANCE"):
                shutil.rmtree(self.root, ignore_errors=True)
        return leftovers

    @staticmethod
    def free_port():
        """A TCP port on 127.0.0.1 that nothing listens on right now."""
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]
