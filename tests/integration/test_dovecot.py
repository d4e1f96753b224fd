r"""tests/integration/test_dovecot.py - SMTP in, LMTP out: a whole instance delivering to a real Dovecot

Starts Dovecot's LMTP server (dovecot_lmtp.py: dovecot-core + dovecot-lmtpd,
its own throw-away configuration, a UNIX socket at private/dovecot-lmtp in
the instance's queue directory) and a tern instance with smtpd, cleanup,
qmgr, lmtp and bounce (and local when built). Mail sent with smtplib must
be readable from Dovecot's Maildir, as with Postfix's own Dovecot setup:
- virtual_transport = lmtp:unix:private/dovecot-lmtp for
  virtual_mailbox_domains: the message is in the user's Maildir, the
  maillog says "tern/lmtp[PID]: ID: to=<...>, relay=HOST[private/dovecot-lmtp],
  ... dsn=2.0.0, status=sent (250 2.0.0 <...> ... Saved)" and "removed";
- a user Dovecot does not know (passwd-file userdb) is bounced 5.1.1 with
  Dovecot's reply, while the known one in the same message is delivered;
- mailbox_transport = lmtp:unix:private/dovecot-lmtp: local(8) hands a
  local user's mailbox delivery to Dovecot (skipped until local is built).
"""

import re

import pytest

from dovecot_lmtp import DovecotLmtp
from smtp_instance import start_smtp_instance
from smtp_instance import submit as smtp_submit
from tern_instance import build_dir

CONTENT = ("From: a@sender.test\r\nTo: joe@example.com\r\nSubject: to dovecot\r\n"
           "Message-ID: <dovecot-test@sender.test>\r\n\r\nhello dovecot\r\n.dot line\r\n")


def start(inst, services, **settings):
    return start_smtp_instance(inst, needed=("smtp/lmtp",), services={"lmtp", *services}, **settings)


def submit(inst, recipients, sender="a@sender.test", content=CONTENT):
    return smtp_submit(inst, recipients, sender, content)


def lmtp_log(inst, qid, rcpt, status):
    pattern = (rf"tern/lmtp\[\d+\]: {qid}: to=<{re.escape(rcpt)}>, (?:orig_to=<[^>]*>, )?relay=(\S+), "
               rf"delay=[\d.]+, delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=(\d\.\d+\.\d+), status={status} \((.*)\)$")
    return inst.wait_for_log(pattern, timeout=30)


def test_virtual_transport_lmtp_to_dovecot(instance):
    socket_path = instance.queue_dir / "private" / "dovecot-lmtp"
    with DovecotLmtp(socket_path=socket_path) as dovecot:
        inst = start(instance, (), virtual_mailbox_domains="example.com",
                     virtual_transport="lmtp:unix:private/dovecot-lmtp")
        qid = submit(inst, ["joe@example.com", "ann@example.com"])
        [joe] = dovecot.wait_for_messages("joe@example.com", 1, timeout=30)
        dovecot.wait_for_messages("ann@example.com", 1, timeout=30)
        assert joe["Subject"] == "to dovecot"
        assert joe["Message-ID"] == "<dovecot-test@sender.test>"
        assert joe["Return-Path"] == "<a@sender.test>"
        assert joe.get_content().replace("\r\n", "\n").endswith("hello dovecot\n.dot line\n")
        match = lmtp_log(inst, qid, "joe@example.com", "sent")
        assert match.group(1) == "mx.example.org[private/dovecot-lmtp]"
        assert match.group(2) == "2.0.0"
        assert match.group(3).startswith("250 2.0.0 <joe@example.com>")
        assert "Saved" in match.group(3)
        inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: removed", timeout=30)


def test_unknown_dovecot_user_bounces_known_one_delivered(instance):
    socket_path = instance.queue_dir / "private" / "dovecot-lmtp"
    with DovecotLmtp(socket_path=socket_path, users=["joe@example.com"]) as dovecot:
        inst = start(instance, (), virtual_mailbox_domains="example.com",
                     virtual_transport="lmtp:unix:private/dovecot-lmtp")
        qid = submit(inst, ["joe@example.com", "nobody-here@example.com"])
        dovecot.wait_for_messages("joe@example.com", 1, timeout=30)
        bounced = lmtp_log(inst, qid, "nobody-here@example.com", "bounced")
        assert bounced.group(2) == "5.1.1"
        assert bounced.group(3).startswith("host mx.example.org[private/dovecot-lmtp] said: 550 5.1.1")
        assert bounced.group(3).endswith("(in reply to RCPT TO command)")
        lmtp_log(inst, qid, "joe@example.com", "sent")


def test_mailbox_transport_hands_local_users_to_dovecot(instance):
    if not (build_dir() / "local" / "local").exists():
        pytest.skip("local/local not built")
    socket_path = instance.queue_dir / "private" / "dovecot-lmtp"
    with DovecotLmtp(socket_path=socket_path) as dovecot:
        inst = start(instance, ("local",), mailbox_transport="lmtp:unix:private/dovecot-lmtp",
                     alias_maps="", local_recipient_maps="")
        qid = submit(inst, ["tern@localhost"])
        [msg] = dovecot.wait_for_messages("tern@localhost", 1, timeout=30)
        assert msg["Subject"] == "to dovecot"
        match = lmtp_log(inst, qid, "tern@localhost", "sent")
        assert match.group(1) == "mx.example.org[private/dovecot-lmtp]"
