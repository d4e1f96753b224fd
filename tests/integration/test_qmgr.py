r"""tests/integration/test_qmgr.py - qmgr(8) in a full instance, with the test agent as transport

A test instance runs smtpd, cleanup, qmgr, pickup, showq (and bounce when it
is built) plus "testagent unix - - n - - test-agent"; transport_maps sends
example.com to it. The test agent settles recipients by local part (sent@,
defer@, bounce@, slow@, lost@: tests/support/test_agent.cpp). Checked here:
delivery and removal, deferral with back-off (short test values) and the
schedule in the queue file, retry of the deferred recipient only, flush,
expiry, hold never scheduled until released, a corrupt file saved to
corrupt/, an unreachable transport, a destination an agent reports dead
(a fake agent in this file), and kill -9 of qmgr in the middle of a
run with no message lost.
"""

import os
import re
import signal
import smtplib
import socket
import struct
import threading
import time

import pytest

from active_delivery import queue_id
from attr_client import AttrConnection
from delivery_client import write_queue_file
from delivery_services import delivery_master_cf
from tern_instance import run_captured

TEST_AGENT = "testagent unix  -       -       n       -       -       test-agent\n"
CONTENT = "Subject: qmgr test\r\nFrom: a@example.org\r\n\r\nbody\r\n"


def services(build):
    names = {"smtpd", "cleanup", "qmgr", "pickup", "showq"}
    if (build / "bounce" / "bounce").is_file():
        names.add("bounce")
    return names


def start(inst, build, **settings):
    inst.write_master_cf(delivery_master_cf(inst.smtp_port, only=services(build), extra=TEST_AGENT))
    base = {"myhostname": "mx.example.org", "mydomain": "example.org",
            "transport_maps": "inline:{example.com=testagent:x}",
            "queue_run_delay": "1s", "minimal_backoff_time": "1s", "maximal_backoff_time": "2s"}
    base.update(settings)
    inst.set_main_cf(**base)
    inst.start()
    inst.wait_for(lambda: (inst.queue_dir / "public" / "qmgr").exists(), what="public/qmgr")
    return inst


def submit(inst, recipients, sender="a@example.org"):
    """Sends one message over SMTP; returns its queue ID."""
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as client:
        client.ehlo("client.example.org")
        client.mail(sender)
        for rcpt in recipients:
            code, text = client.rcpt(rcpt)
            assert code == 250, (rcpt, code, text)
        code, text = client.data(CONTENT.encode())
    assert code == 250, text
    match = re.search(rb"queued as (\w+)", text)
    assert match, text
    return match.group(1).decode()


def queue_files(inst, queue):
    folder = inst.queue_dir / queue
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def schedule_of(path):
    """(next attempt, attempts) from the queue file's Q record."""
    data = path.read_bytes()
    pos = 0
    while pos + 5 <= len(data):
        kind = data[pos:pos + 1]
        (length,) = struct.unpack(">I", data[pos + 1:pos + 5])
        payload = data[pos + 5:pos + 5 + length]
        if kind == b"Q":
            nxt, attempts = payload.split(b" ")
            return int(nxt), int(attempts)
        pos += 5 + length
    raise AssertionError(f"no schedule record in {path}")


def new_queue_file(inst, queue, recipients, sender="a@example.org", arrival=None):
    """Writes a queue file named by a fresh queue ID into queue/; returns the ID."""
    folder = inst.queue_dir / queue
    folder.mkdir(exist_ok=True)
    now = time.time() if arrival is None else arrival
    probe = folder / ".new"
    probe.write_bytes(b"")
    qid = queue_id(now, os.stat(probe).st_ino)
    write_queue_file(probe, sender, recipients, CONTENT.encode(), arrival=now)
    os.chown(probe, *tern_ids())
    os.rename(probe, folder / qid)
    return qid


def flush(inst):
    """postqueue -f: the flush trigger (as tern flush and sendmail -q send it)."""
    postqueue = inst.build / "tools" / "postqueue" / "postqueue"
    run_captured([postqueue, "-c", inst.config_dir, "-f"], check=True)


def tern_ids():
    import pwd
    entry = pwd.getpwnam("tern")
    return entry.pw_uid, entry.pw_gid


def qmgr_pid(inst):
    for pid, name in inst.processes():
        if name == "qmgr":
            return pid
    return None


def test_delivery_logs_active_and_removes(instance, build):
    inst = start(instance, build)
    qid = submit(inst, ["sent@example.com"])
    inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: from=<a@example\.org>, size=\d+, nrcpt=1 \(queue active\)")
    inst.wait_for_log(rf"{qid}: to=<sent@example\.com>, relay=test-agent, .*status=sent")
    inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: removed")
    for queue in ("incoming", "active", "deferred", "defer"):
        assert qid not in queue_files(inst, queue)


def test_deferral_backs_off_and_retries_only_the_deferred(instance, build):
    inst = start(instance, build)
    qid = submit(inst, ["sent@example.com", "defer@example.com"])
    inst.wait_for_log(rf"{qid}: to=<defer@example\.com>, relay=test-agent, .*status=deferred \(test deferral\)")
    inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what="the message in deferred/")
    path = inst.queue_dir / "deferred" / qid
    nxt, attempts = schedule_of(path)
    assert attempts >= 1
    assert abs(path.stat().st_mtime - nxt) < 1 or attempts > 1
    assert qid in queue_files(inst, "defer")
    # back-off of 1-2 s and queue_run_delay 1 s: tried again soon
    inst.wait_for(lambda: len(re.findall(rf"{qid}: to=<defer@example\.com>.*status=deferred", inst.log_text())) >= 3,
                  timeout=20, what="three attempts")
    assert len(re.findall(rf"{qid}: to=<sent@example\.com>", inst.log_text())) == 1
    assert len(re.findall(rf"{qid}: from=<a@example\.org>.*\(queue active\)", inst.log_text())) >= 3


def test_flush_retries_deferred_mail_now(instance, build):
    inst = start(instance, build, minimal_backoff_time="1h", maximal_backoff_time="2h", queue_run_delay="1h")
    qid = submit(inst, ["defer@example.com"])
    inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what="the message in deferred/")
    nxt, _ = schedule_of(inst.queue_dir / "deferred" / qid)
    assert nxt >= time.time() + 3000
    before = len(re.findall(rf"{qid}: from=.*\(queue active\)", inst.log_text()))
    flush(inst)
    inst.wait_for(lambda: len(re.findall(rf"{qid}: from=.*\(queue active\)", inst.log_text())) > before,
                  what="the flushed message active again")


def test_postqueue_i_retries_one_deferred_message_now(instance, build):
    inst = start(instance, build, minimal_backoff_time="1h", maximal_backoff_time="2h", queue_run_delay="1h")
    first = submit(inst, ["defer@example.com"])
    second = submit(inst, ["defer@example.com"])
    for qid in (first, second):
        inst.wait_for(lambda q=qid: q in queue_files(inst, "deferred"), what=f"{qid} in deferred/")

    def attempts(qid):
        return len(re.findall(rf"{qid}: from=.*\(queue active\)", inst.log_text()))

    before = {qid: attempts(qid) for qid in (first, second)}
    postqueue = inst.build / "tools" / "postqueue" / "postqueue"
    run_captured([postqueue, "-c", inst.config_dir, "-i", first], check=True)
    inst.wait_for(lambda: attempts(first) > before[first], what="the named message active again")
    inst.wait_for(lambda: first in queue_files(inst, "deferred"), what="it deferred again")
    assert attempts(second) == before[second]  # only the message named
    bad = run_captured([postqueue, "-c", inst.config_dir, "-i", "../etc"], check=False)
    assert bad.returncode != 0 and "invalid mail queue id" in bad.stderr


def test_hold_is_never_scheduled_until_released(instance, build):
    inst = start(instance, build)
    qid = new_queue_file(inst, "hold", ["sent@example.com"])
    flush(inst)
    marker = submit(inst, ["sent@example.com"])
    inst.wait_for_log(rf"{marker}: removed")
    assert qid in queue_files(inst, "hold")
    assert qid not in inst.log_text()
    os.rename(inst.queue_dir / "hold" / qid, inst.queue_dir / "incoming" / qid)  # as postsuper -H does
    flush(inst)
    inst.wait_for_log(rf"{qid}: to=<sent@example\.com>.*status=sent")
    inst.wait_for_log(rf"{qid}: removed")


def test_corrupt_file_is_saved_not_deleted(instance, build):
    inst = start(instance, build)
    qid = new_queue_file(inst, "incoming", ["sent@example.com"])
    path = inst.queue_dir / "incoming" / qid
    data = path.read_bytes()
    path.write_bytes(data[:-10])  # no valid end record: corrupt
    flush(inst)
    inst.wait_for_log(rf'warning: saving corrupt file "{qid}" from queue "active" to queue "corrupt"')
    assert qid in queue_files(inst, "corrupt")


def test_unavailable_transport_defers(instance, build):
    inst = start(instance, build, transport_maps="inline:{example.com=nosuch:x}")
    qid = submit(inst, ["sent@example.com"])
    inst.wait_for_log(rf"{qid}: to=<sent@example\.com>, relay=none, .*status=deferred \(mail transport unavailable\)")
    inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what="the message in deferred/")


def test_lost_request_is_deferred(instance, build):
    inst = start(instance, build)
    qid = submit(inst, ["lost@example.com"])
    inst.wait_for_log(rf"{qid}: to=<lost@example\.com>, .*status=deferred")
    inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what="the message in deferred/")


def test_expired_message_is_returned_or_kept(instance, build):
    inst = start(instance, build, maximal_queue_lifetime="0", bounce_queue_lifetime="0")
    qid = submit(inst, ["defer@example.com"])
    inst.wait_for_log(rf"{qid}: to=<defer@example\.com>.*status=deferred")
    if "bounce" in services(build):
        inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: from=<a@example\.org>, status=expired, returned to sender")
        inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: removed")
    else:
        inst.wait_for_log(rf"{qid}: cannot return expired message")
        inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what="the message kept in deferred/")


def test_bounced_recipient_is_flushed_through_bounce(instance, build):
    inst = start(instance, build)
    qid = submit(inst, ["bounce@example.com"])
    inst.wait_for_log(rf"{qid}: to=<bounce@example\.com>.*status=bounced")
    if "bounce" in services(build):
        inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: removed")
    else:
        inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what="the message kept until bounce runs")


def test_kill_9_of_qmgr_loses_no_message(instance, build):
    inst = start(instance, build, queue_run_delay="1s")
    count = 500
    ids = []
    for i in range(count):
        ids.append(submit(inst, ["slow@example.com" if i % 10 == 0 else "sent@example.com"]))
        if i == count // 2:
            pid = inst.wait_for(lambda: qmgr_pid(inst), what="a qmgr process")
            os.kill(pid, signal.SIGKILL)
    # A qmgr killed between unlinking a finished file and logging "removed"
    # leaves no "removed" line: count a message done when it was delivered
    # and its file has left the queues.
    def all_done():
        text = inst.log_text()
        queued = set().union(*(queue_files(inst, q) for q in ("incoming", "active", "deferred")))
        return not set(ids) & queued and all(re.search(rf"{qid}: to=<.*status=sent", text) for qid in ids)
    inst.wait_for(all_done, timeout=90, what="every message delivered and out of the queue")
    text = inst.log_text()
    duplicates = sum(max(0, len(re.findall(rf"{qid}: to=<", text)) - 1) for qid in ids)
    print(f"\n{count} messages, none lost, {duplicates} delivered twice")


def test_huge_recipient_lists_go_in_chunks(instance, build):
    inst = start(instance, build, qmgr_message_recipient_limit="2", testagent_destination_recipient_limit="1")
    recipients = [f"sent+{i}@example.com" for i in range(5)] + ["defer@example.com"]
    qid = submit(inst, recipients)
    for i in range(5):
        inst.wait_for_log(rf"{qid}: to=<sent\+{i}@example\.com>, .*status=sent")
    inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what="the message in deferred/")
    assert len(re.findall(rf"{qid}: to=<sent", inst.log_text())) == 5


def test_destination_concurrency_limit_serializes(instance, build):
    inst = start(instance, build, testagent_destination_concurrency_limit="1")
    started = time.monotonic()
    ids = [submit(inst, ["slow@example.com"]) for _ in range(3)]
    for qid in ids:
        inst.wait_for_log(rf"{qid}: removed", timeout=20)
    # one request at a time, each 2 s in the test agent; in parallel it would be 2 s
    assert time.monotonic() - started >= 5.5


class DeadDestinationAgent:
    """Listens on private/NAME and answers every request: all recipients
    deferred, destination_dead=1, after delay_s."""

    def __init__(self, inst, name, delay_s=0.5):
        self.path = inst.queue_dir / "private" / name
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(str(self.path))
        os.chmod(self.path, 0o666)
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.delay_s = delay_s
        self.requests = []
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            with conn:
                peer = AttrConnection(conn)
                request = peer.receive()
                self.requests.append(request)
                time.sleep(self.delay_s)
                answer = [("status", "0")]
                for i in range(int(request["recipient_count"])):
                    answer += [(f"rcpt_{i}_status", "deferred"), (f"rcpt_{i}_dsn", "4.4.1"),
                               (f"rcpt_{i}_reason", "connect to dead.example[192.0.2.1]:25: Connection refused")]
                answer.append(("destination_dead", "1"))
                peer.send(answer)

    def close(self):
        self.stopping = True
        self.thread.join()
        self.sock.close()


def test_dead_destination_defers_what_waits_and_flush_forgets_it(instance, build):
    inst = start(instance, build, transport_maps="inline:{example.com=fake:dead.example}",
                 fake_destination_concurrency_limit="1", minimal_backoff_time="1h", maximal_backoff_time="2h",
                 queue_run_delay="1h")
    agent = DeadDestinationAgent(inst, "fake")
    try:
        first = submit(inst, ["one@example.com"])
        second = submit(inst, ["two@example.com"])
        for qid in (first, second):
            inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what=f"{qid} in deferred/")
        assert len(agent.requests) == 1
        waited = second if agent.requests[0]["queue_id"] == first else first
        inst.wait_for_log(rf"{waited}: to=<\w+@example\.com>, relay=none, .*status=deferred "
                          r"\(delivery temporarily suspended: connect to dead\.example\[192\.0\.2\.1\]:25: "
                          r"Connection refused\)")
        flush(inst)  # F forgets the dead destination, A ignores the back-off times
        inst.wait_for(lambda: len(agent.requests) >= 2, what="a new request after the flush")
        assert agent.requests[-1]["nexthop"] == "dead.example"
    finally:
        agent.close()


def test_active_limit_bounds_the_active_queue(instance, build):
    inst = start(instance, build, qmgr_message_active_limit="1")
    started = time.monotonic()
    ids = [submit(inst, ["slow@example.com"]) for _ in range(3)]
    for qid in ids:
        inst.wait_for_log(rf"{qid}: removed", timeout=20)
    assert time.monotonic() - started >= 5.5  # one message at a time, 2 s each
    assert not queue_files(inst, "active")
