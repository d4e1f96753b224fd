r"""tests/integration/test_smtpd.py - smtpd(8) with the real cleanup, driven by raw sockets and smtplib

Starts an instance whose master.cf runs smtpd on 127.0.0.1:PORT and cleanup,
talks SMTP to it and checks the replies, the maillog and the queue files in
incoming/ (queue_file.py): commands and extensions, pipelining answered in
one write, dot-stuffing byte-exact, BDAT, DSN parameters, relay refused,
smuggling attempts, limits, timeouts, connection limits, cleanup killed
mid-DATA, and mail that got 250 surviving kill -9 of every daemon.
"""

import os
import re
import signal
import smtplib
import socket
import subprocess
import time

import pytest

from queue_file import read_queue_file

HOST = "mx.example.org"


def master_cf(port):
    # One process: the connection limits are counted per process (smtpd(8) BUGS).
    return (f"127.0.0.1:{port} inet n - n - 1 smtpd\n"
            "cleanup unix n - n - 0 cleanup\n")


@pytest.fixture
def smtp(instance):
    """A started instance; smtp.port is smtpd's port."""
    port = instance.free_port()
    instance.write_master_cf(master_cf(port))
    instance.set_main_cf(myhostname=HOST, mydomain="example.org", local_recipient_maps="",
                         smtpd_forbid_bare_newline_exclusions="")
    instance.port = port
    return instance


def start(inst, **main_cf):
    if main_cf:
        inst.set_main_cf(**main_cf)
    inst.start()
    inst.wait_for(lambda: (inst.queue_dir / "public" / "cleanup").exists(), what="public/cleanup")
    inst.wait_for(lambda: can_connect(inst.port), what="smtpd to listen")
    return inst


def can_connect(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.recv(1000)
            s.sendall(b"QUIT\r\n")
        return True
    except OSError:
        return False


class Client:
    """A raw SMTP client: send bytes, read replies with a deadline."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.greeting = self.reply()

    def send(self, data):
        self.sock.sendall(data)

    def _line(self):
        deadline = time.monotonic() + 10
        while b"\r\n" not in self.buffer:
            if time.monotonic() > deadline:
                raise AssertionError(f"no reply line; have {self.buffer!r}")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed; have {self.buffer!r}")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line.decode("latin1")

    def reply(self):
        lines = [self._line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self._line())
        return "\n".join(lines)

    def replies(self, n):
        return [self.reply() for _ in range(n)]

    def cmd(self, line):
        self.send(line.encode() + b"\r\n")
        return self.reply()

    def closed(self):
        """True when the server has closed (reads to end of file)."""
        self.sock.settimeout(10)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buffer += chunk
        except (ConnectionResetError, socket.timeout):
            return False

    def close(self):
        self.sock.close()


def qid_of(reply):
    m = re.match(r"250 2\.0\.0 Ok: queued as (\S+)$", reply)
    assert m, reply
    return m.group(1)


def queued(inst, qid):
    path = inst.queue_dir / "incoming" / qid
    inst.wait_for(path.exists, what=f"incoming/{qid}")
    return read_queue_file(path)


def incoming(inst):
    """Queue files in incoming/ (cleanup's tmp.* files are not messages)."""
    return sorted(n for n in os.listdir(inst.queue_dir / "incoming") if not n.startswith("tmp."))


def no_files_left(inst):
    """Waits until cleanup has removed even its temporary file."""
    inst.wait_for(lambda: not os.listdir(inst.queue_dir / "incoming"), what="an empty incoming/")


def send_message(port, body=b"Subject: t\r\n\r\nhello\r\n", rcpts=("postmaster@mx.example.org",)):
    c = Client(port)
    assert c.cmd("EHLO client.example").startswith("250-")
    assert c.cmd("MAIL FROM:<alice@client.example>") == "250 2.1.0 Ok"
    for r in rcpts:
        assert c.cmd(f"RCPT TO:<{r}>") == "250 2.1.5 Ok"
    assert c.cmd("DATA").startswith("354 ")
    c.send(body + b".\r\n")
    reply = c.reply()
    assert c.cmd("QUIT") == "221 2.0.0 Bye"
    c.close()
    return reply


def test_session_commands_and_ehlo(smtp):
    inst = start(smtp)
    c = Client(inst.port)
    assert c.greeting == f"220 {HOST} ESMTP tern"
    assert c.cmd("EHLO client.example").split("\n") == [
        f"250-{HOST}", "250-PIPELINING", "250-SIZE 10240000", "250-VRFY", "250-ENHANCEDSTATUSCODES",
        "250-8BITMIME", "250-DSN", "250-SMTPUTF8", "250 CHUNKING"]
    assert c.cmd("HELO client.example") == f"250 {HOST}"
    assert c.cmd("NOOP") == "250 2.0.0 Ok"
    assert c.cmd("RSET") == "250 2.0.0 Ok"
    assert c.cmd("VRFY <someone@example.org>") == "252 2.0.0 someone@example.org"
    assert c.cmd("HELP") == "500 5.5.2 Error: command not recognized"
    assert c.cmd("EXPN list") == "500 5.5.2 Error: command not recognized"
    assert c.cmd("ETRN example.org") == "500 5.5.2 Error: command not recognized"
    assert c.cmd("STARTTLS") == "502 5.5.1 Error: command not implemented"
    assert c.cmd("RCPT TO:<a@example.org>") == "503 5.5.1 Error: need MAIL command"
    assert c.cmd("DATA") == "503 5.5.1 Error: need RCPT command"
    assert c.cmd("MAIL FROM:<a@b.example>") == "250 2.1.0 Ok"
    assert c.cmd("MAIL FROM:<a@b.example>") == "503 5.5.1 Error: nested MAIL command"
    assert c.cmd("MAIL FROM:<a@b.example> SIZE=10240001") == "503 5.5.1 Error: nested MAIL command"
    assert c.cmd("RSET") == "250 2.0.0 Ok"
    assert c.cmd("MAIL FROM:<a@b.example> SIZE=10240001") == "552 5.3.4 Message size exceeds fixed limit"
    assert c.cmd("QUIT") == "221 2.0.0 Bye"
    assert c.closed()
    inst.wait_for_log(r"tern/smtpd\[\d+\]: connect from localhost\[127\.0\.0\.1\]")
    inst.wait_for_log(r"disconnect from localhost\[127\.0\.0\.1\] helo=1 ehlo=1 starttls=0/1 mail=1/4 rcpt=0/1 "
                      r"data=0/1 rset=2 noop=1 vrfy=1 quit=1 unknown=0/3 commands=8/17$")


def test_disable_vrfy(smtp):
    inst = start(smtp, disable_vrfy_command="yes")
    c = Client(inst.port)
    assert "VRFY" not in c.cmd("EHLO c")
    assert c.cmd("VRFY <u@example.org>") == "502 5.5.1 VRFY command is disabled"


def test_message_is_queued_dot_stuffing_byte_exact(smtp):
    inst = start(smtp)
    body = b"Subject: dots\r\n\r\n..leading dot\r\n...two\r\n. \r\n\x00\xff 8bit\r\n"
    reply = send_message(inst.port, body)
    qid = qid_of(reply)
    q = queued(inst, qid)
    assert q.sender == "alice@client.example"
    assert [r.address for r in q.recipients] == ["postmaster@mx.example.org"]
    assert q.content.endswith(b"\r\n\r\n.leading dot\r\n..two\r\n \r\n\x00\xff 8bit\r\n")
    inst.wait_for_log(rf"tern/smtpd\[\d+\]: {qid}: client=localhost\[127\.0\.0\.1\]")
    inst.wait_for_log(r"disconnect from localhost\[127\.0\.0\.1\] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5")


def test_pipelined_group_is_answered_in_one_write(smtp):
    inst = start(smtp)
    c = Client(inst.port)
    c.cmd("EHLO c")
    c.send(b"MAIL FROM:<a@client.example>\r\nRCPT TO:<postmaster@mx.example.org>\r\n"
           b"RCPT TO:<abuse@mx.example.org>\r\nDATA\r\n")
    # One read gets all four replies: smtpd writes them together.
    deadline = time.monotonic() + 10
    data = b""
    while data.count(b"\r\n") < 4 and time.monotonic() < deadline:
        chunk = c.sock.recv(65536)
        assert chunk, data
        if not data:
            first = chunk
        data += chunk
    assert first == (b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
                     b"354 End data with <CR><LF>.<CR><LF>\r\n")
    c.send(b"Subject: p\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    qid = qid_of(c.reply())
    assert c.reply() == "221 2.0.0 Bye"
    assert [r.address for r in queued(inst, qid).recipients] == ["postmaster@mx.example.org",
                                                                 "abuse@mx.example.org"]


def test_smtplib_and_dsn_parameters_are_stored(smtp):
    inst = start(smtp)
    with smtplib.SMTP("127.0.0.1", inst.port, timeout=10) as s:
        s.ehlo("client.example")
        assert s.has_extn("dsn") and s.has_extn("chunking") and s.has_extn("size")
        code, _ = s.mail("alice@client.example", ["RET=HDRS", "ENVID=abc+2Bdef", "BODY=8BITMIME"])
        assert code == 250
        code, _ = s.rcpt("postmaster@mx.example.org", ["NOTIFY=SUCCESS,FAILURE",
                                                        "ORCPT=rfc822;pm+40example.org"])
        assert code == 250
        code, msg = s.data(b"Subject: dsn\r\n\r\nhi\r\n")
        assert code == 250
    qid = qid_of(f"{code} {msg.decode()}")
    q = queued(inst, qid)
    assert q.ret.upper().startswith("H")
    assert q.envid == "abc+def"
    rcpt = q.recipients[0]
    assert rcpt.notify == 2 | 4
    assert "pm@example.org" in rcpt.orcpt


def test_bdat_chunks(smtp):
    inst = start(smtp)
    c = Client(inst.port)
    c.cmd("EHLO c")
    assert c.cmd("MAIL FROM:<a@client.example>") == "250 2.1.0 Ok"
    assert c.cmd("RCPT TO:<postmaster@mx.example.org>") == "250 2.1.5 Ok"
    part1 = b"Subject: bdat\r\n\r\n.no stuffing\r\n"
    c.send(b"BDAT %d\r\n" % len(part1) + part1)
    assert c.reply() == f"250 2.0.0 Ok: {len(part1)} bytes"
    part2 = b"last line\r\n"
    c.send(b"BDAT %d LAST\r\n" % len(part2) + part2)
    qid = qid_of(c.reply())
    assert queued(inst, qid).content.endswith(b"\r\n\r\n.no stuffing\r\nlast line\r\n")


def test_open_relay_refused_local_accepted(smtp):
    inst = start(smtp, mynetworks="192.0.2.0/24")
    c = Client(inst.port)
    c.cmd("EHLO client.example")
    assert c.cmd("MAIL FROM:<a@client.example>") == "250 2.1.0 Ok"
    reply = c.cmd("RCPT TO:<victim@far.example>")
    assert reply.startswith("554 5.7.1 <victim@far.example>: Relay access denied") or \
        reply.startswith("454 4.7.1 <victim@far.example>: Relay access denied"), reply
    assert c.cmd("RCPT TO:<postmaster@mx.example.org>") == "250 2.1.5 Ok"
    inst.wait_for_log(r"NOQUEUE: reject: RCPT from localhost\[127\.0\.0\.1\]: [45]54 [45]\.7\.1 "
                      r"<victim@far\.example>: Relay access denied; from=<a@client\.example> "
                      r"to=<victim@far\.example> proto=ESMTP helo=<client\.example>")


@pytest.mark.parametrize("attack", [
    b"Subject: s\r\n\r\nx\n.\nMAIL FROM:<evil@x>\r\n",      # <LF>.<LF>
    b"Subject: s\r\n\r\nx\r.\rMAIL FROM:<evil@x>\r\n",      # <CR>.<CR>
    b"Subject: s\r\n\r\nx\r\n.\nMAIL FROM:<evil@x>\r\n",    # <CRLF>.<LF>
])
def test_smuggling_never_gives_a_second_message(smtp, attack):
    inst = start(smtp)
    c = Client(inst.port)
    c.cmd("EHLO c")
    c.cmd("MAIL FROM:<a@client.example>")
    c.cmd("RCPT TO:<postmaster@mx.example.org>")
    assert c.cmd("DATA").startswith("354")
    c.send(attack + b"RCPT TO:<postmaster@mx.example.org>\r\nDATA\r\nsmuggled\r\n.\r\n")
    reply = c.reply()
    assert reply == f"521 5.5.2 {HOST} Error: bare <LF> received"
    assert c.closed()
    no_files_left(inst)


def test_bare_lf_in_command_closes(smtp):
    inst = start(smtp)
    c = Client(inst.port)
    c.send(b"EHLO c\n")
    assert c.reply() == f"521 5.5.2 {HOST} Error: bare <LF> received"
    assert c.closed()


def test_oversized_data_and_too_many_recipients(smtp):
    inst = start(smtp, message_size_limit="20000", smtpd_recipient_limit="2")
    c = Client(inst.port)
    c.cmd("EHLO c")
    c.cmd("MAIL FROM:<a@client.example>")
    assert c.cmd("RCPT TO:<postmaster@mx.example.org>") == "250 2.1.5 Ok"
    assert c.cmd("RCPT TO:<abuse@mx.example.org>") == "250 2.1.5 Ok"
    assert c.cmd("RCPT TO:<root@mx.example.org>") == "452 4.5.3 Error: too many recipients"
    assert c.cmd("DATA").startswith("354")
    c.send((b"x" * 998 + b"\r\n") * 30 + b".\r\n")
    assert c.reply() == "552 5.3.4 Message size exceeds fixed limit"
    assert c.cmd("NOOP") == "250 2.0.0 Ok"
    no_files_left(inst)


def test_overlong_command_line(smtp):
    inst = start(smtp)
    c = Client(inst.port)
    c.send(b"NOOP " + b"x" * 3000 + b"\r\nNOOP\r\n")
    assert c.reply() == "500 5.5.2 Error: line too long"
    assert c.reply() == "250 2.0.0 Ok"


def test_timeout(smtp):
    inst = start(smtp, smtpd_timeout="2s")
    c = Client(inst.port)
    c.cmd("EHLO c")
    assert c.reply() == f"421 4.4.2 {HOST} Error: timeout exceeded"
    assert c.closed()
    inst.wait_for_log(r"timeout after EHLO from localhost\[127\.0\.0\.1\]")


def test_hard_error_limit(smtp):
    inst = start(smtp, smtpd_hard_error_limit="3", smtpd_soft_error_limit="10")
    c = Client(inst.port)
    c.send(b"FOO\r\nFOO\r\nFOO\r\nNOOP\r\n")
    assert c.replies(3) == ["500 5.5.2 Error: command not recognized"] * 3
    assert c.reply() == f"421 4.7.0 {HOST} Error: too many errors"
    assert c.closed()
    inst.wait_for_log(r"too many errors after UNKNOWN from localhost\[127\.0\.0\.1\]")


def test_soft_error_limit_delays_without_blocking_others(smtp):
    inst = start(smtp, smtpd_soft_error_limit="1", smtpd_error_sleep_time="2s")
    slow = Client(inst.port)
    slow.cmd("FOO")
    slow.send(b"FOO\r\n")  # past the soft limit: answered after 2s
    began = time.monotonic()
    other = Client(inst.port)
    assert other.cmd("NOOP") == "250 2.0.0 Ok"
    assert time.monotonic() - began < 1.5
    assert slow.reply() == "500 5.5.2 Error: command not recognized"
    assert time.monotonic() - began >= 1.5


def test_connection_count_limit(smtp):
    inst = start(smtp, smtpd_client_connection_count_limit="2", smtpd_client_event_limit_exceptions="")
    a, b = Client(inst.port), Client(inst.port)
    third = Client(inst.port)
    assert third.greeting == f"421 4.7.0 {HOST} Error: too many connections from 127.0.0.1"
    assert third.closed()
    inst.wait_for_log(r"warning: Connection concurrency limit exceeded: 3 from localhost\[127\.0\.0\.1\] "
                      r"for service 127\.0\.0\.1:\d+")
    a.cmd("QUIT")
    a.closed()
    inst.wait_for(lambda: Client(inst.port).greeting.startswith("220"), what="a free slot")
    b.close()


def test_connection_limit_exceptions(smtp):
    inst = start(smtp, smtpd_client_connection_count_limit="1")  # exceptions default: $mynetworks
    a, b = Client(inst.port), Client(inst.port)
    assert a.greeting.startswith("220") and b.greeting.startswith("220")


def test_connection_rate_limit(smtp):
    inst = start(smtp, smtpd_client_connection_rate_limit="3", smtpd_client_event_limit_exceptions="")
    # start() may have used a connection of the window already.
    for attempt in range(5):
        c = Client(inst.port)
        if not c.greeting.startswith("220"):
            break
        assert c.cmd("QUIT") == "221 2.0.0 Bye"
        c.close()
    assert attempt in (2, 3)
    assert c.greeting == f"421 4.7.0 {HOST} Error: too many connections from 127.0.0.1"
    inst.wait_for_log(r"warning: Connection rate limit exceeded: 4 from localhost\[127\.0\.0\.1\]")


def test_client_gone_mid_data_aborts_the_message(smtp):
    inst = start(smtp)
    c = Client(inst.port)
    c.cmd("EHLO c")
    c.cmd("MAIL FROM:<a@client.example>")
    assert c.cmd("RCPT TO:<postmaster@mx.example.org>") == "250 2.1.5 Ok"
    assert c.cmd("DATA").startswith("354")
    c.send(b"Subject: gone\r\n\r\nhalf a message\r\n")
    c.close()
    inst.wait_for_log(r"lost connection after DATA \(\d+ bytes\) from localhost\[127\.0\.0\.1\]")
    inst.wait_for_log(r"disconnect from localhost\[127\.0\.0\.1\] ehlo=1 mail=1 rcpt=1 data=0/1 commands=3/4$")
    no_files_left(inst)


def cleanup_pids(inst):
    return [pid for pid, name in inst.processes() if name == "cleanup"]


def test_cleanup_killed_mid_data(smtp):
    inst = start(smtp)
    c = Client(inst.port)
    c.cmd("EHLO c")
    c.cmd("MAIL FROM:<a@client.example>")
    assert c.cmd("RCPT TO:<postmaster@mx.example.org>") == "250 2.1.5 Ok"
    assert c.cmd("DATA").startswith("354")
    c.send(b"Subject: k\r\n\r\n" + b"y" * 100000 + b"\r\n")
    for pid in cleanup_pids(inst):
        os.kill(pid, signal.SIGKILL)
    try:
        c.send(b"more\r\n.\r\n")
        reply = c.reply()
        assert reply.startswith("451 4.3.0"), reply
    except (ConnectionError, BrokenPipeError):
        pass
    assert incoming(inst) == []


def test_queued_mail_survives_kill_9_of_everything(smtp):
    inst = start(smtp)
    qids = [qid_of(send_message(inst.port, b"Subject: n%d\r\n\r\nbody\r\n" % i)) for i in range(3)]
    for pid, _ in inst.processes():
        os.kill(pid, signal.SIGKILL)
    inst.wait_for(lambda: not inst.processes(), what="every daemon gone")
    for qid in qids:
        assert queued(inst, qid).recipients


def test_swaks_pipelining(smtp):
    inst = start(smtp)
    for extra in (["--pipeline"], ["--pipeline", "--body", "chunked body\n.dot line"]):
        out = subprocess.run(["swaks", "--server", f"127.0.0.1:{inst.port}", "--ehlo", "client.example",
                              "--from", "alice@client.example", "--to", "postmaster@mx.example.org",
                              "--timeout", "10", *extra],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
        m = re.search(r"<-\s+250 2\.0\.0 Ok: queued as (\S+)", out.stdout)
        assert m, out.stdout
        assert queued(inst, m.group(1)).sender == "alice@client.example"


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def test_idle_sessions_are_small(smtp):
    sessions = 2000
    inst = start(smtp, max_use="100000", smtpd_client_connection_count_limit="0")
    held = [Client(inst.port) for _ in range(20)]  # the process is warm: tables, first buffers
    def smtpd_rss_kib():
        return sum(rss_kib(pid) for pid, name in inst.processes() if name == "smtpd")

    before = smtpd_rss_kib()
    for _ in range(sessions):
        c = Client(inst.port)
        assert c.greeting.startswith("220")
        held.append(c)
    for c in held[20:20 + sessions // 2]:
        assert c.cmd("EHLO c").startswith("250-")
    per_session = (smtpd_rss_kib() - before) * 1024 / sessions
    print(f"smtpd RSS per idle session: {per_session:.0f} bytes")
    assert per_session < 8 * 1024  # 10,000 sessions well under 100 MB
    for c in held:
        c.close()
