"""tests/integration/test_tern.py - the tern command: usage, init, check, start/status/stop

What an administrator sees from tern(1): Postfix's postfix-script messages
with "tern" in them, exit codes, the files init writes, the queue folders
check makes, and a master that start, status, reload, stop and abort
drive through its pid-file lock.
"""

import os
import re
import signal
import socket
import stat
import subprocess
import grp
import pwd

import pytest

from tern_instance import Instance, run_captured

QUEUE_FOLDERS = {
    # name: (owner, group or None, mode)
    "pid": ("root", None, 0o755),
    "maildrop": ("tern", "terndrop", 0o730),
    "public": ("tern", "terndrop", 0o710),
    "private": ("tern", None, 0o700),
    "incoming": ("tern", None, 0o700),
    "active": ("tern", None, 0o700),
    "deferred": ("tern", None, 0o700),
    "hold": ("tern", None, 0o700),
    "corrupt": ("tern", None, 0o700),
    "bounce": ("tern", None, 0o700),
    "defer": ("tern", None, 0o700),
}

# One service, so a running master has a daemon to start and to stop.
ECHO_MASTER_CF = "{port} inet n - n - - test-service\n"


def tern_plain(build, *args, env=None):
    return run_captured([build / "tools" / "tern" / "tern", *args], check=False, env=env)


def line_of(path, name):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if re.match(rf"{re.escape(name)}\s*=", line):
            return number
    raise AssertionError(f"{name} not in {path}")


def echo_instance(instance):
    port = Instance.free_port()
    instance.write_master_cf(ECHO_MASTER_CF.format(port=f"127.0.0.1:{port}"))
    return port


def greeting(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        return client.makefile("r").readline()


# ---- usage ---------------------------------------------------------------

def test_no_command_prints_usage_and_exits_1(build):
    result = tern_plain(build)
    assert result.returncode == 1
    assert "tern: fatal: usage: tern [-c config_dir] [-v] command" in result.stderr


def test_bad_option_prints_usage_and_exits_1(build):
    result = tern_plain(build, "-x", "status")
    assert result.returncode == 1
    assert "usage: tern [-c config_dir] [-v] command" in result.stderr


def test_unknown_command_is_named_with_the_list_of_commands(build):
    result = tern_plain(build, "bogus")
    assert result.returncode == 1
    assert ("tern/tern-script: fatal: unknown command: 'bogus'. Usage: tern start "
            "(or stop, reload, abort, flush, check, status, init)") in result.stderr


def test_relative_config_directory_is_refused(build):
    result = tern_plain(build, "-c", "relative/dir", "status")
    assert result.returncode == 1
    assert "tern: fatal: -c requires absolute pathname" in result.stderr


def test_control_commands_are_for_root_only(instance):
    result = run_captured(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                           instance.tern_path, "-c", instance.config_dir, "status"], check=False)
    assert result.returncode == 1
    assert "tern: fatal: the tern command is reserved for the superuser" in result.stderr


def _command_directory_with_postqueue(instance):
    """A command_directory holding the built postqueue, as make install would."""
    commands = instance.root / "sbin"
    commands.mkdir()
    (commands / "postqueue").symlink_to(instance.build / "tools" / "postqueue" / "postqueue")
    instance.set_main_cf(command_directory=str(commands))


def test_flush_says_the_mail_system_is_down_without_qmgr(instance):
    _command_directory_with_postqueue(instance)
    result = instance.tern("flush", check=False)
    assert result.returncode != 0
    assert "Cannot flush mail queue - mail system is down" in result.stderr


def test_flush_asks_qmgr_to_scan_deferred_mail_and_wakes_pickup(instance):
    _command_directory_with_postqueue(instance)
    public = instance.queue_dir / "public"
    public.mkdir(parents=True, exist_ok=True)
    listeners = {}
    for name in ("qmgr", "pickup"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(public / name))
        sock.listen(1)
        sock.settimeout(10)
        listeners[name] = sock
    try:
        result = instance.tern("flush", check=False)
        assert result.returncode == 0, result.stderr
        received = {}
        for name, sock in listeners.items():
            peer, _ = sock.accept()
            with peer:
                peer.settimeout(10)
                received[name] = peer.recv(64)
        assert b"D" in received["qmgr"] and b"I" in received["qmgr"]
        assert received["pickup"] == b"W"
    finally:
        for sock in listeners.values():
            sock.close()


# ---- init ----------------------------------------------------------------

def test_init_writes_main_cf_and_master_cf_with_the_overrides(instance):
    main_cf = (instance.config_dir / "main.cf").read_text()
    assert re.search(rf"^queue_directory\s*=\s*{re.escape(str(instance.queue_dir))}\s*$", main_cf, re.M)
    assert re.search(r"^service_throttle_time\s*=\s*2s\s*$", main_cf, re.M)
    assert re.search(r"^mail_owner\s*=\s*tern\s*$", main_cf, re.M)
    assert (instance.config_dir / "master.cf").read_text().strip()
    instance.tern("check")  # what init writes is a valid configuration


def test_init_refuses_to_overwrite(instance):
    main_cf = instance.config_dir / "main.cf"
    before = main_cf.read_text()
    result = instance.tern("init", str(instance.config_dir), "myhostname=other.example", check=False)
    assert result.returncode == 1
    assert str(instance.config_dir) in result.stderr
    assert main_cf.read_text() == before


def test_init_refuses_a_setting_without_equals(build, tmp_path):
    result = tern_plain(build, "init", str(tmp_path / "new"), "myhostname")
    assert result.returncode == 1
    assert "expected name=value: myhostname" in result.stderr
    assert not (tmp_path / "new" / "main.cf").exists()


# ---- check ---------------------------------------------------------------

def test_check_creates_the_queue_with_postfix_owners_and_modes(instance):
    assert not instance.queue_dir.exists()
    result = instance.tern("check")
    assert "warning" not in result.stderr
    top = instance.queue_dir.stat()
    assert (top.st_uid, stat.S_IMODE(top.st_mode)) == (0, 0o755)
    for name, (owner, group, mode) in QUEUE_FOLDERS.items():
        info = os.lstat(instance.queue_dir / name)
        assert stat.S_ISDIR(info.st_mode), name
        assert pwd.getpwuid(info.st_uid).pw_name == owner, name
        if group:
            assert grp.getgrgid(info.st_gid).gr_name == group, name
        assert stat.S_IMODE(info.st_mode) == mode, name


def test_check_warns_about_a_wrong_owner_and_mode_but_succeeds(instance):
    instance.tern("check")
    os.chmod(instance.queue_dir / "hold", 0o755)
    os.chown(instance.queue_dir / "incoming", 0, 0)
    result = instance.tern("check")
    assert (f"tern/tern-script: warning: wrong mode 0755, expected 0700: {instance.queue_dir}/hold"
            in result.stderr)
    assert f"tern/tern-script: warning: not owned by tern: {instance.queue_dir}/incoming" in result.stderr
    assert stat.S_IMODE(os.stat(instance.queue_dir / "hold").st_mode) == 0o755  # warned, not changed
    assert "not owned by tern" in instance.log_text()


def test_check_refuses_a_symbolic_link_in_the_queue(instance, tmp_path):
    instance.tern("check")
    os.rmdir(instance.queue_dir / "deferred")
    os.symlink(tmp_path, instance.queue_dir / "deferred")
    result = instance.tern("check", check=False)
    assert result.returncode == 1
    assert f"symbolic link in the queue, refused: {instance.queue_dir}/deferred" in result.stderr


def test_check_names_file_line_and_parameter_of_a_bad_value(instance):
    instance.set_main_cf(service_throttle_time="soon")
    main_cf = instance.config_dir / "main.cf"
    line = line_of(main_cf, "service_throttle_time")
    result = instance.tern("check", check=False)
    assert result.returncode == 1
    assert "fatal" in result.stderr
    assert f"{main_cf}, line {line}" in result.stderr
    assert "service_throttle_time" in result.stderr


def test_check_fails_without_master_cf(instance):
    (instance.config_dir / "master.cf").unlink()
    result = instance.tern("check", check=False)
    assert result.returncode == 1
    assert f"tern/tern-script: fatal: no {instance.config_dir}/master.cf file found" in result.stderr


# ---- running -------------------------------------------------------------

@pytest.mark.parametrize("command", ["stop", "abort", "reload"])
def test_commands_that_need_a_master_fail_when_stopped(instance, command):
    result = instance.tern(command, check=False)
    assert result.returncode == 1
    assert "tern/tern-script: fatal: the tern mail system is not running" in result.stderr


def test_status_when_stopped(instance):
    result = instance.tern("status", check=False)
    assert result.returncode == 1
    assert "tern/tern-script: the tern mail system is not running" in result.stderr


def test_start_status_stop_round_trip(instance):
    port = echo_instance(instance)
    started = instance.start()
    assert "tern/tern-script: starting the tern mail system" in started.stderr
    pid = instance.master_pid()
    status = instance.tern("status")
    assert f"tern/tern-script: the tern mail system is running: PID: {pid}" in status.stderr
    assert greeting(port).startswith("hello from test-service")
    assert {name for _, name in instance.processes()} >= {"master", "test-service"}
    instance.wait_for_log(r"tern/tern-script\[\d+\]: starting the tern mail system")

    stopped = instance.stop()
    assert "tern/tern-script: stopping the tern mail system" in stopped.stderr
    assert instance.processes() == []
    result = instance.tern("status", check=False)
    assert result.returncode == 1
    assert "not running" in result.stderr


def test_second_start_is_refused(instance):
    echo_instance(instance)
    instance.start()
    pid = instance.master_pid()
    result = instance.tern("start", check=False)
    assert result.returncode == 1
    assert "tern/tern-script: fatal: the tern mail system is already running" in result.stderr
    assert instance.master_pid() == pid


def test_start_with_a_bad_main_cf_fails_and_leaves_nothing_running(instance):
    instance.set_main_cf(service_throttle_time="soon")
    result = instance.tern("start", check=False)
    assert result.returncode == 1
    assert "service_throttle_time" in result.stderr
    assert instance.master_pid() is None
    assert instance.processes() == []


def test_start_fails_when_master_cannot_start(instance):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        instance.write_master_cf(ECHO_MASTER_CF.format(port=f"127.0.0.1:{port}"))
        result = instance.tern("start", check=False)
    assert result.returncode == 1
    assert "tern/tern-script: fatal: mail system startup failed" in result.stderr
    assert instance.master_pid() is None
    assert instance.processes() == []


def test_stop_kills_a_master_that_does_not_exit_with_force(instance):
    port = echo_instance(instance)
    instance.start()
    assert greeting(port).startswith("hello from test-service")
    pid = instance.master_pid()
    os.kill(pid, signal.SIGSTOP)  # SIGTERM stays pending; SIGKILL still works
    result = instance.tern("stop")
    assert "tern/tern-script: waiting for the tern mail system to terminate" in result.stderr
    assert "tern/tern-script: warning: stopping the tern mail system with force" in result.stderr
    assert instance.master_pid() is None
    instance.wait_for(lambda: not instance.processes(), what="master's process group to be gone")


def test_reload_keeps_the_same_master(instance):
    echo_instance(instance)
    instance.start()
    pid = instance.master_pid()
    result = instance.reload()
    assert "tern/tern-script: refreshing the tern mail system" in result.stderr
    instance.wait_for_log(r"tern/tern-script\[\d+\]: refreshing the tern mail system")
    assert instance.master_pid() == pid


def test_abort_stops_master_without_waiting(instance):
    echo_instance(instance)
    instance.start()
    result = instance.tern("abort")
    assert "tern/tern-script: aborting the tern mail system" in result.stderr
    instance.wait_for(lambda: instance.master_pid() is None, what="master to exit after abort")
    instance.wait_for(lambda: not instance.processes(), what="daemons to exit after abort")


def test_mail_config_selects_the_instance(instance, build):
    env = dict(os.environ, MAIL_CONFIG=str(instance.config_dir))
    result = tern_plain(build, "check", env=env)
    assert result.returncode == 0, result.stderr
    assert (instance.queue_dir / "incoming").is_dir()


def test_harness_set_main_cf_replaces_and_appends(instance):
    instance.set_main_cf(mail_owner="nobody", myhostname="mx.example")
    text = (instance.config_dir / "main.cf").read_text()
    assert len(re.findall(r"^mail_owner\s*=", text, re.M)) == 1
    assert re.search(r"^mail_owner = nobody$", text, re.M)
    assert re.search(r"^myhostname = mx.example$", text, re.M)


def test_harness_wait_for_names_what_it_waited_for(instance):
    with pytest.raises(AssertionError, match="the impossible"):
        instance.wait_for(lambda: False, timeout=0.2, what="the impossible")


def test_tern_check_true_raises_with_the_output(instance):
    with pytest.raises(subprocess.CalledProcessError) as failure:
        instance.tern("stop")
    assert "not running" in str(failure.value)
