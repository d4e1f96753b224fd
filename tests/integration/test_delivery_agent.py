r"""tests/integration/test_delivery_agent.py - the delivery agent skeleton (lib/mail/delivery_agent.h)

Runs tests/support/test-agent under master twice: as "test" (chrooted,
unprivileged, like smtp) and as "roottest" (root, not chrooted, like local).
The agent settles recipients by local part (sent@, defer@, bounce@, slow@,
lost@). Requests come from delivery_client.py, not qmgr; the tests check
the reply, the queue file's recipient statuses (queue_file.py), the
bounce/ and defer/ logs, and the maillog's "to=<...>" lines.
"""

import fcntl
import os
import pwd
import re
import struct

import pytest

from attr_client import AttrConnection
from delivery_client import deliver, write_queue_file
from queue_file import read_queue_file

MASTER_CF = ("test unix - - y - - test-agent\n"
             "roottest unix - n n - - test-agent\n")
CONTENT = b"Subject: test\r\n\r\nbody\r\n"
ID = "1xVjby00001"


def read_log(path):
    """The records of a bounce/ or defer/ log: a list of dicts."""
    data, records, pos = path.read_bytes(), [], 0
    while pos < len(data):
        assert data[pos:pos + 5] == b"TRNA\x01", f"bad record at {pos}"
        count = struct.unpack(">I", data[pos + 5:pos + 9])[0]
        pos += 9
        record = {}
        for _ in range(count):
            n = data[pos]
            name = data[pos + 1:pos + 1 + n].decode()
            pos += 1 + n
            length = struct.unpack(">I", data[pos:pos + 4])[0]
            record[name] = data[pos + 4:pos + 4 + length].decode("utf-8", "surrogateescape")
            pos += 4 + length
        assert data[pos:pos + 1] == b"\n"
        pos += 1
        records.append(record)
    return records


@pytest.fixture
def agent(instance):
    instance.write_master_cf(MASTER_CF)
    instance.start()
    for name in ("test", "roottest"):
        sock = instance.queue_dir / "private" / name
        instance.wait_for(sock.exists, what=f"private/{name}")
    return instance


def queue(inst, recipients, qid=ID, sender="a@example.com", folder="active"):
    path = inst.queue_dir / folder / qid
    offsets = write_queue_file(path, sender, recipients, CONTENT)
    tern = pwd.getpwnam("tern")
    os.chown(path, tern.pw_uid, tern.pw_gid)
    os.chmod(path, 0o600)
    return path, offsets


def statuses(path):
    return [r.status for r in read_queue_file(path).recipients]


@pytest.mark.parametrize("service", ["test", "roottest"])
def test_each_recipient_is_settled_logged_and_recorded(agent, service):
    rcpts = ["sent@example.com", "defer@example.com", "bounce@example.com",
             ("notify@example.com", "rfc822;Notify@example.com", 2 | 4)]
    path, offsets = queue(agent, rcpts)
    addresses = [r if isinstance(r, str) else r[0] for r in rcpts]
    request = [(a, o) for a, o in zip(addresses, offsets)]
    request[3] = (addresses[3], offsets[3], "rfc822;Notify@example.com", 6)
    reply = deliver(agent.queue_dir / "private" / service, ID, service, "example.com", "a@example.com", request)
    assert reply["status"] == "0"
    assert [reply[f"rcpt_{i}_status"] for i in range(4)] == ["sent", "deferred", "bounced", "sent"]
    assert [reply[f"rcpt_{i}_dsn"] for i in range(4)] == ["2.0.0", "4.3.0", "5.1.1", "2.0.0"]
    assert reply["rcpt_2_reason"] == "test bounce: user unknown"
    assert "destination_dead" not in reply
    assert statuses(path) == ["D", "T", "D", "D"]

    bounces = read_log(agent.queue_dir / "bounce" / ID)
    assert [(r["recipient"], r["action"], r["status"]) for r in bounces] == [
        ("bounce@example.com", "failed", "5.1.1"), ("notify@example.com", "delivered", "2.0.0")]
    assert bounces[0]["offset"] == str(offsets[2])
    assert bounces[0]["diagnostic"] == "x-test; 550 5.1.1 user unknown"
    assert bounces[1]["orcpt"] == "rfc822;Notify@example.com" and bounces[1]["notify"] == "6"
    defers = read_log(agent.queue_dir / "defer" / ID)
    assert [(r["recipient"], r["action"], r["reason"]) for r in defers] == [
        ("defer@example.com", "delayed", "test deferral")]
    tern = pwd.getpwnam("tern")
    assert (agent.queue_dir / "bounce" / ID).stat().st_uid == tern.pw_uid

    line = agent.wait_for_log(
        rf"tern/test-agent\[\d+\]: {ID}: to=<sent@example.com>, relay=test-agent, delay=[0-9.]+, "
        r"delays=[0-9.]+/[0-9.]+/0/0.01, dsn=2.0.0, status=sent \(delivered by test agent\)$")
    assert line
    agent.wait_for_log(rf"{ID}: to=<defer@example.com>, relay=test-agent, .*dsn=4.3.0, status=deferred \(test deferral\)")
    agent.wait_for_log(rf"{ID}: to=<bounce@example.com>, .*dsn=5.1.1, status=bounced \(test bounce: user unknown\)")
    agent.wait_for_log(rf"{ID}: to=<notify@example.com>, orig_to=<Notify@example.com>, relay=test-agent, ")


def test_soft_bounce_defers_instead(agent):
    agent.set_main_cf(soft_bounce="yes")
    agent.reload()
    path, offsets = queue(agent, ["bounce@example.com"])
    # A process started before the reload may still answer; wait for the new setting.
    def attempt():
        reply = deliver(agent.queue_dir / "private" / "test", ID, "test", "example.com", "a@example.com",
                        [("bounce@example.com", offsets[0])])
        return reply if reply["rcpt_0_status"] == "deferred" else None
    reply = agent.wait_for(attempt, what="a soft bounce")
    assert reply["rcpt_0_dsn"] == "4.1.1"
    assert statuses(path) == ["T"]
    assert not (agent.queue_dir / "bounce" / ID).exists()


def locked_by_someone(path):
    with open(path, "rb") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def test_slow_and_lost_jobs(agent):
    path, offsets = queue(agent, ["slow@example.com", "lost@example.com"])
    sock = agent.queue_dir / "private" / "test"
    conn = AttrConnection.connect_unix(sock, timeout=10)
    conn.send([("request", "deliver"), ("queue_name", "active"), ("queue_id", ID), ("transport", "test"),
               ("nexthop", "example.com"), ("sender", ""), ("arrival", "1700000000.000000"),
               ("active_since", "1700000001.000000"), ("flags", "0"), ("recipient_count", "1"),
               ("rcpt_0_address", "slow@example.com"), ("rcpt_0_offset", str(offsets[0]))])
    # While the agent works on it, the queue file is locked shared (qmgr's in-use test).
    agent.wait_for(lambda: locked_by_someone(path), what="the agent's lock on the queue file")
    reply = conn.receive()
    conn.close()
    assert reply["rcpt_0_status"] == "sent"
    agent.wait_for(lambda: not locked_by_someone(path), what="the lock to go with the job")
    reply = deliver(agent.queue_dir / "private" / "test", ID, "test", "example.com", "a@example.com",
                    [("lost@example.com", offsets[1])])
    assert reply["status"] == "0"
    assert reply["rcpt_0_status"] == "deferred"
    assert reply["rcpt_0_reason"] == "delivery agent lost the request"
    assert statuses(path) == ["D", "T"]


def test_requests_that_lie_or_miss_their_file_are_refused(agent):
    path, offsets = queue(agent, ["sent@example.com", "b@example.com"])
    sock = agent.queue_dir / "private" / "test"
    # An offset that names another recipient's record.
    reply = deliver(sock, ID, "test", "example.com", "", [("sent@example.com", offsets[1])])
    assert reply["status"] == "4" and "not in active/" + ID in reply["reason"]
    # An offset that is no status record at all.
    reply = deliver(sock, ID, "test", "example.com", "", [("sent@example.com", offsets[0] + 1)])
    assert reply["status"] == "4"
    # The same recipient twice.
    reply = deliver(sock, ID, "test", "example.com", "", [("sent@example.com", offsets[0])] * 2)
    assert reply["status"] == "4" and "twice" in reply["reason"]
    assert statuses(path) == ["T", "T"]
    # No such queue file; a corrupt one.
    reply = deliver(sock, "1xVjby00002", "test", "example.com", "", [("sent@example.com", offsets[0])])
    assert reply["status"] == "4" and "No such file" in reply["reason"]
    path.write_bytes(path.read_bytes()[:-3])
    reply = deliver(sock, ID, "test", "example.com", "", [("sent@example.com", offsets[0])])
    assert reply["status"] == "4"
    agent.wait_for_log(rf"tern/test-agent\[\d+\]: warning: {ID}: ")


def test_protocol_violations_close_the_connection(agent):
    sock = agent.queue_dir / "private" / "test"
    conn = AttrConnection.connect_unix(sock, timeout=10)
    conn.send([("request", "deliver"), ("colour", "blue"), ("recipient_count", "1")])
    reply = conn.receive()
    assert reply["status"] == "4" and "colour" in reply["reason"]
    conn.close()
    conn = AttrConnection.connect_unix(sock, timeout=10)
    conn.send_raw(b"HELO there\r\n")
    assert conn.closed_by_peer()
    conn.close()
    agent.wait_for_log(r"tern/test-agent\[\d+\]: warning: delivery request: .*")
    # The agent still works afterwards.
    path, offsets = queue(agent, ["sent@example.com"])
    reply = deliver(sock, ID, "test", "example.com", "", [("sent@example.com", offsets[0])])
    assert reply["rcpt_0_status"] == "sent"
    assert re.search(r"warning", agent.log_text())
