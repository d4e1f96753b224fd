"""tests/integration/test_master.py - master(8) and the event-server skeleton

Starts throw-away instances whose master.cf runs tests/support/test-service
(written only with lib/mail/event_server) and checks what master promises:
listeners on unix and inet sockets, a new process after kill -9, throttling
of a daemon that dies at start, SIGHUP reload, a clean stop, one master per
queue, queue folders made by master itself, privilege drop and chroot, and
a Postfix master.cf that starts with one warning per service tern covers
elsewhere.
"""

import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest

IO_TIMEOUT_S = 10
HELLO = re.compile(r"hello from test-service pid=(\d+) uid=(\d+) root=(\S+) service=(\S+)")


def read_line(sock):
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace")


def hello(sock):
    line = read_line(sock)
    match = HELLO.match(line)
    assert match, f"unexpected greeting {line!r}"
    return {"pid": int(match[1]), "uid": int(match[2]), "root": match[3], "service": match[4]}


def connect_unix(inst, name, private=True):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(IO_TIMEOUT_S)
    sock.connect(str(inst.queue_dir / ("private" if private else "public") / name))
    return sock


def connect_inet(port):
    return socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)


def greet_unix(inst, name):
    with connect_unix(inst, name) as sock:
        return hello(sock)


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            return "State:\tZ" not in status.read()
    except OSError:
        return False


def refused(inst, name):
    try:
        with connect_unix(inst, name) as sock:
            return sock.recv(1) == b""
    except (ConnectionRefusedError, FileNotFoundError):
        return True


def proc_uid(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise AssertionError(f"no Uid line for pid {pid}")


def only_test_daemons(inst):
    """Leaves only master and test-service in libexec/, so real daemons built
    by now do not start from a Postfix master.cf."""
    for entry in inst.libexec.iterdir():
        if entry.name not in ("master", "test-service"):
            entry.unlink()


def test_unix_and_inet_listeners_serve_clients(instance):
    port = instance.free_port()
    instance.write_master_cf(
        "echo unix - n n - - test-service\n"
        f"127.0.0.1:{port} inet n - n - - test-service\n")
    instance.start()
    with connect_unix(instance, "echo") as sock:
        greeting = hello(sock)
        assert greeting["service"] == "echo"
        sock.sendall(b"ping\r\n")
        assert read_line(sock) == "ping\n"
    with connect_inet(port) as sock:
        greeting = hello(sock)
        assert greeting["service"] == f"127.0.0.1:{port}"
        sock.sendall(b"pong\n")
        assert read_line(sock) == "pong\n"
    instance.wait_for_log(r"tern/master\[\d+\]: daemon started -- version \S+, configuration ")


def test_killed_child_is_replaced(instance):
    instance.write_master_cf("echo unix - n n - - test-service\n")
    instance.start()
    first = greet_unix(instance, "echo")["pid"]
    os.kill(first, 9)
    instance.wait_for(lambda: not pid_alive(first), what="the killed child to go away")
    second = greet_unix(instance, "echo")["pid"]
    assert second != first
    instance.wait_for_log(rf"warning: process \S+/test-service pid {first} killed by signal 9")
    assert "bad command startup" not in instance.log_text()


def test_failing_service_is_throttled(instance):
    instance.write_master_cf("bad unix - n n - - test-service -x\n")
    instance.start()
    exits = re.compile(r"warning: process \S+/test-service pid \d+ exit status 1")
    throttles = re.compile(r"warning: \S+/test-service: bad command startup -- throttling")
    # The waiting connection makes master start a process; it stays in the
    # backlog, so after each throttle period master tries once more.
    with connect_unix(instance, "bad"):
        began = time.monotonic()
        instance.wait_for_log(throttles.pattern)
        instance.wait_for(lambda: len(throttles.findall(instance.log_text())) >= 2, timeout=15,
                          what="a second throttle after service_throttle_time")
        elapsed = time.monotonic() - began
    spawns = len(exits.findall(instance.log_text()))
    assert elapsed >= 1.5, f"restarted after {elapsed:.2f}s despite service_throttle_time=2s"
    assert spawns <= 3, f"{spawns} failed starts in {elapsed:.1f}s: not throttled"


def test_reload_adds_removes_and_restarts(instance):
    instance.write_master_cf(
        "keep unix - n n - - test-service\n"
        "change unix - n n - - test-service\n"
        "gone unix - n n - - test-service\n")
    instance.start()
    keep = greet_unix(instance, "keep")["pid"]
    change = greet_unix(instance, "change")["pid"]
    gone = greet_unix(instance, "gone")["pid"]
    instance.write_master_cf(
        "keep unix - n n - - test-service\n"
        "change unix - n n - - test-service extra-argument\n"
        "added unix - n n - - test-service\n")
    instance.reload()
    instance.wait_for_log(r"tern/master\[\d+\]: reload -- version \S+, configuration ")
    instance.wait_for(lambda: not pid_alive(gone), what="the removed service's process to exit")
    instance.wait_for(lambda: not pid_alive(change), what="the changed service's old process to exit")
    instance.wait_for(lambda: refused(instance, "gone"), what="the removed service's socket to refuse")
    assert greet_unix(instance, "added")["service"] == "added"
    assert greet_unix(instance, "change")["pid"] != change
    assert greet_unix(instance, "keep")["pid"] == keep
    assert pid_alive(keep)


def test_stop_leaves_no_process(instance):
    port = instance.free_port()
    instance.write_master_cf(
        "echo unix - n n - - test-service\n"
        f"127.0.0.1:{port} inet n - y - - test-service\n"
        "tick fifo n - n 1 1 test-service\n")
    instance.start()
    idle = connect_unix(instance, "echo")
    hello(idle)
    with connect_inet(port) as sock:
        hello(sock)
    assert len(instance.processes()) >= 4  # master and three children
    instance.stop()
    idle.close()
    assert instance.processes() == []
    assert not (instance.queue_dir / "pid" / "master.pid").exists()
    instance.wait_for_log(r"tern/master\[\d+\]: terminating on signal 15")


def test_second_master_is_refused(instance):
    instance.write_master_cf("echo unix - n n - - test-service\n")
    master = instance.libexec / "master"
    config = str(instance.config_dir)
    assert subprocess.run([master, "-t", "-c", config]).returncode == 0
    instance.start()
    first = instance.master_pid()
    assert subprocess.run([master, "-t", "-c", config]).returncode == 1
    second = subprocess.run([master, "-c", config], capture_output=True, text=True, timeout=30)
    assert second.returncode != 0
    assert "the tern mail system is already running" in second.stderr
    again = instance.tern("start", check=False)
    assert again.returncode != 0
    assert instance.master_pid() == first
    assert greet_unix(instance, "echo")["service"] == "echo"


def test_master_creates_missing_queue_folders_and_warns_about_a_wrong_mode(instance):
    """master itself (not only `tern start`, which runs tern check) makes the queue."""
    instance.write_master_cf("echo unix - n n - - test-service\n")
    assert not instance.queue_dir.exists()
    master = instance.libexec / "master"
    subprocess.run([master, "-c", str(instance.config_dir)], check=True, timeout=30)
    instance.wait_for(instance.master_pid, what="master to hold its pid-file lock")
    for name in ("pid", "maildrop", "public", "private", "incoming", "active", "deferred", "hold"):
        assert (instance.queue_dir / name).is_dir(), name
    assert stat.S_IMODE(os.stat(instance.queue_dir / "private").st_mode) == 0o700
    assert stat.S_IMODE(os.stat(instance.queue_dir / "public").st_mode) == 0o710
    instance.stop()
    os.chmod(instance.queue_dir / "hold", 0o755)
    subprocess.run([master, "-c", str(instance.config_dir)], check=True, timeout=30)
    instance.wait_for(instance.master_pid, what="master to hold its pid-file lock")
    instance.wait_for_log(rf"tern/master\[\d+\]: warning: wrong mode 0755, expected 0700: "
                          rf"{re.escape(str(instance.queue_dir))}/hold")
    assert stat.S_IMODE(os.stat(instance.queue_dir / "hold").st_mode) == 0o755  # warned, not changed
    assert greet_unix(instance, "echo")["service"] == "echo"

def test_child_drops_privileges_and_chroots(instance):
    instance.write_master_cf(
        "jailed unix - - y - - test-service\n"
        "rooted unix - n n - - test-service\n")
    instance.start()
    tern_uid = pwd.getpwnam("tern").pw_uid
    jailed = greet_unix(instance, "jailed")
    assert proc_uid(jailed["pid"]) == tern_uid
    assert jailed["uid"] == tern_uid
    assert os.path.realpath(os.readlink(f"/proc/{jailed['pid']}/root")) == \
        os.path.realpath(instance.queue_dir)
    rooted = greet_unix(instance, "rooted")
    assert proc_uid(rooted["pid"]) == 0
    assert os.readlink(f"/proc/{rooted['pid']}/root") == "/"


POSTFIX_MASTER_CF = Path("/usr/share/postfix/master.cf.dist")


@pytest.mark.skipif(not POSTFIX_MASTER_CF.exists(), reason="the postfix package is not installed")
def test_postfix_master_cf_starts_with_warnings(instance):
    only_test_daemons(instance)
    port = instance.free_port()
    text = POSTFIX_MASTER_CF.read_text()
    text, count = re.subn(r"^smtp\s+inet\s.*$", f"127.0.0.1:{port} inet n - n - - test-service",
                          text, count=1, flags=re.MULTILINE)
    assert count == 1
    instance.write_master_cf(text)
    instance.start()
    with connect_inet(port) as sock:
        assert hello(sock)["service"] == f"127.0.0.1:{port}"
    log = instance.log_text()
    skipped = re.findall(r"warning: \S+, line \d+: service (\S+): skipped: tern does this in", log)
    for service in ("tlsmgr", "rewrite", "anvil", "scache", "proxymap", "maildrop"):
        assert skipped.count(service) == 1, f"{service}: {skipped.count(service)} warnings\n{log}"
    assert len(skipped) == len(set(skipped))
    assert re.search(r"service pickup: skipped: command \S+ not found", log)
    assert "fatal" not in log


def test_wakeup_timer_and_maxproc(instance):
    instance.write_master_cf(
        "tick fifo n - n 1 1 test-service\n"
        "pair unix - n n - 2 test-service\n")
    instance.start()
    wakeups = re.compile(r"tern/test-service\[\d+\]: wakeup service=tick")
    instance.wait_for(lambda: len(wakeups.findall(instance.log_text())) >= 2,
                      what="two wakeups of the fifo service")
    first = connect_unix(instance, "pair")
    second = connect_unix(instance, "pair")
    third = connect_unix(instance, "pair")  # waits in the backlog: maxproc is 2
    try:
        one, two = hello(first)["pid"], hello(second)["pid"]
        assert one != two, "a busy process was handed a second client"
        third.settimeout(1)
        with pytest.raises(socket.timeout):
            third.recv(1)
        first.close()
        third.settimeout(IO_TIMEOUT_S)
        assert hello(third)["pid"] == one
    finally:
        for sock in (first, second, third):
            sock.close()
    names = [name for _, name in instance.processes()]
    assert names.count("test-service") == 3  # tick and the two of pair


def test_start_fails_when_a_port_is_taken(instance):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        instance.write_master_cf(f"127.0.0.1:{port} inet n - n - - test-service\n")
        result = instance.tern("start", check=False)
        assert result.returncode != 0
        assert instance.master_pid() is None
        instance.wait_for_log(rf"fatal: service 127\.0\.0\.1:{port}: bind 127\.0\.0\.1 port {port}: "
                              r"Address already in use")
    assert instance.processes() == []
