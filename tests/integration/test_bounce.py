r"""tests/integration/test_bounce.py - bounce(8) turns delivery logs into DSNs through cleanup

Starts an instance whose master.cf runs only cleanup and bounce
(delivery_master_cf(only={"cleanup", "bounce"})), writes a queue file in
active/ (delivery_client.write_queue_file) and a bounce or defer log (attr
records as lib/mail/delivery_log.h writes them), sends a request of
lib/mail/bounce_protocol.h on private/bounce, and reads the notice cleanup
queued in incoming/ with Python's email package: multipart/report,
Final-Recipient, Status, Diagnostic-Code, the returned original; a
null-sender original goes to postmaster, a double bounce nowhere.
"""

import email
import email.policy
import os
import pwd
import time

import pytest

from active_delivery import queue_id
from attr_client import AttrConnection, encode
from delivery_client import write_queue_file
from delivery_services import delivery_master_cf
from queue_file import read_queue_file

ORIGINAL = (b"Message-ID: <orig@client.example>\r\nSubject: hello\r\nFrom: a@example.com\r\n\r\n"
            b"body line\r\n")
_next_inode = [1000]


def make_queue_id():
    """A valid ID (lib/mail/queue_id.h): seconds (6), microseconds (4), inode."""
    now = time.time()
    _next_inode[0] += 1
    return queue_id(now, _next_inode[0])


def chown_tern(path):
    tern = pwd.getpwnam("tern")
    os.chown(path, tern.pw_uid, tern.pw_gid)


def record(rcpt, offset, action="failed", status="5.1.1", reason="unknown user", **extra):
    attrs = [("recipient", rcpt)]
    if extra.get("orcpt"):
        attrs.append(("orcpt", extra["orcpt"]))
    if extra.get("notify"):
        attrs.append(("notify", str(extra["notify"])))
    attrs += [("offset", str(offset)), ("action", action), ("status", status), ("reason", reason)]
    for name in ("remote_mta", "diagnostic"):
        if extra.get(name):
            attrs.append((name, extra[name]))
    attrs.append(("time", str(int(time.time()))))
    return encode(attrs)


def start(instance, **main_cf):
    instance.write_master_cf(delivery_master_cf(instance.smtp_port, only={"cleanup", "bounce"}))
    instance.set_main_cf(myhostname="mx.example.org", mydomain="example.org", bounce_size_limit="100000", **main_cf)
    instance.start()
    instance.wait_for(lambda: (instance.queue_dir / "public" / "cleanup").exists(), what="public/cleanup")
    instance.wait_for(lambda: (instance.queue_dir / "private" / "bounce").exists(), what="private/bounce")
    return instance


@pytest.fixture
def bounce_instance(instance):
    return start(instance)


def message(inst, sender, recipients, content=ORIGINAL, **kw):
    qid = make_queue_id()
    path = inst.queue_dir / "active" / qid
    offsets = write_queue_file(path, sender, recipients, content, **kw)
    chown_tern(path)
    return qid, offsets


def write_log(inst, folder, qid, records):
    path = inst.queue_dir / folder / qid
    path.write_bytes(b"".join(records))
    chown_tern(path)
    return path


def ask(inst, request, qid):
    conn = AttrConnection.connect_unix(inst.queue_dir / "private" / "bounce")
    conn.send([("request", request), ("queue_name", "active"), ("queue_id", qid)])
    return conn.receive()


def notices(inst, before=()):
    folder = inst.queue_dir / "incoming"
    return sorted(set(os.listdir(folder)) - set(before))


def read_notice(inst, notice_id):
    q = read_queue_file(inst.queue_dir / "incoming" / notice_id)
    return q, email.message_from_bytes(q.content, policy=email.policy.compat32)


def report_fields(msg):
    """(per-message fields, [per-recipient fields]) of the message/delivery-status part."""
    status = [p for p in msg.walk() if p.get_content_type() == "message/delivery-status"]
    assert len(status) == 1
    blocks = status[0].get_payload()
    return blocks[0], blocks[1:]


def test_failure_dsn_to_sender(bounce_instance):
    inst = bounce_instance
    qid, offsets = message(inst, "a@example.com", ["b@example.net", ("c@example.net", "rfc822;C@example.net", 0)],
                           envid="ENV-1")
    diag = "smtp; 550 5.1.1 <b@example.net>: Recipient address rejected: User unknown in local recipient table"
    log = write_log(inst, "bounce", qid, [
        record("b@example.net", offsets[0], remote_mta="mx.example.net", diagnostic=diag,
               reason="host mx.example.net[192.0.2.7] said: 550 5.1.1 unknown (in reply to RCPT TO command)"),
        record("c@example.net", offsets[1], status="5.2.2", reason="mailbox full", orcpt="rfc822;C@example.net"),
    ])
    reply = ask(inst, "flush", qid)
    assert reply["status"] == "0", reply
    new = notices(inst)
    assert len(new) == 1
    inst.wait_for_log(rf"tern/bounce\[\d+\]: {qid}: sender non-delivery notification: {new[0]}")
    assert not log.exists()
    q, msg = read_notice(inst, new[0])
    assert q.sender == ""
    assert [r.address for r in q.recipients] == ["a@example.com"]
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"
    assert msg["From"] == "MAILER-DAEMON@mx.example.org (Mail Delivery System)"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] == "<orig@client.example>"
    parts = msg.get_payload()
    assert [p.get_content_type() for p in parts] == ["text/plain", "message/delivery-status", "message/rfc822"]
    text = parts[0].get_payload()
    assert "This is the mail system at host mx.example.org." in text
    assert "<c@example.net>: mailbox full" in text
    per_message, per_rcpt = report_fields(msg)
    assert per_message["Reporting-MTA"] == "dns; mx.example.org"
    assert per_message["X-Tern-Queue-ID"] == qid
    assert per_message["Original-Envelope-Id"] == "ENV-1"
    assert per_message["Arrival-Date"]
    assert [r["Final-Recipient"] for r in per_rcpt] == ["rfc822; b@example.net", "rfc822; c@example.net"]
    assert [r["Status"] for r in per_rcpt] == ["5.1.1", "5.2.2"]
    assert [r["Action"] for r in per_rcpt] == ["failed", "failed"]
    assert per_rcpt[0]["Remote-MTA"] == "dns; mx.example.net"
    assert " ".join(per_rcpt[0]["Diagnostic-Code"].split()) == diag
    assert per_rcpt[1]["Diagnostic-Code"] == "X-Tern; mailbox full"
    assert per_rcpt[1]["Original-Recipient"] == "rfc822;C@example.net"
    returned = parts[2].get_payload()[0]
    assert returned["Return-Path"] == "<a@example.com>"
    assert returned["Subject"] == "hello"
    assert returned.get_payload() == "body line\r\n"


def test_ret_hdrs_and_notify_never(bounce_instance):
    inst = bounce_instance
    qid, offsets = message(inst, "a@example.com", ["b@example.net", ("n@example.net", "", 1)], ret="HDRS")
    write_log(inst, "bounce", qid, [record("b@example.net", offsets[0]),
                                    record("n@example.net", offsets[1], notify=1)])
    assert ask(inst, "flush", qid)["status"] == "0"
    new = notices(inst)
    assert len(new) == 1
    _, msg = read_notice(inst, new[0])
    parts = msg.get_payload()
    assert parts[2].get_content_type() == "text/rfc822-headers"
    assert b"body line" not in parts[2].as_bytes()
    _, per_rcpt = report_fields(msg)
    assert [r["Final-Recipient"] for r in per_rcpt] == ["rfc822; b@example.net"]


def test_null_sender_goes_to_postmaster_and_double_bounce_nowhere(bounce_instance):
    inst = bounce_instance
    qid, offsets = message(inst, "", ["b@example.net"])
    write_log(inst, "bounce", qid, [record("b@example.net", offsets[0])])
    assert ask(inst, "flush", qid)["status"] == "0"
    new = notices(inst)
    assert len(new) == 1
    inst.wait_for_log(rf"{qid}: postmaster non-delivery notification: {new[0]}")
    q, msg = read_notice(inst, new[0])
    assert [r.address for r in q.recipients] == ["postmaster@mx.example.org"]
    assert q.sender == "double-bounce@mx.example.org"
    assert msg["Subject"] == "Postmaster Copy: Undelivered Mail"

    # That postmaster notice failing in turn: logged, never sent anywhere.
    qid2, offsets2 = message(inst, q.sender, ["postmaster@mx.example.org"])
    log = write_log(inst, "bounce", qid2, [record("postmaster@mx.example.org", offsets2[0])])
    assert ask(inst, "flush", qid2)["status"] == "0"
    inst.wait_for_log(rf"{qid2}: undeliverable postmaster notification discarded")
    assert notices(inst, new) == []
    assert not log.exists()


def test_expire_uses_the_last_deferral_and_delay_warns(bounce_instance):
    inst = bounce_instance
    qid, offsets = message(inst, "a@example.com", ["b@example.net"])
    write_log(inst, "defer", qid, [record("b@example.net", offsets[0], action="delayed", status="4.4.1",
                                          reason="connect to mx.example.net[192.0.2.7]:25: Connection refused")])
    assert ask(inst, "delay", qid)["status"] == "0"
    warned = notices(inst)
    assert len(warned) == 1
    inst.wait_for_log(rf"{qid}: sender delay notification: {warned[0]}")
    _, msg = read_notice(inst, warned[0])
    assert msg["Subject"] == "Delayed Mail (still being retried)"
    _, per_rcpt = report_fields(msg)
    assert per_rcpt[0]["Action"] == "delayed"
    assert per_rcpt[0]["Will-Retry-Until"]
    assert (inst.queue_dir / "defer" / qid).exists()

    assert ask(inst, "expire", qid)["status"] == "0"
    bounced = notices(inst, warned)
    assert len(bounced) == 1
    _, msg = read_notice(inst, bounced[0])
    assert msg["Subject"] == "Undelivered Mail Returned to Sender"
    _, per_rcpt = report_fields(msg)
    assert per_rcpt[0]["Action"] == "failed"
    assert per_rcpt[0]["Status"] == "4.4.1"
    assert "Connection refused" in " ".join(per_rcpt[0]["Diagnostic-Code"].split())
    assert not (inst.queue_dir / "bounce" / qid).exists()


def test_success_dsn_and_bad_requests(bounce_instance):
    inst = bounce_instance
    qid, offsets = message(inst, "a@example.com", [("b@example.net", "", 2)])
    write_log(inst, "bounce", qid, [record("b@example.net", offsets[0], action="delivered", status="2.0.0",
                                           reason="delivered to maildir", notify=2)])
    assert ask(inst, "flush", qid)["status"] == "0"
    new = notices(inst)
    assert len(new) == 1
    inst.wait_for_log(rf"{qid}: sender delivery status notification: {new[0]}")
    _, msg = read_notice(inst, new[0])
    assert msg["Subject"] == "Successful Mail Delivery Report"

    assert ask(inst, "flush", "../../etc")["status"] == "4"
    assert ask(inst, "bogus", qid)["status"] == "4"
    missing = ask(inst, "flush", make_queue_id())
    assert missing["status"] == "4" and "open" in missing["reason"]
    assert notices(inst, new) == []


def test_large_originals_go_in_chunks_or_as_headers_only(bounce_instance):
    inst = bounce_instance  # bounce_size_limit = 100000
    line = b"x" * 998 + b"\r\n"
    big = ORIGINAL + line * 90          # about 90 KB: returned whole, in two cleanup chunks
    bigger = ORIGINAL + line * 110      # over the limit: headers only, even with RET=FULL
    seen = []
    for content, ret, kind in ((big, "", "message/rfc822"), (bigger, "FULL", "text/rfc822-headers")):
        qid, offsets = message(inst, "a@example.com", ["b@example.net"], content=content, ret=ret)
        write_log(inst, "bounce", qid, [record("b@example.net", offsets[0])])
        assert ask(inst, "flush", qid)["status"] == "0"
        new = notices(inst, seen)
        assert len(new) == 1
        seen += new
        _, msg = read_notice(inst, new[0])
        part = msg.get_payload()[2]
        assert part.get_content_type() == kind
        if kind == "message/rfc822":
            assert part.get_payload()[0].get_payload() == "body line\r\n" + line.decode() * 90
        else:
            assert b"xxxx" not in part.as_bytes()


def test_notify_classes_bounce_copies_postmaster(instance):
    inst = start(instance, notify_classes="bounce, resource, software", bounce_notice_recipient="bounces")
    qid, offsets = message(inst, "a@example.com", ["b@example.net"])
    write_log(inst, "bounce", qid, [record("b@example.net", offsets[0])])
    assert ask(inst, "flush", qid)["status"] == "0"
    new = notices(inst)
    assert len(new) == 2
    inst.wait_for_log(rf"{qid}: sender non-delivery notification: ")
    inst.wait_for_log(rf"{qid}: postmaster non-delivery notification: ")
    by_rcpt = {}
    for notice_id in new:
        q, msg = read_notice(inst, notice_id)
        by_rcpt[q.recipients[0].address] = (q, msg)
    q, msg = by_rcpt["bounces@mx.example.org"]
    assert q.sender == "double-bounce@mx.example.org"
    assert msg["Subject"] == "Postmaster Copy: Undelivered Mail"
    assert msg.get_payload()[2].get_content_type() == "text/rfc822-headers"
    assert by_rcpt["a@example.com"][1].get_payload()[2].get_content_type() == "message/rfc822"
