r"""tests/integration/test_fixtures.py - the delivery test fixtures work with real clients

dns_server.py answers a stub resolver over UDP and TCP, dig when it is
installed, and libevent's evdns (a tiny C program built here against
libevent, reading the resolv.conf the fixture writes: "nameserver
127.0.0.1:PORT"). dovecot_lmtp.py takes LMTP over its UNIX socket and TCP
and the message is read back from its Maildir. smtp_sink.py: Postfix's
smtp-sink counts, dumps and rejects what smtplib and swaks send; the
Python sink answers per recipient in SMTP and LMTP. No tern daemon runs.
"""

import random
import shutil
import smtplib
import subprocess
import time

import pytest

from dns_server import DnsServer, query
from dovecot_lmtp import DovecotLmtp, lmtp_session
from smtp_sink import PySink, SmtpSink

ZONE = {
    "example.test": {"MX": [(20, "mx2.example.test"), (10, "mx1.example.test")]},
    "mx1.example.test": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
    "mx2.example.test": {"A": ["127.0.0.2"]},
    "a-only.test": {"A": ["127.0.0.3"]},
    "alias.test": {"CNAME": "mx1.example.test"},
    "nx.test": "NXDOMAIN",
    "broken.test": "SERVFAIL",
    "silent.test": "TIMEOUT",
    "many.test": {"MX": [(i, f"mx{i:02d}.a-rather-long-host-name-to-fill-the-packet.many.test")
                         for i in range(20)]},
}

MESSAGE = b"From: a@example.test\r\nTo: b@example.test\r\nSubject: fixture test\r\n\r\nhello\r\n.leading dot\r\n"


# ---- DNS -------------------------------------------------------------------------

@pytest.fixture
def dns():
    with DnsServer(ZONE) as server:
        yield server


@pytest.mark.parametrize("tcp", [False, True])
def test_dns_answers_mx_with_addresses(dns, tcp):
    reply = query(dns.port, "example.test", "MX", tcp=tcp)
    assert reply.rcode == 0 and reply.authoritative and not reply.truncated
    assert sorted(data for _, rtype, data in reply.answers if rtype == "MX") == [
        (10, "mx1.example.test"), (20, "mx2.example.test")]
    assert ("mx1.example.test", "A", "127.0.0.1") in reply.additionals
    assert ("mx2.example.test", "A", "127.0.0.2") in reply.additionals
    assert dns.queries == [("example.test", "MX", "tcp" if tcp else "udp")]


def test_dns_a_aaaa_cname_and_nodata(dns):
    assert query(dns.port, "mx1.example.test", "A").answers == [("mx1.example.test", "A", "127.0.0.1")]
    assert query(dns.port, "mx1.example.test", "AAAA").answers == [("mx1.example.test", "AAAA", "::1")]
    assert query(dns.port, "alias.test", "A").answers == [
        ("alias.test", "CNAME", "mx1.example.test"), ("mx1.example.test", "A", "127.0.0.1")]
    nodata = query(dns.port, "a-only.test", "MX")
    assert nodata.rcode == 0 and nodata.answers == []


def test_dns_failures(dns):
    assert query(dns.port, "nx.test", "MX").rcode == 3
    assert query(dns.port, "unknown.test", "A").rcode == 3
    assert query(dns.port, "broken.test", "MX").rcode == 2
    with pytest.raises(OSError):  # socket.timeout
        query(dns.port, "silent.test", "A", timeout=0.3)
    assert ("silent.test", "A") in dns.asked()


def test_dns_echoes_question_case_and_matches_any_case(dns):
    reply = query(dns.port, "example.test", "MX", raw_name="eXaMpLe.TeSt")
    assert reply.question == ("eXaMpLe.TeSt", "MX")
    assert len(reply.answers) == 2
    assert dns.asked() == [("example.test", "MX")]


def test_dns_truncates_large_udp_answers(dns):
    udp = query(dns.port, "many.test", "MX")
    assert udp.truncated and udp.answers == []
    tcp = query(dns.port, "many.test", "MX", tcp=True)
    assert not tcp.truncated and len(tcp.answers) == 20
    dns.truncate_udp = True
    assert query(dns.port, "example.test", "MX").truncated


def test_dns_zone_changes_while_running(dns):
    dns.zone["late.test"] = {"A": ["127.0.0.9"]}
    assert query(dns.port, "late.test", "A").answers == [("late.test", "A", "127.0.0.9")]


def test_dns_on_port_53_of_another_loopback_address(tmp_path):
    host = f"127.0.{random.randrange(1, 255)}.{random.randrange(2, 255)}"
    try:
        server = DnsServer(ZONE, port=53, host=host)
    except OSError as problem:  # that address's port 53 is taken
        pytest.skip(f"{host}:53: {problem}")
    with server:
        assert query(53, "mx1.example.test", host=host).answers == [("mx1.example.test", "A", "127.0.0.1")]
        assert server.resolv_conf(tmp_path / "resolv.conf").read_text().startswith(f"nameserver {host}\n")


@pytest.mark.skipif(shutil.which("dig") is None, reason="dig not installed (package bind9-dnsutils)")
def test_dns_with_dig(dns):
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(dns.port), "+short", "example.test", "MX"],
                         capture_output=True, text=True, timeout=10, check=True).stdout
    assert sorted(out.split("\n")) == ["", "10 mx1.example.test.", "20 mx2.example.test."]
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(dns.port), "+tcp", "nx.test", "A"],
                         capture_output=True, text=True, timeout=10, check=True).stdout
    assert "status: NXDOMAIN" in out


EVDNS_PROBE = r"""
#include <event2/dns.h>
#include <event2/event.h>
#include <arpa/inet.h>
#include <stdio.h>
static struct event_base *base;
static int pending;
static void done(int result, char type, int count, int ttl, void *addresses, void *arg) {
    char text[64] = "-";
    (void)ttl;
    if (result == DNS_ERR_NONE && count > 0)
        inet_ntop(type == DNS_IPv4_A ? AF_INET : AF_INET6, addresses, text, sizeof text);
    printf("%s %d %s\n", (const char *)arg, result, text);
    if (--pending == 0)
        event_base_loopexit(base, NULL);
}
int main(int argc, char **argv) {
    base = event_base_new();
    struct evdns_base *dns = evdns_base_new(base, 0);
    if (evdns_base_resolv_conf_parse(dns, DNS_OPTIONS_ALL | DNS_OPTION_NAMESERVERS_NO_DEFAULT, argv[1]) != 0
        || evdns_base_count_nameservers(dns) != 1)
        return 2;
    for (int i = 2; i < argc; i++, pending++)
        evdns_base_resolve_ipv4(dns, argv[i], DNS_QUERY_NO_SEARCH, done, argv[i]);
    event_base_dispatch(base);
    return 0;
}
"""


def test_evdns_reads_nameserver_with_port(dns, tmp_path):
    source = tmp_path / "probe.c"
    source.write_text(EVDNS_PROBE)
    program = tmp_path / "probe"
    subprocess.run(["cc", "-o", program, source, "-levent"], check=True, timeout=60)
    resolv = dns.resolv_conf(tmp_path / "resolv.conf")
    assert resolv.read_text() == f"nameserver 127.0.0.1:{dns.port}\noptions timeout:1 attempts:1\n"
    started = time.monotonic()
    out = subprocess.run([program, resolv, "mx1.example.test", "alias.test", "nx.test", "broken.test"],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    results = dict((line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in out.splitlines())
    assert results["mx1.example.test"] == "0 127.0.0.1"
    assert results["alias.test"] == "0 127.0.0.1"
    assert results["nx.test"] == "3 -"        # DNS_ERR_NOTEXIST
    assert results["broken.test"] == "67 -"   # evdns turns SERVFAIL into DNS_ERR_TIMEOUT
    assert time.monotonic() - started < 10     # the options line took effect
    assert ("mx1.example.test", "A") in dns.asked()


# ---- Dovecot LMTP ------------------------------------------------------------------

def test_dovecot_lmtp_delivers_to_maildir():
    with DovecotLmtp(tcp_port=0) as dovecot:
        result = lmtp_session("a@example.test", ["bob@example.test", "Carol@Example.Test"], MESSAGE,
                              unix_path=dovecot.socket_path)
        assert [code for code, _ in result["rcpt"]] == [250, 250]
        assert len(result["data"]) == 2 and all(code == 250 for code, _ in result["data"])
        result = lmtp_session("a@example.test", ["bob@example.test"], MESSAGE, tcp_port=dovecot.tcp_port)
        assert [code for code, _ in result["data"]] == [250]
        bob = dovecot.wait_for_messages("bob@example.test", 2)
        assert [m["Subject"] for m in bob] == ["fixture test", "fixture test"]
        assert bob[0].get_content() == "hello\n.leading dot\n"
        assert bob[0]["Return-Path"] == "<a@example.test>"
        assert len(dovecot.wait_for_messages("carol@example.test", 1)) == 1
        assert "saved mail to INBOX" in dovecot.log_text()
    assert not dovecot.root.exists()


def test_dovecot_lmtp_rejects_unknown_users():
    with DovecotLmtp(users=["bob@example.test"]) as dovecot:
        result = lmtp_session("a@example.test", ["nobody@example.test", "bob@example.test"], MESSAGE,
                              unix_path=dovecot.socket_path)
        assert result["rcpt"][0][0] == 550 and result["rcpt"][0][1][0].startswith("5.1.1")
        assert [code for code, _ in result["data"]] == [250]
        dovecot.wait_for_messages("bob@example.test", 1)


# ---- smtp-sink and the Python sink -------------------------------------------------

def test_smtp_sink_counts_and_dumps():
    with SmtpSink(dump=True) as sink:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
            client.sendmail("a@example.test", ["b@example.test", "c@example.test"], MESSAGE)
            client.sendmail("d@example.test", ["e@example.test"], MESSAGE)
        sink.wait_for_count(2)
        messages = sink.messages()
        assert sorted(m.sender for m in messages) == ["a@example.test", "d@example.test"]
        first = next(m for m in messages if m.sender == "a@example.test")
        assert first.recipients == ["b@example.test", "c@example.test"]
        assert b"Subject: fixture test\n" in first.content and first.content.endswith(b".leading dot\n")


def test_smtp_sink_with_swaks():
    with SmtpSink() as sink:
        subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(sink.port), "--from", "a@example.test",
                        "--to", "b@example.test", "--silent", "2"], check=True, timeout=30,
                       stdout=subprocess.DEVNULL)
        sink.wait_for_count(1)


@pytest.mark.parametrize("kind,code", [("soft_reject", 450), ("hard_reject", 500)])
def test_smtp_sink_rejects_every_rcpt(kind, code):
    with SmtpSink(**{kind: ["RCPT"]}) as sink:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
            client.ehlo()
            client.mail("a@example.test")
            assert client.rcpt("b@example.test")[0] == code


def test_py_sink_answers_per_recipient():
    with PySink(rcpt_replies={"full": "452 4.2.2 Mailbox full"}) as sink:
        with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
            refused = client.sendmail("a@example.test", ["ok@example.test", "defer1@example.test",
                                                         "reject+ext@example.test", "full@example.test"], MESSAGE)
        assert {k: v[0] for k, v in refused.items()} == {
            "defer1@example.test": 450, "reject+ext@example.test": 550, "full@example.test": 452}
        [message] = sink.wait_for_messages(1)
        assert message.sender == "a@example.test" and message.recipients == ["ok@example.test"]
        assert message.content == MESSAGE
        assert sink.session_count == 1 and "QUIT" in sink.commands


def test_py_sink_refuses_data_without_recipients():
    with PySink() as sink, smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("a@example.test", ["reject@example.test"], MESSAGE)
        assert sink.messages == []


def test_py_sink_lmtp_replies_per_recipient_after_data(tmp_path):
    socket_path = tmp_path / "lmtp"
    with PySink(unix_path=socket_path, lmtp=True, data_replies={"quota": "552 5.2.2 Over quota",
                                                                "busy": "451 4.2.0 Try later"}) as sink:
        result = lmtp_session("a@example.test", ["ok@example.test", "quota@example.test", "busy@example.test",
                                                 "reject@example.test"], MESSAGE, unix_path=socket_path)
        assert [code for code, _ in result["rcpt"]] == [250, 250, 250, 550]
        assert [code for code, _ in result["data"]] == [250, 552, 451]
        assert sink.messages[0].recipients == ["ok@example.test", "quota@example.test", "busy@example.test"]


def test_smtp_sink_lmtp_on_unix_socket(tmp_path):
    socket_path = tmp_path / "sink.lmtp"
    with SmtpSink(unix_path=socket_path, lmtp=True, dump=True) as sink:
        result = lmtp_session("a@example.test", ["b@example.test", "c@example.test"], MESSAGE,
                              unix_path=socket_path)
        assert [code for code, _ in result["data"]] == [250, 250]
        sink.wait_for_count(1)
        assert sink.messages()[0].recipients == ["b@example.test", "c@example.test"]
