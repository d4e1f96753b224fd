r"""tests/integration/test_pickup.py - pickup(8): maildrop/ to cleanup

Mail is submitted with sendmail while master is stopped (it waits in
maildrop/), then master starts with pickup. FakeCleanup plays cleanup on
public/cleanup, so the tests can see exactly what pickup sends (read with
attr_client.py) and pick cleanup's verdict (4xx, 5xx); the last tests run
the real cleanup from master.cf and check the queue file in incoming/ with
queue_file.py, and a header_checks REJECT.
"""

import os
import socket
import threading
import time

import pytest

from attr_client import AttrConnection
from queue_file import read_queue_file
from test_sendmail import Drop

PICKUP_CF = "pickup unix n - n 60 1 pickup\n"
IO_TIMEOUT_S = 10


# ---- a fake cleanup ------------------------------------------------------------

class FakeCleanup:
    """Serves public/cleanup; verdicts is a list of (status, reason) used in
    turn (the last one repeats). messages: one dict per finished message:
    envelope (dict), recipients (list of dicts), content (bytes), queue_id."""

    def __init__(self, instance, verdicts=((0, None),)):
        self.path = instance.queue_dir / "public" / "cleanup"
        self.verdicts = list(verdicts)
        self.messages = []
        self.count = 0
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if self.path.exists():
            self.path.unlink()
        self.listener.bind(str(self.path))
        os.chmod(self.path, 0o666)
        self.listener.listen(10)
        self.listener.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            with conn:
                try:
                    self._one(AttrConnection(conn, IO_TIMEOUT_S))
                except (EOFError, OSError):
                    pass

    def _one(self, conn):
        self.count += 1
        queue_id = f"1xVjby0000{self.count}"  # a valid ID: time digits, inode = count
        conn.send([("status", "0"), ("queue_id", queue_id)])
        message = {"queue_id": queue_id, "envelope": None, "recipients": [], "content": b""}
        while True:
            attrs = conn.receive()
            request = attrs.pop("request")
            if request == "envelope":
                message["envelope"] = attrs
            elif request == "recipient":
                message["recipients"].append(attrs)
            elif request == "content":
                message["content"] += attrs["data"].encode("utf-8", "surrogateescape")
            elif request == "end":
                break
        status, reason = self.verdicts[min(self.count - 1, len(self.verdicts) - 1)]
        reason = reason or f"250 2.0.0 Ok: queued as {queue_id}"
        reply = [("status", str(status))] + ([("queue_id", queue_id)] if status == 0 else []) + [("reason", reason)]
        conn.send(reply)
        self.messages.append(message)

    def close(self):
        self.running = False
        self.thread.join()
        self.listener.close()


@pytest.fixture
def drop(instance):
    instance.write_master_cf(PICKUP_CF)
    return Drop(instance)


@pytest.fixture
def fake_cleanup(request, drop):
    fakes = []

    def make(verdicts=((0, None),)):
        fake = FakeCleanup(drop.instance, verdicts)
        fakes.append(fake)
        return fake
    yield make
    for fake in fakes:
        fake.close()


def mtime_text(path):
    ns = os.stat(path).st_mtime_ns
    return f"{ns // 10**9}.{(ns // 1000) % 10**6:06d}"


def wake_pickup(instance):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(IO_TIMEOUT_S)
        sock.connect(str(instance.queue_dir / "public" / "pickup"))
        sock.sendall(b"W")


def test_maildrop_file_goes_to_cleanup_with_trusted_envelope(drop, fake_cleanup):
    body = b"Subject: pickup\n\n..dots stay\n\xff\x00 bytes\n"
    r = drop.run("-f", "s@example.com", "-F", "Full Name", "-N", "success", "-V", "env-1", "-R", "full",
                 "a@x.example", "b@y.example", data=body)
    assert r.returncode == 0, r.stderr
    path = drop.only_file()
    arrival = mtime_text(path)
    fake = fake_cleanup()
    drop.instance.start()
    drop.instance.wait_for(lambda: not drop.files(), what="maildrop/ to be empty")
    drop.instance.wait_for(lambda: fake.messages, what="cleanup to get the message")
    [message] = fake.messages
    assert message["envelope"] == {
        "sender": "s@example.com", "flags": "7", "envid": "env-1", "ret": "FULL", "protocol": "local",
        "submit_uid": "0", "submit_user": "root", "full_name": "Full Name", "arrival": arrival}
    assert message["recipients"] == [{"address": "a@x.example", "notify": "2"},
                                     {"address": "b@y.example", "notify": "2"}]
    assert message["content"] == b"Subject: pickup\r\n\r\n..dots stay\r\n\xff\x00 bytes\r\n"
    drop.instance.wait_for_log(rf"tern/pickup\[\d+\]: {message['queue_id']}: uid=0 from=<s@example.com>$")


def test_bad_entries_go_to_corrupt_and_links_are_not_followed(drop, fake_cleanup):
    maildrop, corrupt = drop.maildrop, drop.instance.queue_dir / "corrupt"
    assert drop.run("r@x.example", data=b"hi\n").returncode == 0
    good = drop.only_file().name
    secret = drop.instance.root / "secret"
    secret.write_bytes(b"not for pickup\n")
    (maildrop / "GARBAGE").write_bytes(b"this is no queue file")
    (maildrop / "LINK").symlink_to(secret)
    os.link(maildrop / good, maildrop / "HARDLINK")
    os.mkfifo(maildrop / "FIFO")
    (maildrop / "tmp.1.0").write_bytes(b"being written")
    stale = maildrop / "tmp.2.0"
    stale.write_bytes(b"left over")
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))
    fake = fake_cleanup()
    drop.instance.start()
    drop.instance.wait_for_log(r"warning: maildrop/tmp\.2\.0: removed a temporary file older than a day")
    for name in ("GARBAGE", "LINK", "FIFO"):
        drop.instance.wait_for(lambda n=name: os.path.lexists(corrupt / n), what=f"corrupt/{name}")
        drop.instance.wait_for_log(rf"warning: .*maildrop/{name}.*: moving maildrop/{name} to corrupt/")
    assert os.path.islink(corrupt / "LINK") and os.readlink(corrupt / "LINK") == str(secret)
    # Two links to one file: both names are refused, nothing is sent.
    drop.instance.wait_for(lambda: os.path.exists(corrupt / "HARDLINK"), what="corrupt/HARDLINK")
    drop.instance.wait_for(lambda: os.path.exists(corrupt / good), what=f"corrupt/{good}")
    assert secret.read_bytes() == b"not for pickup\n"
    assert drop.files() == ["tmp.1.0"]
    assert fake.messages == []


def test_deferred_file_is_kept_and_rejected_file_removed(drop, fake_cleanup):
    assert drop.run("-f", "s@x.example", "r@x.example", data=b"hi\n").returncode == 0
    name = drop.files()[0]
    fake = fake_cleanup([(451, "451 4.3.0 Error: queue file write error"), (550, "550 5.7.1 no thanks")])
    drop.instance.start()
    drop.instance.wait_for_log(r"cleanup deferred it: 451 4\.3\.0 Error: queue file write error; file kept")
    assert drop.files() == [name]
    wake_pickup(drop.instance)
    drop.instance.wait_for(lambda: not drop.files(), what="the rejected file to be removed")
    drop.instance.wait_for_log(r": reject: 550 5\.7\.1 no thanks; from=<s@x\.example>; maildrop/\w+ removed")
    assert not os.listdir(drop.instance.queue_dir / "corrupt")
    assert len(fake.messages) == 2


def test_cleanup_down_keeps_mail_until_it_returns(drop, fake_cleanup):
    assert drop.run("r@x.example", data=b"hi\n").returncode == 0
    drop.instance.start()
    drop.instance.wait_for_log(r"maildrop/\w+: cannot reach cleanup: .*; will retry")
    assert len(drop.files()) == 1
    fake = fake_cleanup()
    wake_pickup(drop.instance)
    drop.instance.wait_for(lambda: not drop.files(), what="maildrop/ to be empty")
    assert len(fake.messages) == 1


def test_real_cleanup_writes_the_same_message_to_incoming(drop):
    drop.instance.write_master_cf(PICKUP_CF + "cleanup unix n - n - 0 cleanup\n")
    body = b"Subject: real\nFrom: s@example.com\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n" \
           b"Message-ID: <m@example.com>\n\n.dot\nbody\n"
    r = drop.run("-f", "s@example.com", "-N", "failure", "a@x.example", data=body)
    assert r.returncode == 0, r.stderr
    drop.instance.start()
    drop.instance.wait_for(lambda: not drop.files(), what="maildrop/ to be empty")
    incoming = drop.instance.queue_dir / "incoming"
    names = drop.instance.wait_for(lambda: os.listdir(incoming), what="a file in incoming/")
    q = read_queue_file(incoming / names[0])
    assert q.sender == "s@example.com"
    assert [(x.address, x.notify) for x in q.recipients] == [("a@x.example", 4)]
    assert q.content.endswith(b"\r\n.dot\r\nbody\r\n")
    assert b"Subject: real\r\n" in q.content
    drop.instance.wait_for_log(rf"tern/pickup\[\d+\]: {names[0]}: uid=0 from=<s@example.com>")


def test_real_cleanup_reject_removes_the_file(drop):
    checks = drop.instance.root / "header_checks"
    checks.write_text("/^Subject: spam/ REJECT no spam here\n")
    drop.instance.set_main_cf(header_checks=f"regexp:{checks}")
    drop.instance.write_master_cf(PICKUP_CF + "cleanup unix n - n - 0 cleanup\n")
    assert drop.run("-f", "s@example.com", "a@x.example", data=b"Subject: spam\n\nbuy\n").returncode == 0
    drop.instance.start()
    drop.instance.wait_for(lambda: not drop.files(), what="maildrop/ to be empty")
    drop.instance.wait_for_log(r"tern/pickup\[\d+\]: \w+: reject: 5\d\d 5\.7\.1 no spam here; "
                               r"from=<s@example\.com>; maildrop/\w+ removed, no bounce sent")
    assert os.listdir(drop.instance.queue_dir / "incoming") == []


def test_postdrop_wakes_pickup_at_once(drop):
    # wakeup 3600: only postdrop's trigger on public/pickup can explain a quick pickup.
    drop.instance.write_master_cf("pickup unix n - n 3600 1 pickup\ncleanup unix n - n - 0 cleanup\n")
    drop.instance.start()
    r = drop.run("-f", "s@example.com", "a@x.example", data=b"Subject: now\n\nbody\n")
    assert r.returncode == 0, r.stderr
    incoming = drop.instance.queue_dir / "incoming"
    names = drop.instance.wait_for(lambda: [n for n in os.listdir(incoming) if "." not in n],
                                   timeout=20, what="the message in incoming/ well before pickup's wakeup")
    assert not drop.files()
    assert read_queue_file(incoming / names[0]).sender == "s@example.com"
