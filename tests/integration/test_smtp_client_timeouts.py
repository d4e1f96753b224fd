r"""tests/integration/test_smtp_client_timeouts.py - smtp(8)/lmtp(8): server timeouts, RSET and reuse, cache limits

Starts an instance whose master.cf runs the smtp and lmtp clients under
several service names, each with one short limit given by -o (the other
timeouts keep their 300-second defaults, so a test that picked the wrong
parameter would hang until the request times out). Requests are sent
without qmgr (delivery_client.py), as in test_smtp_client.py.

- ScriptServer answers like a normal ESMTP (or LMTP) server up to one
  stage and then reads without ever answering: the request must come back
  deferred with dsn 4.4.2 and Postfix's "conversation with H[A] timed out
  while ..." text, relay=H[A]:PORT in the maillog, and the client must hang
  up; destination_dead=1 only when no session got past the EHLO handshake.
- A transaction in which no recipient was accepted ends with RSET, and the
  next request to the same destination uses the same connection.
- smtp_connection_cache_time_limit: an idle session is closed with QUIT
  once the limit has passed, and the next request opens a new one;
  smtp_connection_reuse_count_limit=1 closes a session after one
  transaction.
"""

import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from smtp_sink import PySink
from test_smtp_client import log_line, send

TIMEOUT_SERVICES = {
    # service: (program, -o setting)
    "smtp_helo": ("smtp", "smtp_helo_timeout=1s"),
    "smtp_mail": ("smtp", "smtp_mail_timeout=1s"),
    "smtp_rcpt": ("smtp", "smtp_rcpt_timeout=1s"),
    "smtp_data": ("smtp", "smtp_data_init_timeout=1s"),
    "smtp_dot": ("smtp", "smtp_data_done_timeout=1s"),
    "smtp_xfer": ("smtp", "smtp_data_xfer_timeout=1s"),
    "lmtp_lhlo": ("lmtp", "lmtp_lhlo_timeout=1s"),
    "smtp_cache1": ("smtp", "smtp_connection_cache_time_limit=1s"),
    "smtp_count1": ("smtp", "smtp_connection_reuse_count_limit=1"),
    "smtp": ("smtp", ""),
}

MAX_LINE = 4096


class ScriptServer:
    """A TCP or UNIX-socket server that goes silent at one stage: "greeting",
    "EHLO" (or "LHLO"), "MAIL", "RCPT", "DATA" (the 354), "CONTENT" (it
    stops reading after its 354, so a big message fills the socket buffers)
    or "DOT" (the reply after the content). Otherwise it keeps reading what
    the client sends; `hung_up` is set when the client closes the
    connection."""

    def __init__(self, stall_at, unix_path=None, lmtp=False):
        self.stall_at = stall_at
        self.lmtp = lmtp
        self.hung_up = threading.Event()
        self.stop_reading = threading.Event()
        self.commands = []
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            if os.path.exists(unix_path):
                os.unlink(unix_path)
            self.sock.bind(str(unix_path))
            os.chmod(unix_path, 0o666)
            self.port = None
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(("127.0.0.1", 0))
            self.port = self.sock.getsockname()[1]
        self.sock.listen(8)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_reading.set()
        self.sock.close()

    def _serve(self):
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn, conn.makefile("rb") as stream:
            conn.settimeout(60)
            try:
                self._session(conn, stream)
                while stream.readline():  # silent from here on
                    pass
            except OSError:
                pass
        self.hung_up.set()

    def _session(self, conn, stream):
        if self.stall_at == "greeting":
            return
        conn.sendall(b"220 script.test ESMTP\r\n")
        while True:
            line = stream.readline(MAX_LINE)
            if not line:
                return
            verb = line.split(b" ", 1)[0].strip().upper().decode("ascii", "replace")
            self.commands.append(verb)
            if verb == self.stall_at or (verb in ("EHLO", "LHLO") and self.stall_at in ("EHLO", "LHLO")):
                return
            if verb in ("EHLO", "LHLO"):
                conn.sendall(b"250-script.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n")
            elif verb == "DATA":
                conn.sendall(b"354 go ahead\r\n")
                if self.stall_at == "CONTENT":
                    self.stop_reading.wait(60)  # the client's writes fill the socket buffers
                    return
                while stream.readline() not in (b".\r\n", b""):
                    pass
                if self.stall_at == "DOT":
                    return
                conn.sendall(b"250 2.0.0 Ok\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 2.0.0 Bye\r\n")
                return
            else:
                conn.sendall(b"250 2.0.0 Ok\r\n")


@pytest.fixture
def timeout_instance(instance):
    if not (Path(os.environ["TERN_BUILD"]) / "smtp" / "smtp").exists():
        pytest.skip("smtp/smtp not built")
    lines = []
    for service, (program, setting) in TIMEOUT_SERVICES.items():
        option = f" -o {setting}" if setting else ""
        lines.append(f"{service} unix - - n - - {program}{option}")
    instance.write_master_cf("\n".join(lines) + "\n")
    resolv = instance.root / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1:9\noptions timeout:1 attempts:1\n")
    instance.set_main_cf(myhostname="client.example.org", mydomain="example.org",
                         dns_resolv_conf=str(resolv), smtp_connection_cache_time_limit="30s")
    instance.start()
    for service in TIMEOUT_SERVICES:
        instance.wait_for(lambda: (instance.queue_dir / "private" / service).exists(), what=f"private/{service}")
    return instance


STALLS = [
    ("smtp_helo", "greeting", "receiving the initial server greeting"),
    ("smtp_helo", "EHLO", "performing the EHLO handshake"),
    ("smtp_mail", "MAIL", "sending MAIL FROM"),
    ("smtp_rcpt", "RCPT", "sending RCPT TO"),
    ("smtp_data", "DATA", "sending DATA command"),
    ("smtp_dot", "DOT", "sending end of data -- message may be sent more than once"),
]


@pytest.mark.parametrize("service,stall_at,while_text", STALLS, ids=[s[1] for s in STALLS])
def test_a_silent_server_times_out_and_defers(timeout_instance, service, stall_at, while_text):
    inst = timeout_instance
    with ScriptServer(stall_at) as server:
        started = time.monotonic()
        qid, reply = send(inst, service, f"[127.0.0.1]:{server.port}", ["b@example.com"])
        elapsed = time.monotonic() - started
        assert reply["rcpt_0_status"] == "deferred"
        assert reply["rcpt_0_dsn"] == "4.4.2"
        peer = "127.0.0.1[127.0.0.1]"
        assert reply["rcpt_0_reason"] == f"conversation with {peer} timed out while {while_text}"
        # no session got past EHLO: the destination is dead for qmgr (it throttles it)
        expect_dead = "1" if stall_at in ("greeting", "EHLO") else "0"
        assert reply.get("destination_dead", "0") == expect_dead
        assert elapsed < 15, f"the 1s limit took {elapsed:.1f}s"
        assert server.hung_up.wait(10), "the client kept the silent connection open"
    line = log_line(inst, qid, "b@example.com")
    assert f"relay={peer}:{server.port}, " in line
    assert line.endswith(f"dsn=4.4.2, status=deferred (conversation with {peer} timed out while {while_text})")


def test_a_server_that_stops_reading_the_content_times_out(timeout_instance):
    """smtp_data_xfer_timeout: the client cannot write any more of a big message."""
    inst = timeout_instance
    body = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 32768  # 32 MiB: more than any socket buffer
    with ScriptServer("CONTENT") as server:
        started = time.monotonic()
        qid, reply = send(inst, "smtp_xfer", f"[127.0.0.1]:{server.port}", ["b@example.com"], content=body)
        elapsed = time.monotonic() - started
        assert reply["rcpt_0_status"] == "deferred"
        assert reply["rcpt_0_dsn"] == "4.4.2"
        assert reply["rcpt_0_reason"] == "conversation with 127.0.0.1[127.0.0.1] timed out while sending message body"
        assert elapsed < 20, f"the 1s limit took {elapsed:.1f}s"
        server.stop_reading.set()
        assert server.hung_up.wait(10), "the client kept the stalled connection open"
    assert log_line(inst, qid, "b@example.com").endswith(
        "dsn=4.4.2, status=deferred (conversation with 127.0.0.1[127.0.0.1] timed out while sending message body)")


def test_lmtp_lhlo_timeout_on_a_unix_socket(timeout_instance):
    inst = timeout_instance
    path = inst.queue_dir / "private" / "silent-lmtp"
    with ScriptServer("LHLO", unix_path=path, lmtp=True) as server:
        qid, reply = send(inst, "lmtp_lhlo", "unix:private/silent-lmtp", ["joe@example.com"])
        assert reply["rcpt_0_status"] == "deferred"
        assert reply["rcpt_0_reason"] == ("conversation with client.example.org[private/silent-lmtp] "
                                          "timed out while performing the LHLO handshake")
        assert server.hung_up.wait(10)
    assert "relay=client.example.org[private/silent-lmtp], " in log_line(inst, qid, "joe@example.com")


def test_rset_after_a_failed_transaction_then_reuse(timeout_instance):
    inst = timeout_instance
    with PySink() as sink:
        hop = f"[127.0.0.1]:{sink.port}"
        _, reply = send(inst, "smtp", hop, ["reject1@example.com", "reject2@example.com"])
        assert [reply["rcpt_0_status"], reply["rcpt_1_status"]] == ["bounced", "bounced"]
        _, reply = send(inst, "smtp", hop, ["defer@example.com"])
        assert reply["rcpt_0_status"] == "deferred"
        _, reply = send(inst, "smtp", hop, ["ok@example.com"])
        assert reply["rcpt_0_status"] == "sent"
        assert sink.session_count == 1
        verbs = [c.split(" ", 1)[0].upper() for c in sink.commands]
        # pipelined DATA is refused when no recipient was accepted, then RSET; the
        # next transactions follow on the same connection
        assert verbs == ["EHLO", "MAIL", "RCPT", "RCPT", "DATA", "RSET", "MAIL", "RCPT", "DATA", "RSET",
                         "MAIL", "RCPT", "DATA"]
        [m] = sink.messages
        assert m.recipients == ["ok@example.com"]


def wait_until(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def test_connection_cache_time_limit_closes_idle_sessions(timeout_instance):
    inst = timeout_instance
    with PySink() as sink:
        hop = f"[127.0.0.1]:{sink.port}"
        _, reply = send(inst, "smtp_cache1", hop, ["b@example.com"])
        assert reply["rcpt_0_status"] == "sent"
        delivered = time.monotonic()
        _, reply = send(inst, "smtp_cache1", hop, ["c@example.com"])  # at once: still cached
        assert reply["rcpt_0_status"] == "sent"
        assert sink.session_count == 1
        wait_until(lambda: "QUIT" in sink.commands, 10, "QUIT after smtp_connection_cache_time_limit")
        idle = time.monotonic() - delivered
        assert idle >= 0.9, f"closed after {idle:.2f}s, before the 1s limit"
        _, reply = send(inst, "smtp_cache1", hop, ["d@example.com"])
        assert reply["rcpt_0_status"] == "sent"
        assert sink.session_count == 2
        assert len(sink.messages) == 3


def test_connection_reuse_count_limit(timeout_instance):
    inst = timeout_instance
    with PySink() as sink:
        hop = f"[127.0.0.1]:{sink.port}"
        for rcpt in ("b@example.com", "c@example.com"):
            _, reply = send(inst, "smtp_count1", hop, [rcpt])
            assert reply["rcpt_0_status"] == "sent"
        wait_until(lambda: sink.commands.count("QUIT") >= 1, 10, "QUIT after one transaction")
        assert sink.session_count == 2
