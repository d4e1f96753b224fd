r"""tests/integration/test_delay_warning.py - delay_warning_time: one delay notice per deferred message

A whole instance (smtpd, cleanup, qmgr, smtp, bounce, showq, pickup)
relays to a test sink (smtp_sink.PySink) through relayhost; the sink
answers 450 to every recipient whose local part starts with "defer", so
those messages stay deferred, and the notices tern sends (null sender)
come back to the same sink, which plays the senders' mailboxes. With
delay_warning_time = 1s and back-off times of 1-2 s, each message is
deferred many times before maximal_queue_lifetime returns it. Checked:
- the sender gets exactly one delay notice, which Python's email package
  parses as multipart/report with Action: delayed, a 4.x.x Status, the
  subject "Delayed Mail (still being retried)" and the right
  Final-Recipient; bounce logs "ID: sender delay notification: NEWID";
- the message is still queued afterwards, postcat shows when the notice
  went out (delay_warning_sent), and it later expires into a normal
  failure notice (Action: failed);
- a recipient that said NOTIFY=NEVER, and the null sender, get none;
- a queue file from before the delay warning record existed (written here
  without one) is deferred as usual and gets no notice.
"""

import email
import email.policy
import os
import pwd
import re
import smtplib
import time

import pytest

from active_delivery import queue_id
from delivery_client import write_queue_file
from smtp_instance import start_smtp_instance
from smtp_sink import PySink
from tern_instance import run_captured

CONTENT = "From: {sender}\r\nTo: {rcpt}\r\nSubject: slow mail\r\nMessage-ID: <{tag}@sender.test>\r\n\r\nhello\r\n"
LIFETIME_S = 12
DEADLINE_S = 60


def start(inst, sink, **settings):
    main_cf = {"relayhost": f"[127.0.0.1]:{sink.port}", "delay_warning_time": "1s", "minimal_backoff_time": "1s",
               "maximal_backoff_time": "2s", "maximal_queue_lifetime": f"{LIFETIME_S}s",
               "bounce_queue_lifetime": "1h", "smtp_connection_cache_time_limit": "1s"}
    return start_smtp_instance(inst, needed=("smtp/smtp", "bounce/bounce"), services={"smtp", "showq", "pickup"},
                               **{**main_cf, **settings})


def submit(inst, sender, rcpt, tag, notify=None):
    """One message over SMTP, the RCPT with NOTIFY= when given; returns its queue ID."""
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=30) as client:
        client.ehlo("client.example.org")
        code, text = client.mail(sender)
        assert code == 250, text
        code, text = client.rcpt(rcpt, options=[f"NOTIFY={notify}"] if notify else [])
        assert code == 250, (rcpt, code, text)
        code, text = client.data(CONTENT.format(sender=sender or "nobody@sender.test", rcpt=rcpt, tag=tag).encode())
    assert code == 250, text
    match = re.search(rb"queued as (\w+)", text)
    assert match, text
    return match.group(1).decode()


def notices_to(sink, address):
    """The notices (null-sender messages) the sink got for address, parsed."""
    return [email.message_from_bytes(m.content, policy=email.policy.compat32)
            for m in list(sink.messages) if m.sender == "" and m.recipients == [address]]


def per_recipient(report):
    [status] = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"]
    return status.get_payload()[1:]


def in_queue(inst, qid):
    return any((inst.queue_dir / q / qid).exists() for q in ("incoming", "active", "deferred"))


def postcat(inst, qid):
    program = inst.build / "tools" / "postcat" / "postcat"
    return run_captured([program, "-c", inst.config_dir, "-e", "-q", qid], check=True).stdout


def delay_log(qid):
    return rf"tern/bounce\[\d+\]: {qid}: sender delay notification: (\w+)$"


def expired_log(qid):
    return rf"tern/qmgr\[\d+\]: {qid}: from=<[^>]*>, status=expired, returned to sender$"


def test_one_delay_notice_then_expiry_into_a_bounce(instance):
    with PySink() as sink:
        inst = start(instance, sink)
        warned = submit(inst, "warned@sender.test", "defer@remote.test", "warned")
        never = submit(inst, "never@sender.test", "defer-never@remote.test", "never", notify="NEVER")
        null = submit(inst, "", "defer-null@remote.test", "null")
        notice_id = inst.wait_for_log(delay_log(warned), timeout=DEADLINE_S).group(1)
        # Still queued, and the queue file remembers the notice.
        assert in_queue(inst, warned)
        listing = inst.wait_for(lambda: (lambda t: "delay_warning_sent:" in t and t)(postcat(inst, warned)),
                                timeout=DEADLINE_S, what="postcat to show the warning record")
        assert "delay_warning_sent: not yet" not in listing
        delayed = lambda: [n for n in notices_to(sink, "warned@sender.test") if n["Subject"].startswith("Delayed")]
        [delay] = inst.wait_for(delayed, timeout=DEADLINE_S, what="the delay notice at the sink")
        assert delay.get_content_type() == "multipart/report"
        assert delay.get_param("report-type") == "delivery-status"
        assert delay["Subject"] == "Delayed Mail (still being retried)"
        assert notice_id in delay["Message-Id"]
        [fields] = per_recipient(delay)
        assert fields["Final-Recipient"] == "rfc822; defer@remote.test"
        assert fields["Action"] == "delayed"
        assert re.fullmatch(r"4\.\d+\.\d+", fields["Status"])
        assert fields["Will-Retry-Until"]
        # Deferred again and again, then returned: the failure notice, and no second delay notice.
        inst.wait_for_log(expired_log(warned), timeout=DEADLINE_S)
        inst.wait_for_log(expired_log(never), timeout=DEADLINE_S)
        reports = inst.wait_for(lambda: (lambda n: len(n) >= 2 and n)(notices_to(sink, "warned@sender.test")),
                                timeout=DEADLINE_S, what="the failure notice at the sink")
        subjects = sorted(r["Subject"] for r in reports)
        assert subjects == ["Delayed Mail (still being retried)", "Undelivered Mail Returned to Sender"]
        [failure] = [r for r in reports if r["Subject"].startswith("Undelivered")]
        [fields] = per_recipient(failure)
        assert fields["Final-Recipient"] == "rfc822; defer@remote.test"
        assert fields["Action"] == "failed"
        inst.wait_for(lambda: not in_queue(inst, warned), timeout=DEADLINE_S, what=f"{warned} removed")
        log = inst.log_text()
        assert len(re.findall(delay_log(warned), log, re.MULTILINE)) == 1
        # NOTIFY=NEVER: no delay notice, no failure notice; the null sender: no delay notice.
        assert not re.search(rf"{never}: sender (delay|non-delivery) notification", log)
        assert not re.search(rf"{null}: \S+ delay notification", log)
        assert in_queue(inst, null)
        assert notices_to(sink, "never@sender.test") == []
        assert len(re.findall(rf"tern/qmgr\[\d+\]: {null}: from=<>", log)) >= 3  # deferred several times


def tern_ids():
    entry = pwd.getpwnam("tern")
    return entry.pw_uid, entry.pw_gid


def test_queue_file_without_warning_record_gets_no_notice(instance):
    with PySink() as sink:
        inst = start(instance, sink, maximal_queue_lifetime="1h")
        folder = inst.queue_dir / "incoming"
        probe = folder / ".new"
        probe.write_bytes(b"")
        now = time.time()
        qid = queue_id(now, os.stat(probe).st_ino)
        content = CONTENT.format(sender="old@sender.test", rcpt="defer-old@remote.test", tag="old").encode()
        write_queue_file(probe, "old@sender.test", ["defer-old@remote.test"], content, arrival=now - 60)
        os.chown(probe, *tern_ids())
        os.rename(probe, folder / qid)
        assert "delay_warning_sent" not in postcat(inst, qid)
        # Kept for another file: a new message sent now is warned, the old one is not.
        fresh = submit(inst, "fresh@sender.test", "defer-fresh@remote.test", "fresh")
        inst.wait_for_log(delay_log(fresh), timeout=DEADLINE_S)
        pattern = re.compile(rf"tern/qmgr\[\d+\]: {qid}: from=<old@sender\.test>", re.MULTILINE)
        inst.wait_for(lambda: len(pattern.findall(inst.log_text())) >= 3, timeout=DEADLINE_S,
                      what=f"{qid} to be tried three times")
        assert not re.search(rf"{qid}: \S+ delay notification", inst.log_text())
        assert notices_to(sink, "old@sender.test") == []
