r"""tests/integration/test_virtual.py - virtual(8) driven without qmgr, checked in the mailboxes

Starts an instance whose master.cf runs only virtual ("virtual unix - n n - -
virtual"), writes queue files into active/ (delivery_client.py), sends the
delivery requests qmgr would send over private/virtual and checks what a user
sees: Maildir and mbox files with their owner and header lines, the reply,
the maillog line, the queue file's recipient marked done, and the bounce
log record of an unknown user. Extension addresses and a catch-all @domain
follow Postfix's lookup order.
"""

import os
import re

import pytest

from active_delivery import deliver_from_active
from queue_file import read_queue_file

MAIL_UID = 5000
MAIL_GID = 5000
CONTENT = b"Subject: hello\r\nFrom: a@example.org\r\n\r\nFrom the start\r\nbody \xe9\r\n"
MAILBOXES = """\
joe@example.com     example.com/joe/
ann@example.com     example.com/ann
@catchall.example   catchall/
"""


@pytest.fixture
def virtual_instance(instance):
    base = instance.root / "vmail"
    base.mkdir()
    os.chown(base, MAIL_UID, MAIL_GID)
    maps = instance.config_dir / "vmailbox"
    maps.write_text(MAILBOXES)
    instance.write_master_cf("virtual unix - n n - - virtual\n")
    instance.set_main_cf(myhostname="mx.example.org", mydomain="example.org",
                         virtual_mailbox_base=str(base),
                         virtual_mailbox_maps=f"texthash:{maps}",
                         virtual_uid_maps=f"static:{MAIL_UID}",
                         virtual_gid_maps=f"static:{MAIL_GID}",
                         recipient_delimiter="+")
    instance.start()
    instance.wait_for(lambda: (instance.queue_dir / "private" / "virtual").exists(), what="private/virtual")
    instance.base = base
    return instance


def send(inst, recipients, sender="a@example.org", content=CONTENT):
    """Writes active/ID with the recipients, asks virtual to deliver all; (qid, reply)."""
    return deliver_from_active(inst, "virtual", "example.com", recipients, sender, content)


def maildir_files(folder):
    new = folder / "new"
    return sorted(new.iterdir()) if new.is_dir() else []


def test_maildir_delivery_as_the_mapped_owner(virtual_instance):
    inst = virtual_instance
    qid, reply = send(inst, [("joe@example.com", "rfc822;joe@example.com", 0)])
    assert reply["status"] == "0"
    assert reply["rcpt_0_status"] == "sent"
    assert reply["rcpt_0_dsn"] == "2.0.0"
    assert reply["rcpt_0_reason"] == "delivered to maildir"
    files = maildir_files(inst.base / "example.com" / "joe")
    assert len(files) == 1
    st = os.stat(files[0])
    assert (st.st_uid, st.st_gid) == (MAIL_UID, MAIL_GID)
    assert st.st_mode & 0o777 == 0o600
    folder = os.stat(inst.base / "example.com")
    assert (folder.st_uid, folder.st_mode & 0o777) == (MAIL_UID, 0o700)
    assert files[0].read_bytes() == (b"Return-Path: <a@example.org>\nX-Original-To: joe@example.com\n"
                                     b"Delivered-To: joe@example.com\nSubject: hello\nFrom: a@example.org\n\n"
                                     b"From the start\nbody \xe9\n")
    assert not list((inst.base / "example.com" / "joe" / "tmp").iterdir())
    inst.wait_for_log(rf"tern/virtual\[\d+\]: {qid}: to=<joe@example.com>, relay=virtual, delay=[\d.]+, "
                      r"delays=[\d./]+, dsn=2\.0\.0, status=sent \(delivered to maildir\)")
    assert all(r.status == "D" for r in read_queue_file(inst.queue_dir / "active" / qid).recipients)


def test_mbox_delivery_with_from_quoting(virtual_instance):
    inst = virtual_instance
    for _ in range(2):
        _, reply = send(inst, ["ann@example.com"], sender="")
        assert reply["rcpt_0_reason"] == "delivered to mailbox"
    mbox = inst.base / "example.com" / "ann"
    st = os.stat(mbox)
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (MAIL_UID, MAIL_GID, 0o600)
    text = mbox.read_bytes()
    messages = re.split(rb"(?m)^From MAILER-DAEMON  \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n", text)
    assert messages[0] == b""
    assert messages[1:] == [b"Return-Path: <>\nX-Original-To: ann@example.com\nDelivered-To: ann@example.com\n"
                            b"Subject: hello\nFrom: a@example.org\n\n>From the start\nbody \xe9\n\n"] * 2
    assert not (inst.base / "example.com" / "ann.lock").exists()


def test_extension_address_and_catch_all(virtual_instance):
    inst = virtual_instance
    _, reply = send(inst, ["Joe+Lists@Example.COM", "anyone@catchall.example", "x+y@catchall.example"])
    assert [reply[f"rcpt_{i}_status"] for i in range(3)] == ["sent"] * 3
    joe = maildir_files(inst.base / "example.com" / "joe")
    assert len(joe) == 1
    assert b"Delivered-To: Joe+Lists@Example.COM\n" in joe[0].read_bytes()
    assert len(maildir_files(inst.base / "catchall")) == 2


def test_unknown_user_bounces_with_a_bounce_log_record(virtual_instance):
    inst = virtual_instance
    qid, reply = send(inst, ["joe@example.com", "Nobody@example.com"])
    assert reply["rcpt_0_status"] == "sent"
    assert reply["rcpt_1_status"] == "bounced"
    assert reply["rcpt_1_dsn"] == "5.1.1"
    assert reply["rcpt_1_reason"] == 'unknown user: "nobody@example.com"'
    record = (inst.queue_dir / "bounce" / qid).read_bytes()
    assert b"Nobody@example.com" in record
    assert b"5.1.1" in record
    assert b'unknown user: "nobody@example.com"' in record
    inst.wait_for_log(rf"{qid}: to=<Nobody@example.com>, relay=virtual, .*dsn=5\.1\.1, "
                      r"status=bounced \(unknown user: \"nobody@example.com\"\)")
    assert all(r.status == "D" for r in read_queue_file(inst.queue_dir / "active" / qid).recipients)


def test_delivered_to_loop_bounces(virtual_instance):
    inst = virtual_instance
    looped = b"Delivered-To: joe@example.com\r\n" + CONTENT
    _, reply = send(inst, ["joe@example.com"], content=looped)
    assert reply["rcpt_0_status"] == "bounced"
    assert reply["rcpt_0_dsn"] == "5.4.6"
    assert reply["rcpt_0_reason"] == "mail forwarding loop for joe@example.com"
    assert maildir_files(inst.base / "example.com" / "joe") == []


def test_uid_below_minimum_defers(virtual_instance):
    inst = virtual_instance
    inst.stop()
    inst.set_main_cf(virtual_uid_maps="static:10")
    inst.start()
    inst.wait_for(lambda: (inst.queue_dir / "private" / "virtual").exists(), what="private/virtual")
    qid, reply = send(inst, ["joe@example.com"])
    assert reply["rcpt_0_status"] == "deferred"
    assert reply["rcpt_0_dsn"] == "4.3.5"
    assert reply["rcpt_0_reason"] == "mail system configuration error"
    inst.wait_for_log(r"warning: recipient joe@example.com: bad uid 10 in virtual_uid_maps")
    assert (inst.queue_dir / "defer" / qid).exists()
    assert not (inst.base / "example.com").exists()
