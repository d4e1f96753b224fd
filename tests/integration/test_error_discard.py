r"""tests/integration/test_error_discard.py - error(8), retry and discard(8) transports

Starts an instance whose master.cf runs only error (as "error" and as
"retry") and discard, chrooted and unprivileged as in Postfix's master.cf,
and sends them requests with delivery_client.py (no qmgr): the next hop is
the reason, optionally with an RFC 3463 code in front. Checks the reply,
the queue file's recipient statuses, the bounce/ and defer/ logs and the
maillog lines (relay=none).
"""

import os
import pwd

import pytest

from delivery_client import deliver, write_queue_file
from queue_file import read_queue_file
from test_delivery_agent import read_log

MASTER_CF = ("error unix - - y - - error\n"
             "retry unix - - y - - error\n"
             "discard unix - - y - - discard\n")
CONTENT = b"Subject: test\r\n\r\nbody\r\n"
ID = "1xVjby00003"


@pytest.fixture
def transports(instance):
    instance.write_master_cf(MASTER_CF)
    instance.start()
    for name in ("error", "retry", "discard"):
        sock = instance.queue_dir / "private" / name
        instance.wait_for(sock.exists, what=f"private/{name}")
    return instance


def send(inst, service, nexthop, recipients, notify=0):
    path = inst.queue_dir / "active" / ID
    queued = [(r, "", notify) if notify else r for r in recipients]
    offsets = write_queue_file(path, "a@example.com", queued, CONTENT)
    tern = pwd.getpwnam("tern")
    os.chown(path, tern.pw_uid, tern.pw_gid)
    request = [(r, o, "", notify) for r, o in zip(recipients, offsets)]
    reply = deliver(inst.queue_dir / "private" / service, ID, service, nexthop, "a@example.com", request)
    assert reply["status"] == "0", reply
    outcomes = [(reply[f"rcpt_{i}_status"], reply[f"rcpt_{i}_dsn"], reply[f"rcpt_{i}_reason"])
                for i in range(len(recipients))]
    return outcomes, [r.status for r in read_queue_file(path).recipients]


def test_error_bounces_with_the_nexthop_as_reason(transports):
    outcomes, statuses = send(transports, "error", "5.1.1 User unknown", ["b@example.com", "c@example.com"])
    assert outcomes == [("bounced", "5.1.1", "User unknown")] * 2
    assert statuses == ["D", "D"]
    records = read_log(transports.queue_dir / "bounce" / ID)
    assert [(r["recipient"], r["action"], r["status"], r["reason"]) for r in records] == [
        ("b@example.com", "failed", "5.1.1", "User unknown"), ("c@example.com", "failed", "5.1.1", "User unknown")]
    transports.wait_for_log(
        rf"tern/error\[\d+\]: {ID}: to=<b@example.com>, relay=none, delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/0/0, "
        r"dsn=5.1.1, status=bounced \(User unknown\)$")


def test_error_without_a_code_uses_5_0_0(transports):
    outcomes, _ = send(transports, "error", "mail for example.com loops back to myself", ["b@example.com"])
    assert outcomes == [("bounced", "5.0.0", "mail for example.com loops back to myself")]
    outcomes, _ = send(transports, "error", "4.4.1 later", ["b@example.com"])
    assert outcomes == [("bounced", "5.0.0", "later")]
    outcomes, _ = send(transports, "error", "", ["b@example.com"])
    assert outcomes == [("bounced", "5.0.0", "delivery failed")]


def test_retry_defers(transports):
    outcomes, statuses = send(transports, "retry", "4.4.1 destination on hold", ["b@example.com"])
    assert outcomes == [("deferred", "4.4.1", "destination on hold")]
    assert statuses == ["T"]
    assert not (transports.queue_dir / "bounce" / ID).exists()
    records = read_log(transports.queue_dir / "defer" / ID)
    assert [(r["action"], r["status"], r["reason"]) for r in records] == [
        ("delayed", "4.4.1", "destination on hold")]
    outcomes, _ = send(transports, "retry", "5.1.1 nope", ["b@example.com"])
    assert outcomes == [("deferred", "4.0.0", "nope")]
    transports.wait_for_log(rf"tern/error\[\d+\]: {ID}: to=<b@example.com>, relay=none, .*dsn=4.4.1, "
                            r"status=deferred \(destination on hold\)$")


def test_discard_reports_sent(transports):
    outcomes, statuses = send(transports, "discard", "example.com", ["b@example.com", "c@example.com"])
    assert outcomes == [("sent", "2.0.0", "example.com")] * 2
    assert statuses == ["D", "D"]
    assert not (transports.queue_dir / "bounce" / ID).exists()
    transports.wait_for_log(rf"tern/discard\[\d+\]: {ID}: to=<b@example.com>, relay=none, .*dsn=2.0.0, "
                            r"status=sent \(example.com\)$")
    outcomes, _ = send(transports, "discard", "", ["b@example.com"])
    assert outcomes == [("sent", "2.0.0", "discarded")]
    outcomes, _ = send(transports, "discard", "2.7.0 policy says so", ["b@example.com"])
    assert outcomes == [("sent", "2.7.0", "policy says so")]


def test_discard_records_success_notices(transports):
    outcomes, _ = send(transports, "discard", "example.com", ["b@example.com"], notify=2)
    assert outcomes == [("sent", "2.0.0", "example.com")]
    records = read_log(transports.queue_dir / "bounce" / ID)
    assert [(r["recipient"], r["action"], r["status"]) for r in records] == [("b@example.com", "delivered", "2.0.0")]


def test_service_name_expands_in_master_cf_overrides(instance):
    """-o syslog_name=tern/$service_name, as Postfix's master.cf writes for relay."""
    instance.write_master_cf("bounced unix - - y - - error\n  -o syslog_name=tern/$service_name\n")
    instance.start()
    instance.wait_for((instance.queue_dir / "private" / "bounced").exists, what="private/bounced")
    outcomes, _ = send(instance, "bounced", "5.1.1 User unknown", ["b@example.com"])
    assert outcomes == [("bounced", "5.1.1", "User unknown")]
    instance.wait_for_log(rf"tern/bounced/error\[\d+\]: {ID}: to=<b@example.com>, relay=none")
