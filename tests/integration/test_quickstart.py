"""tests/integration/test_quickstart.py - the Quick start's first command, as a person runs it

scripts/start-instance must build, install, write an instance with tern init
and start it; run again it reuses the instance, restarts master, and keeps
whatever is in the queue and the mail folders. The instance takes mail on
127.0.0.1:2525 and delivers any address of its domain (localhost.localdomain)
into a Maildir under the instance's mail/ folder, as the README says.
"""
import os
import pwd
import smtplib
import subprocess
import time
import tempfile
from pathlib import Path

import pytest

START_TIMEOUT_S = 600


def run_start_instance(instance_dir):
    src = Path(os.environ["TERN_SRC"])
    env = dict(os.environ, TERN_INSTANCE=str(instance_dir))
    return subprocess.run([str(src / "scripts" / "start-instance")], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=START_TIMEOUT_S)


def tern(instance_dir, *args):
    return subprocess.run([str(instance_dir / "prefix" / "sbin" / "tern"), "-c", str(instance_dir / "config"),
                           *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def instance_dir():
    path = Path(tempfile.mkdtemp(prefix="tern-quickstart-"))
    path.chmod(0o755)
    yield path
    tern(path, "stop")
    subprocess.run(["rm", "-rf", str(path)], check=False)


def master_pid(instance_dir):
    status = tern(instance_dir, "status")
    assert status.returncode == 0, status.stderr
    return int(status.stderr.strip().rsplit(" ", 1)[-1])


def send_to_port_2525(recipient, subject):
    """Sends one message over SMTP; returns its queue ID."""
    deadline = time.monotonic() + 30
    while True:
        try:
            client = smtplib.SMTP("127.0.0.1", 2525, timeout=30)
            break
        except OSError:
            assert time.monotonic() < deadline, "nothing listens on 127.0.0.1:2525"
            time.sleep(0.1)
    with client:
        client.ehlo("quickstart.test")
        client.mail("someone@example.org")
        code, reply = client.rcpt(recipient)
        assert code == 250, reply
        code, reply = client.data(f"Subject: {subject}\r\n\r\nhello\r\n".encode())
    assert code == 250, reply
    return reply.decode().rsplit(" ", 1)[-1]


def wait_for_maildir_message(maildir, subject, timeout=60):
    """The path of the message with this subject in maildir/new, once it is there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((maildir / "new").glob("*")) if (maildir / "new").is_dir() else []:
            if f"Subject: {subject}\n".encode() in path.read_bytes():
                return path
        time.sleep(0.1)
    raise AssertionError(f"no message '{subject}' in {maildir}/new within {timeout}s")


def test_start_instance_starts_then_restarts_and_keeps_mail(instance_dir):
    first = run_start_instance(instance_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "starting the tern mail system" in first.stderr
    main_cf = (instance_dir / "config" / "main.cf").read_text()
    assert f"queue_directory = {instance_dir}/queue" in main_cf
    assert "mail_owner = tern" in main_cf and "setgid_group = terndrop" in main_cf
    first_pid = master_pid(instance_dir)
    send_to_port_2525("someone@localhost.localdomain", "quick start")
    delivered = wait_for_maildir_message(instance_dir / "mail" / "someone", "quick start")
    assert delivered.stat().st_uid == pwd.getpwnam("tern").pw_uid
    assert b"Delivered-To: someone@localhost.localdomain\n" in delivered.read_bytes()

    kept = [instance_dir / "queue" / "hold" / "KEEPME1", instance_dir / "mail" / "KEEPME2"]
    for path in kept:
        path.write_text("mail that must survive a second start\n")
    (instance_dir / "config" / "main.cf").write_text(main_cf + "# an edit a second run must keep\n")

    second = run_start_instance(instance_dir)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "stopping the tern mail system" in second.stderr
    assert master_pid(instance_dir) != first_pid
    for path in kept:
        assert path.read_text() == "mail that must survive a second start\n"
    assert delivered.is_file()
    send_to_port_2525("other+tag@localhost.localdomain", "second start")
    wait_for_maildir_message(instance_dir / "mail" / "other", "second start")
    assert (instance_dir / "config" / "main.cf").read_text().endswith("# an edit a second run must keep\n")
