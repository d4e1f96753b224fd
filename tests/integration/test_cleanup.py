r"""tests/integration/test_cleanup.py - cleanup(8) through its protocol, checked in the queue

Starts an instance whose master.cf runs only cleanup ("cleanup unix n - n - 0
cleanup"), speaks lib/mail/cleanup_protocol.h over public/cleanup with
attr_client.py, and reads the queue files (queue_file.py): envelope,
added headers, byte-exact content; header_checks DISCARD/HOLD/REJECT;
message_size_limit; abort and kill -9 leave nothing in incoming/.
"""

import os
import re
import signal

import pytest

from attr_client import CleanupClient
from queue_file import read_queue_file

MASTER_CF = "cleanup unix n - n - 0 cleanup\n"
REMOTE = dict(client_name="client.example", client_address="192.0.2.1", helo_name="helo.example",
              protocol="ESMTP")


@pytest.fixture
def cleanup_instance(instance):
    instance.write_master_cf(MASTER_CF)
    instance.set_main_cf(myhostname="mx.example.org", mydomain="example.org")
    return instance


def started(inst, **main_cf):
    if main_cf:
        inst.set_main_cf(**main_cf)
    inst.start()
    inst.wait_for(lambda: (inst.queue_dir / "public" / "cleanup").exists(), what="public/cleanup")
    return inst


def incoming(inst, folder="incoming"):
    return sorted(os.listdir(inst.queue_dir / folder))


def queued(inst, qid, folder="incoming"):
    path = inst.queue_dir / folder / qid
    inst.wait_for(path.exists, what=f"{folder}/{qid}")
    return read_queue_file(path)


def split_content(content):
    head, _, body = content.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def test_remote_message_is_queued_with_received_and_added_headers(cleanup_instance):
    inst = started(cleanup_instance)
    c = CleanupClient(inst.queue_dir)
    assert c.greeting["status"] == "0"
    qid = c.queue_id
    body = b"Subject: hello\r\n\r\nline one\r\n.dot stays\r\n\x00\xff 8bit\r\n"
    reply = c.submit("alice@client.example", ["bob@example.net"], body, chunk=7, **REMOTE)
    assert reply["status"] == "0"
    assert reply["reason"] == f"250 2.0.0 Ok: queued as {qid}"
    q = queued(inst, qid)
    assert q.sender == "alice@client.example"
    assert [r.address for r in q.recipients] == ["bob@example.net"]
    assert q.attributes["client_address"] == "192.0.2.1"
    assert q.attributes["helo_name"] == "helo.example"
    assert q.content.startswith(
        b"Received: from helo.example (client.example [192.0.2.1])\r\n"
        b"\tby mx.example.org (tern) with ESMTP id " + qid.encode() + b"\r\n"
        b"\tfor <bob@example.net>; ")
    headers, rest = split_content(q.content)
    assert b"Subject: hello" in headers
    assert any(h.startswith(b"Message-Id: <") and qid.encode() + b"@mx.example.org>" in h for h in headers)
    assert any(h.startswith(b"Date: ") for h in headers)
    assert b"From: alice@client.example" in headers
    assert rest == b"line one\r\n.dot stays\r\n\x00\xff 8bit\r\n"
    inst.wait_for_log(rf"tern/cleanup\[\d+\]: {qid}: message-id=<\d{{14}}\.{qid}@mx\.example\.org>")
    assert not [n for n in incoming(inst) if n != qid]


def test_existing_headers_are_kept_and_nothing_added_without_flag(cleanup_instance):
    inst = started(cleanup_instance)
    c = CleanupClient(inst.queue_dir)
    content = b"From: a@b\r\nMessage-ID: <x@y>\r\nSubject: s\r\n\r\nbody\r\n"
    reply = c.submit("a@b.example", ["x@example.net", "y@example.net"], content, flags=0, **REMOTE)
    assert reply["status"] == "0"
    q = queued(inst, c.queue_id)
    received, _, rest = q.content.partition(b"; ")
    assert b"for <" not in received  # two recipients: no "for"
    assert rest.split(b"\r\n", 1)[1] == content
    inst.wait_for_log(rf"{c.queue_id}: message-id=<x@y>")


def test_local_submission_gets_myorigin_and_local_received(cleanup_instance):
    inst = started(cleanup_instance, myorigin="example.org")
    c = CleanupClient(inst.queue_dir)
    reply = c.submit("root", ["alice"], b"Subject: local\r\n\r\nhi\r\n", protocol="local", submit_uid="0",
                     full_name="Charlie Root")
    assert reply["status"] == "0"
    q = queued(inst, c.queue_id)
    assert q.sender == "root@example.org"
    assert [r.address for r in q.recipients] == ["alice@example.org"]
    assert q.content.startswith(b"Received: by mx.example.org (tern, from userid 0)\r\n\tid " +
                                c.queue_id.encode() + b"; ")
    headers, _ = split_content(q.content)
    assert b"From: Charlie Root <root@example.org>" in headers


def test_virtual_alias_and_duplicates(cleanup_instance):
    inst = cleanup_instance
    table = inst.root / "virtual"
    table.write_text("a@example.net b@example.net, c@example.net\nloop1@example.net loop2@example.net\n"
                     "loop2@example.net loop1@example.net\n")
    inst.set_main_cf(virtual_alias_maps=f"texthash:{table}")
    started(inst)
    c = CleanupClient(inst.queue_dir)
    reply = c.submit("s@example.com", ["a@example.net", "b@example.net", "loop1@example.net"],
                     b"\r\nx\r\n", **REMOTE)
    assert reply["status"] == "0"
    q = queued(inst, c.queue_id)
    assert [r.address for r in q.recipients] == ["b@example.net", "c@example.net", "loop1@example.net"]


def header_checks(inst, rules):
    path = inst.root / "header_checks"
    path.write_text(rules)
    inst.set_main_cf(header_checks=f"regexp:{path}")


def test_header_checks_reject(cleanup_instance):
    inst = cleanup_instance
    header_checks(inst, "/^Subject: .*viagra/ REJECT no spam here\n")
    started(inst)
    c = CleanupClient(inst.queue_dir)
    reply = c.submit("s@example.com", ["r@example.net"], b"Subject: buy viagra\r\n\r\nx\r\n", **REMOTE)
    assert reply["status"] == "550"
    assert reply["reason"] == "550 5.7.1 no spam here"
    inst.wait_for_log(rf"{c.queue_id}: reject: header Subject: buy viagra from client\.example\[192\.0\.2\.1\]; "
                      r"from=<s@example\.com> to=<r@example\.net> proto=ESMTP helo=<helo\.example>: "
                      r"5\.7\.1 no spam here")
    assert incoming(inst) == []


def test_header_checks_discard_and_hold(cleanup_instance):
    inst = cleanup_instance
    header_checks(inst, "/^Subject: discard/ DISCARD\n/^Subject: hold/ HOLD\n")
    started(inst)
    c = CleanupClient(inst.queue_dir)
    reply = c.submit("s@example.com", ["r@example.net"], b"Subject: discard me\r\n\r\nx\r\n", **REMOTE)
    assert reply["status"] == "0" and reply["discarded"] == "1"
    assert incoming(inst) == []
    c = CleanupClient(inst.queue_dir)
    reply = c.submit("s@example.com", ["r@example.net"], b"Subject: hold me\r\n\r\nx\r\n", **REMOTE)
    assert reply["status"] == "0"
    queued(inst, c.queue_id, "hold")
    assert incoming(inst) == []


def test_message_size_limit(cleanup_instance):
    inst = started(cleanup_instance, message_size_limit="2000")
    c = CleanupClient(inst.queue_dir)
    reply = c.submit("s@example.com", ["r@example.net"], b"\r\n" + b"x" * 5000 + b"\r\n", **REMOTE)
    assert reply["status"] == "552"
    assert reply["reason"] == "552 5.3.4 Message size exceeds fixed limit"
    assert incoming(inst) == []


def test_too_many_hops(cleanup_instance):
    inst = started(cleanup_instance, hopcount_limit="5")
    c = CleanupClient(inst.queue_dir)
    content = b"Received: from x\r\n" * 4 + b"\r\nbody\r\n"
    reply = c.submit("s@example.com", ["r@example.net"], content, **REMOTE)
    assert reply["reason"] == "554 5.4.0 Error: too many hops"
    assert incoming(inst) == []


def test_abort_and_lost_connection_leave_nothing(cleanup_instance):
    inst = started(cleanup_instance)
    c = CleanupClient(inst.queue_dir)
    c.envelope("s@example.com", **REMOTE)
    c.recipient("r@example.net")
    c.content(b"Subject: x\r\n\r\npartial")
    assert any(n.startswith("tmp.") for n in incoming(inst))
    c.end(abort=True)
    assert c.conn.closed_by_peer()
    inst.wait_for(lambda: incoming(inst) == [], what="incoming/ to be empty after abort")
    c = CleanupClient(inst.queue_dir)
    c.envelope("s@example.com", **REMOTE)
    c.close()
    inst.wait_for(lambda: incoming(inst) == [], what="incoming/ to be empty after a lost connection")
    inst.wait_for_log(rf"{c.queue_id}: lost connection")


def test_protocol_error_closes_without_reply(cleanup_instance):
    inst = started(cleanup_instance)
    c = CleanupClient(inst.queue_dir)
    c.conn.send([("request", "recipient"), ("address", "r@example.net")])
    assert c.conn.closed_by_peer()
    inst.wait_for_log(rf"warning: {c.queue_id}: cleanup protocol error")
    inst.wait_for(lambda: incoming(inst) == [], what="incoming/ to be empty")


def test_kill_9_mid_message_leaves_nothing_in_incoming(cleanup_instance):
    inst = started(cleanup_instance)
    c = CleanupClient(inst.queue_dir)
    c.envelope("s@example.com", **REMOTE)
    c.recipient("r@example.net")
    c.content(b"Subject: x\r\n\r\n" + b"y" * 100000)
    inst.wait_for(lambda: any(n.startswith("tmp.") for n in incoming(inst)), what="the temporary file")
    killed = [pid for pid, name in inst.processes() if name == "cleanup"]
    assert killed
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    assert c.conn.closed_by_peer()
    # Nothing named like a queue ID appears: qmgr never sees a partial
    # message. The next cleanup process removes the dead one's temp file.
    assert [n for n in incoming(inst) if re.fullmatch(r"[0-9A-Za-z]+", n)] == []

    def next_message():
        try:
            nxt = CleanupClient(inst.queue_dir)
        except (ConnectionError, EOFError, OSError):
            return None  # master may throttle the restart for a moment
        return nxt, nxt.submit("s@example.com", ["r@example.net"], b"\r\nok\r\n", **REMOTE)

    nxt, reply = inst.wait_for(next_message, timeout=20, what="a new cleanup process")
    assert reply["status"] == "0"
    inst.wait_for(lambda: incoming(inst) == [nxt.queue_id], what="only the new message in incoming/")
    inst.wait_for_log(r"removed stale temporary file incoming/tmp\.cleanup\.")


def test_qmgr_is_poked_after_commits_and_pokes_are_coalesced(cleanup_instance):
    import socket
    import threading
    inst = started(cleanup_instance)
    path = inst.queue_dir / "public" / "qmgr"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    os.chmod(path, 0o666)
    server.listen(64)
    server.settimeout(0.2)
    got, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(2)
                got.append(conn.recv(16))

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        for _ in range(10):
            c = CleanupClient(inst.queue_dir)
            assert c.submit("s@example.com", ["r@example.net"], b"\r\nx\r\n", **REMOTE)["status"] == "0"
        inst.wait_for(lambda: got, what="a poke on public/qmgr")
        inst.wait_for(lambda: len(incoming(inst)) == 10, what="ten messages in incoming/")
    finally:
        stop.set()
        thread.join()
        server.close()
    assert all(data == b"I" for data in got)
    assert 1 <= len(got) < 10
