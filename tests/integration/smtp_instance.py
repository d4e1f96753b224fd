r"""tests/integration/smtp_instance.py - a whole instance that takes mail over SMTP, and mail sent to it

SYNOPSIS
    from smtp_instance import start_smtp_instance, submit
    inst = start_smtp_instance(instance, needed=("smtp/lmtp",), services={"lmtp"},
                               virtual_mailbox_domains="example.com")
    qid = submit(inst, ["joe@example.com"], sender="a@sender.test", content=CONTENT)

DESCRIPTION
    start_smtp_instance skips the test unless smtpd, cleanup, qmgr and the
    programs in `needed` (paths under $TERN_BUILD) are built, writes the
    master.cf of delivery_services.py with smtpd, cleanup, qmgr, the
    given `services` and bounce when it is built, and main.cf with
    mx.example.org in example.org, mydestination localhost, mynetworks
    127.0.0.0/8 and a 1s queue_run_delay; keyword arguments add to or
    override those. It starts the instance and waits for public/qmgr.
    submit sends one message with smtplib from 127.0.0.1, asserts that
    every RCPT and the DATA got 250, and returns the queue ID from
    smtpd's "queued as" reply.

LIMITS
    Each SMTP exchange has a 30 s socket timeout; the wait for qmgr is
    the instance's default deadline.
"""

import re
import smtplib

import pytest

from delivery_services import delivery_master_cf
from tern_instance import build_dir

RECEIVING = ("smtpd/smtpd", "cleanup/cleanup", "qmgr/qmgr")
MAIN_CF = {"myhostname": "mx.example.org", "mydomain": "example.org", "mydestination": "localhost",
           "mynetworks": "127.0.0.0/8", "queue_run_delay": "1s"}


def start_smtp_instance(inst, needed=(), services=(), **settings):
    missing = [p for p in RECEIVING + tuple(needed) if not (build_dir() / p).exists()]
    if missing:
        pytest.skip(f"not built: {', '.join(missing)}")
    names = {"smtpd", "cleanup", "qmgr"} | set(services)
    if (build_dir() / "bounce" / "bounce").exists():
        names.add("bounce")
    inst.write_master_cf(delivery_master_cf(inst.smtp_port, only=names))
    inst.set_main_cf(**{**MAIN_CF, **settings})
    inst.start()
    inst.wait_for(lambda: (inst.queue_dir / "public" / "qmgr").exists(), what="public/qmgr")
    return inst


def submit(inst, recipients, sender, content):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as client:
        client.ehlo("client.example.org")
        client.mail(sender)
        for rcpt in recipients:
            code, text = client.rcpt(rcpt)
            assert code == 250, (rcpt, code, text)
        code, text = client.data(content.encode())
    assert code == 250, text
    match = re.search(rb"queued as (\w+)", text)
    assert match, text
    return match.group(1).decode()
