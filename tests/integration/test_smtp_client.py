r"""tests/integration/test_smtp_client.py - smtp(8) and lmtp(8) driven without qmgr

Starts an instance whose master.cf runs only smtp and lmtp, writes queue files
into active/ (delivery_client.py), sends the delivery requests qmgr would send
and checks what the peer got (tests/integration/smtp_sink.py's PySink, a
Python SMTP/LMTP server on 127.0.0.1 or a UNIX socket), the reply to qmgr and
the maillog line in Postfix's words: per-recipient 2xx/4xx/5xx, a refused
connection, connection reuse for back-to-back requests, LMTP on a UNIX socket
relative to the queue directory, and MX lookups against a loopback DNS server
(dns_server.py) named by dns_resolv_conf.
"""

import os
import re
from pathlib import Path

import pytest

from active_delivery import deliver_from_active
from dns_server import DnsServer
from smtp_sink import PySink

CONTENT = b"Subject: hello\r\nFrom: a@example.org\r\n\r\n.leading dot\r\nbody\r\n"


@pytest.fixture
def client_instance(instance):
    if not (Path(os.environ["TERN_BUILD"]) / "smtp" / "smtp").exists():
        pytest.skip("smtp/smtp not built (EXTRA_PROGRAMS until run_delivery_agent is in the tree)")
    instance.write_master_cf("smtp unix - - n - - smtp\nlmtp unix - - n - - lmtp\n")
    instance.resolv_conf = instance.root / "resolv.conf"
    instance.resolv_conf.write_text("nameserver 127.0.0.1:9\noptions timeout:1 attempts:1\n")
    instance.set_main_cf(myhostname="client.example.org", mydomain="example.org",
                         dns_resolv_conf=str(instance.resolv_conf), smtp_connection_cache_time_limit="5s")
    instance.start()
    for name in ("smtp", "lmtp"):
        instance.wait_for(lambda: (instance.queue_dir / "private" / name).exists(), what=f"private/{name}")
    return instance


def send(inst, transport, nexthop, recipients, sender="a@example.org", content=CONTENT):
    """Writes active/ID, asks the agent to deliver every recipient; (qid, reply)."""
    return deliver_from_active(inst, transport, nexthop, recipients, sender, content, owner="tern")


def log_line(inst, qid, rcpt):
    pattern = rf"{qid}: to=<{re.escape(rcpt)}>, relay=.*"
    inst.wait_for_log(pattern)
    return re.search(pattern, inst.log_text()).group(0)


def test_per_recipient_outcomes_over_smtp(client_instance):
    with PySink() as sink:
        qid, reply = send(client_instance, "smtp", f"[127.0.0.1]:{sink.port}",
                          ["ok@example.com", "defer@example.com", "reject@example.com"])
        assert reply["status"] == "0"
        assert [reply[f"rcpt_{i}_status"] for i in range(3)] == ["sent", "deferred", "bounced"]
        [m] = sink.messages
        assert m.recipients == ["ok@example.com"]
        assert m.content.endswith(b".leading dot\r\nbody\r\n")
    relay = f"relay=127.0.0.1\\[127.0.0.1\\]:{sink.port}"
    sent = log_line(client_instance, qid, "ok@example.com")
    assert re.search(relay + r", delay=[0-9.]+, delays=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+, dsn=2\.0\.0, status=sent \(250", sent)
    bounced = log_line(client_instance, qid, "reject@example.com")
    assert "dsn=5.1.1, status=bounced (host 127.0.0.1[127.0.0.1] said: 550 5.1.1" in bounced
    assert bounced.endswith("(in reply to RCPT TO command))")
    assert "status=deferred (host 127.0.0.1[127.0.0.1] said: 450 4.2.0" in log_line(client_instance, qid, "defer@example.com")


def test_connection_refused_defers_with_destination_dead(client_instance):
    port = client_instance.free_port()
    qid, reply = send(client_instance, "smtp", f"[127.0.0.1]:{port}", ["b@example.com"])
    assert reply["rcpt_0_status"] == "deferred"
    assert reply.get("destination_dead") == "1"
    line = log_line(client_instance, qid, "b@example.com")
    assert f"relay=none" in line
    assert f"status=deferred (connect to 127.0.0.1[127.0.0.1]:{port}: Connection refused)" in line


def test_back_to_back_requests_share_one_connection(client_instance):
    with PySink() as sink:
        for _ in range(2):
            _, reply = send(client_instance, "smtp", f"[127.0.0.1]:{sink.port}", ["b@example.com"])
            assert reply["rcpt_0_status"] == "sent"
        assert len(sink.messages) == 2
        assert sink.session_count == 1


def test_lmtp_on_a_unix_socket_relative_to_the_queue(client_instance):
    path = client_instance.queue_dir / "private" / "test-lmtp"
    with PySink(lmtp=True, unix_path=str(path), data_replies={"full": "452 4.2.2 Mailbox full"}) as sink:
        os.chmod(path, 0o777)
        qid, reply = send(client_instance, "lmtp", "unix:private/test-lmtp",
                          ["joe@example.com", "full@example.com", "reject@example.com"])
        assert [reply[f"rcpt_{i}_status"] for i in range(3)] == ["sent", "deferred", "bounced"]
        assert sink.messages[0].recipients == ["joe@example.com", "full@example.com"]
    line = log_line(client_instance, qid, "joe@example.com")
    assert "relay=client.example.org[private/test-lmtp], " in line
    assert "452 4.2.2 Mailbox full (in reply to end of DATA command)" in log_line(client_instance, qid, "full@example.com")


def test_mx_lookup_preference_fallback_and_name_errors(client_instance):
    with PySink() as sink:
        zone = {"example.test": {"MX": [(10, "down.example.test"), (20, "up.example.test")]},
                "down.example.test": {"A": ["127.0.0.2"]},
                "up.example.test": {"A": ["127.0.0.1"]},
                "aonly.test": {"A": ["127.0.0.1"]},
                "nx.test": "NXDOMAIN", "broken.test": "SERVFAIL"}
        with DnsServer(zone) as dns:
            # smtp starts with the first request below, so it reads this file
            dns.resolv_conf(client_instance.resolv_conf)
            # nothing listens on 127.0.0.2:port: the first MX refuses, the second takes it
            qid, reply = send(client_instance, "smtp", f"example.test:{sink.port}", ["b@example.test"])
            assert reply["rcpt_0_status"] == "sent"
            assert f"relay=up.example.test[127.0.0.1]:{sink.port}" in log_line(client_instance, qid, "b@example.test")
            qid, reply = send(client_instance, "smtp", f"aonly.test:{sink.port}", ["b@aonly.test"])
            assert reply["rcpt_0_status"] == "sent"
            qid, reply = send(client_instance, "smtp", "nx.test", ["b@nx.test"])
            assert reply["rcpt_0_status"] == "bounced"
            assert reply["rcpt_0_dsn"] == "5.4.4"
            assert reply["rcpt_0_reason"] == ("Host or domain name not found. Name service error for "
                                              "name=nx.test type=MX: Host not found")
            qid, reply = send(client_instance, "smtp", "broken.test", ["b@broken.test"])
            assert reply["rcpt_0_status"] == "deferred"
            assert reply["rcpt_0_dsn"] == "4.4.3"
            assert reply["rcpt_0_reason"].endswith("type=MX: Host not found, try again")


def test_server_greeting_with_my_own_hostname_is_a_mail_loop(client_instance):
    """A next hop that answers EHLO with our myhostname is this MTA: bounce 5.4.6, as Postfix."""
    with PySink(hostname="client.example.org") as sink:
        qid, reply = send(client_instance, "smtp", f"[127.0.0.1]:{sink.port}", ["ok@example.com"])
        assert reply["rcpt_0_status"] == "bounced"
        assert sink.messages == []
    line = log_line(client_instance, qid, "ok@example.com")
    assert "dsn=5.4.6, status=bounced (mail for 127.0.0.1 loops back to myself)" in line
    assert "replied to HELO/EHLO with my own hostname client.example.org" in client_instance.log_text()


NOTIFY_SUCCESS = 2  # lib/mail/dsn.h kDsnNotifySuccess


@pytest.mark.parametrize("offers_dsn", [True, False], ids=["next hop offers DSN", "no DSN"])
def test_notify_success_is_passed_on_or_reported_relayed(client_instance, offers_dsn):
    """RFC 3461 5.2.2: a DSN-capable next hop gets NOTIFY=SUCCESS and reports success
    itself (no record here); one without DSN makes tern record "relayed" for a notice."""
    with PySink(dsn=offers_dsn) as sink:
        qid, reply = send(client_instance, "smtp", f"[127.0.0.1]:{sink.port}",
                          [("ok@example.com", "rfc822;ok@example.com", NOTIFY_SUCCESS)])
        assert reply["rcpt_0_status"] == "sent"
        [m] = sink.messages
        assert any("NOTIFY=SUCCESS" in a for a in m.rcpt_args) == offers_dsn
    log = client_instance.queue_dir / "bounce" / qid
    if offers_dsn:
        assert not log.exists()
    else:
        assert b"relayed" in log.read_bytes()

