r"""tests/integration/test_relay.py - SMTP in, SMTP out: a whole instance relaying to smtp-sink

Starts smtpd, cleanup, qmgr, smtp, bounce, showq and pickup from
delivery_services.py's master.cf, sends mail with smtplib from 127.0.0.1
(mynetworks) to domains that are not ours, and checks what the next hop got:
- relayhost = [127.0.0.1]:PORT, to Postfix's own smtp-sink (package postfix):
  the message arrives with the envelope intact; the maillog shows
  "tern/smtp[PID]: ID: to=<...>, relay=127.0.0.1[127.0.0.1]:PORT, delay=...,
  delays=a/b/c/d, dsn=2.0.0, status=sent (250 ...)" and "ID: removed";
- transport_maps sends one domain to smtp:[127.0.0.1]:PORT2 (a second sink)
  while the rest still goes to the relayhost;
- a next hop that answers per recipient (smtp_sink.PySink): 2xx is sent,
  4xx stays in the queue as deferred with the server's reply as its reason
  in mailq, 5xx bounces, and the DSN (null sender, multipart/report) comes
  back to the sender through the same relayhost;
- smtp-sink refusing every RCPT with 4xx (-r RCPT): the message is deferred;
  with 5xx (-f RCPT): the recipient is bounced.
"""

import email
import email.policy
import re

import pytest

from smtp_instance import start_smtp_instance
from smtp_instance import submit as smtp_submit
from smtp_sink import PySink, SmtpSink
from tern_instance import run_captured

CONTENT = "From: sender@sender.test\r\nTo: bob@remote.test\r\nSubject: relay test\r\n\r\nhello relay\r\n.dot line\r\n"


def start_relay(inst, **settings):
    return start_smtp_instance(inst, needed=("smtp/smtp",), services={"smtp", "showq", "pickup"},
                               **{"smtp_connection_cache_time_limit": "1s", **settings})


def submit(inst, recipients, sender="sender@sender.test", content=CONTENT):
    return smtp_submit(inst, recipients, sender, content)


def smtp_log(inst, qid, rcpt, status, timeout=30):
    pattern = (rf"tern/smtp\[\d+\]: {qid}: to=<{re.escape(rcpt)}>, relay=(\S+), delay=[\d.]+, "
               rf"delays=[\d.]+/[\d.]+/[\d.]+/[\d.]+, dsn=(\d\.\d+\.\d+), status={status} \((.*)\)$")
    return inst.wait_for_log(pattern, timeout=timeout)


def mailq(inst):
    postqueue = inst.build / "tools" / "postqueue" / "postqueue"
    return run_captured([postqueue, "-c", inst.config_dir, "-p"], check=True).stdout


def test_relayhost_to_smtp_sink(instance):
    with SmtpSink(dump=True) as sink:
        inst = start_relay(instance, relayhost=f"[127.0.0.1]:{sink.port}")
        qid = submit(inst, ["bob@remote.test", "carol@other.test"])
        sink.wait_for_count(1, timeout=30)
        [m] = sink.messages()
        assert m.sender == "sender@sender.test"
        assert sorted(m.recipients) == ["bob@remote.test", "carol@other.test"]
        assert b"Subject: relay test" in m.content
        assert b"\nhello relay\n.dot line\n" in m.content.replace(b"\r\n", b"\n")
        for rcpt in ("bob@remote.test", "carol@other.test"):
            match = smtp_log(inst, qid, rcpt, "sent")
            assert match.group(1) == f"127.0.0.1[127.0.0.1]:{sink.port}"
            assert match.group(2) == "2.0.0"
            assert match.group(3).startswith("250 ")
        inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: removed", timeout=30)


def test_transport_maps_pick_another_next_hop(instance):
    with SmtpSink(dump=True) as main_sink, SmtpSink(dump=True) as other_sink:
        maps = instance.config_dir / "transport"
        maps.write_text(f"other.test smtp:[127.0.0.1]:{other_sink.port}\n")
        inst = start_relay(instance, relayhost=f"[127.0.0.1]:{main_sink.port}", transport_maps=f"texthash:{maps}")
        qid = submit(inst, ["bob@remote.test", "carol@other.test"])
        main_sink.wait_for_count(1, timeout=30)
        other_sink.wait_for_count(1, timeout=30)
        assert main_sink.messages()[0].recipients == ["bob@remote.test"]
        assert other_sink.messages()[0].recipients == ["carol@other.test"]
        match = smtp_log(inst, qid, "carol@other.test", "sent")
        assert match.group(1) == f"127.0.0.1[127.0.0.1]:{other_sink.port}"
        inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: removed", timeout=30)


def test_per_recipient_4xx_defers_and_5xx_bounces_with_a_dsn(instance):
    with PySink() as sink:
        inst = start_relay(instance, relayhost=f"[127.0.0.1]:{sink.port}")
        if not (inst.build / "bounce" / "bounce").exists():
            pytest.skip("bounce/bounce not built")
        qid = submit(inst, ["ok@remote.test", "defer@remote.test", "reject@remote.test"])
        smtp_log(inst, qid, "ok@remote.test", "sent")
        deferred = smtp_log(inst, qid, "defer@remote.test", "deferred")
        assert deferred.group(2) == "4.2.0"
        assert deferred.group(3).startswith("host 127.0.0.1[127.0.0.1] said: 450 4.2.0 <defer@remote.test>")
        bounced = smtp_log(inst, qid, "reject@remote.test", "bounced")
        assert bounced.group(2) == "5.1.1"
        assert bounced.group(3).endswith("(in reply to RCPT TO command)")
        messages = sink.wait_for_messages(2, timeout=30)
        [relayed] = [m for m in messages if m.sender]
        assert relayed.recipients == ["ok@remote.test"]
        [dsn] = [m for m in messages if not m.sender]
        assert dsn.recipients == ["sender@sender.test"]
        report = email.message_from_bytes(dsn.content, policy=email.policy.compat32)
        assert report.get_content_type() == "multipart/report"
        assert report.get_param("report-type") == "delivery-status"
        [status] = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"]
        per_rcpt = status.get_payload()[1:]
        assert [r["Final-Recipient"] for r in per_rcpt] == ["rfc822; reject@remote.test"]
        assert per_rcpt[0]["Action"] == "failed"
        assert per_rcpt[0]["Status"] == "5.1.1"
        assert " ".join(per_rcpt[0]["Diagnostic-Code"].split()).startswith("smtp; 550 5.1.1 <reject@remote.test>")
        # the deferred recipient waits in the queue with the server's words
        listing = inst.wait_for(lambda: (lambda text: "defer@remote.test" in text and text)(mailq(inst)),
                                timeout=30, what="the deferred message in mailq")
        assert qid in listing
        assert "(host 127.0.0.1[127.0.0.1] said: 450 4.2.0 <defer@remote.test>" in " ".join(listing.split())
        assert "ok@remote.test" not in listing and "reject@remote.test" not in listing


def test_smtp_sink_soft_reject_defers(instance):
    with SmtpSink(soft_reject=["RCPT"]) as sink:
        inst = start_relay(instance, relayhost=f"[127.0.0.1]:{sink.port}")
        qid = submit(inst, ["bob@remote.test"])
        match = smtp_log(inst, qid, "bob@remote.test", "deferred")
        assert match.group(1) == f"127.0.0.1[127.0.0.1]:{sink.port}"
        assert match.group(2).startswith("4.")
        assert "(in reply to RCPT TO command)" in match.group(3)
        inst.wait_for(lambda: (inst.queue_dir / "deferred").is_dir() and
                      any(p.is_file() for p in (inst.queue_dir / "deferred").rglob("*")),
                      timeout=30, what="the message in deferred/")
        assert sink.count() == 0


def test_smtp_sink_hard_reject_bounces(instance):
    with SmtpSink(hard_reject=["RCPT"]) as sink:
        inst = start_relay(instance, relayhost=f"[127.0.0.1]:{sink.port}")
        qid = submit(inst, ["bob@remote.test"])
        match = smtp_log(inst, qid, "bob@remote.test", "bounced")
        assert match.group(1) == f"127.0.0.1[127.0.0.1]:{sink.port}"
        assert match.group(2).startswith("5.")
        assert match.group(3).startswith(f"host 127.0.0.1[127.0.0.1] said: 5")
        assert match.group(3).endswith("(in reply to RCPT TO command)")
        assert sink.count() == 0
