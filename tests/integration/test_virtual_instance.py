r"""tests/integration/test_virtual_instance.py - SMTP in, virtual Maildir out, through a whole instance

Starts smtpd, cleanup, qmgr, virtual (and bounce) from delivery_services.py's
master.cf, sends mail with smtplib to a virtual_mailbox_domains address and
waits for it in the Maildir below virtual_mailbox_base: the file, its owner,
the header lines virtual adds, the maillog "status=sent (delivered to
maildir)" and "removed" lines, and an empty queue afterwards.
"""

import os
import smtplib

import pytest

from delivery_services import delivery_master_cf
from tern_instance import build_dir

MAIL_UID = 5000
MAIL_GID = 5000


@pytest.fixture
def full_instance(instance):
    missing = [p for p in ("qmgr/qmgr", "virtual/virtual", "smtpd/smtpd", "cleanup/cleanup")
               if not (build_dir() / p).exists()]
    if missing:
        pytest.skip(f"not built: {', '.join(missing)}")
    base = instance.root / "vmail"
    base.mkdir()
    os.chown(base, MAIL_UID, MAIL_GID)
    maps = instance.config_dir / "vmailbox"
    maps.write_text("joe@example.com example.com/joe/\n@example.net catchall/\n")
    instance.write_master_cf(delivery_master_cf(instance.smtp_port,
                                                only={"smtpd", "cleanup", "qmgr", "virtual", "bounce"}))
    instance.set_main_cf(myhostname="mx.example.org", mydomain="example.org", mydestination="localhost",
                         virtual_mailbox_domains="example.com, example.net",
                         virtual_mailbox_base=str(base),
                         virtual_mailbox_maps=f"texthash:{maps}",
                         virtual_uid_maps=f"static:{MAIL_UID}",
                         virtual_gid_maps=f"static:{MAIL_GID}",
                         recipient_delimiter="+")
    instance.start()
    instance.base = base
    return instance


def new_files(folder):
    new = folder / "new"
    return sorted(new.iterdir()) if new.is_dir() else []


def test_smtp_to_virtual_maildir(full_instance):
    inst = full_instance
    message = "From: a@example.org\r\nSubject: over smtp\r\n\r\nhello virtual\r\n"
    inst.wait_for(lambda: inst.master_pid(), what="master")
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as client:
        client.sendmail("a@example.org", ["joe+x@example.com", "someone@example.net"], message)
    joe = inst.base / "example.com" / "joe"
    files = inst.wait_for(lambda: new_files(joe), timeout=30, what="the message in joe's Maildir")
    inst.wait_for(lambda: new_files(inst.base / "catchall"), timeout=30, what="the catch-all Maildir")
    assert len(files) == 1
    text = files[0].read_bytes()
    assert text.startswith(b"Return-Path: <a@example.org>\nX-Original-To: joe+x@example.com\n"
                           b"Delivered-To: joe+x@example.com\n")
    assert b"\nSubject: over smtp\n" in text
    assert text.endswith(b"\n\nhello virtual\n")
    assert b"\r" not in text
    st = os.stat(files[0])
    assert (st.st_uid, st.st_gid) == (MAIL_UID, MAIL_GID)
    match = inst.wait_for_log(r"tern/virtual\[\d+\]: (\w+): to=<joe\+x@example.com>, relay=virtual, "
                              r"delay=[\d.]+, delays=[\d./]+, dsn=2\.0\.0, status=sent \(delivered to maildir\)",
                              timeout=30)
    qid = match.group(1)
    inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: removed", timeout=30)
    for folder in ("incoming", "active", "deferred"):
        path = inst.queue_dir / folder
        assert not path.is_dir() or not [p for p in path.rglob("*") if p.is_file()], folder
