r"""tests/integration/smtp_sink.py - SMTP/LMTP sinks for delivery tests: Postfix's smtp-sink and a Python one

SYNOPSIS
    from smtp_sink import SmtpSink, PySink
    with SmtpSink(dump=True) as sink:             # /usr/sbin/smtp-sink on 127.0.0.1:sink.port
        inst.set_main_cf(relayhost=f"[127.0.0.1]:{sink.port}")
        ...
        sink.wait_for_count(1)                    # messages received (its -c counter)
        [m] = sink.messages()                     # dump files: m.sender, m.recipients, m.content
    SmtpSink(soft_reject=["RCPT"])                # every RCPT gets 450 4.3.0 (smtp-sink -r)
    SmtpSink(hard_reject=["MAIL"])                # every MAIL gets 500 5.3.0 (smtp-sink -f)

    with PySink() as sink:                        # per-recipient answers by local part
        # defer*@... -> 450 4.2.0, reject*@... -> 550 5.1.1, anything else 250
        sink.wait_for_messages(1); sink.messages[0].recipients
    PySink(rcpt_replies={"bob": "452 4.2.2 Mailbox full"}, lmtp=True,
           data_replies={"carol": "552 5.2.2 Over quota"}, unix_path="/path/sock")

DESCRIPTION
    SmtpSink runs Postfix's smtp-sink (package postfix) on a free port of
    127.0.0.1 (or unix_path), as user nobody (it refuses to run as root
    without -u), with -c so its running counters (sess=, quit=, mesg=)
    land in a file that count() reads. smtp-sink cannot answer per
    recipient: soft_reject and hard_reject name commands (RCPT, MAIL,
    DATA, ".", ...) that get 4xx or 5xx every time (-r, -f), disconnect
    names commands after which it hangs up without a reply (-q); lmtp=True
    speaks LMTP (-L). dump=True saves each transaction with -d under
    self.root/dump; messages() parses those files (X-Mail-Args,
    X-Rcpt-Args headers smtp-sink adds; content is what follows its
    Received: header). extra_args go to smtp-sink unchanged.

    PySink is a small threaded SMTP (or LMTP) server in Python for what
    smtp-sink cannot do: answers per recipient, chosen by the recipient's
    local part (lower case, without +extension): rcpt_replies maps a local
    part to a reply line; otherwise a local part starting with "defer"
    gets 450 4.2.0, one starting with "reject" 550 5.1.1, others 250.
    After DATA, SMTP gets data_reply (default 250); LMTP gets one reply
    per accepted recipient, data_replies by local part (default 250).
    It announces PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, DSN,
    SMTPUTF8 (not CHUNKING), accepts pipelined commands, takes a message
    only when at least one recipient was accepted, removes dot-stuffing,
    and keeps each accepted message as Message(sender, recipients,
    content, helo, mail_args, rcpt_args) in self.messages; every command
    line is in self.commands. Lines are bounded (MAX_LINE, MAX_DATA):
    past them the session gets 500 and is closed. session_count counts
    connections.
"""

import os
import pwd
import re
import socketserver
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from server_process import ServerProcess, accepts, free_port

SMTP_SINK = "/usr/sbin/smtp-sink"
SINK_USER = "nobody"
POLL_S = 0.05
START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 10
MAX_LINE = 4096
MAX_DATA = 64 * 1024 * 1024
SESSION_TIMEOUT_S = 60


@dataclass
class Message:
    sender: str
    recipients: list
    content: bytes
    helo: str = ""
    mail_args: str = ""
    rcpt_args: list = field(default_factory=list)


def _wait(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(POLL_S)


def _address(arg):
    """The address inside <...> of a MAIL/RCPT argument, or the whole argument."""
    match = re.match(r"\s*<([^>]*)>", arg)
    return match.group(1) if match else arg.split()[0] if arg.split() else ""


# ---- Postfix's smtp-sink -----------------------------------------------------------

class SmtpSink(ServerProcess):
    def __init__(self, port=0, unix_path=None, dump=False, soft_reject=(), hard_reject=(),
                 disconnect=(), lmtp=False, extra_args=(), backlog=256):
        if not os.path.exists(SMTP_SINK):
            raise RuntimeError("smtp-sink missing: apt-get install postfix")
        super().__init__("tern-sink-", stop_timeout_s=STOP_TIMEOUT_S)
        user = pwd.getpwnam(SINK_USER)
        self.dump_dir = self.root / "dump" if dump else None
        if self.dump_dir:
            self.dump_dir.mkdir()
            os.chown(self.dump_dir, user.pw_uid, user.pw_gid)
        self.unix_path = Path(unix_path) if unix_path else None
        self.port = None if unix_path else (port or free_port())
        self.counter_path = self.root / "counters"
        argv = [SMTP_SINK, "-u", SINK_USER, "-c"]
        argv += ["-L"] if lmtp else []
        for flag, commands in (("-r", soft_reject), ("-f", hard_reject), ("-q", disconnect)):
            if commands:
                argv += [flag, ",".join(commands)]
        if self.dump_dir:
            argv += ["-d", f"{self.dump_dir}/msg."]
        argv += list(extra_args)
        argv += [f"unix:{self.unix_path}" if self.unix_path else f"127.0.0.1:{self.port}", str(backlog)]
        self.argv = argv

    def start(self):
        if self.unix_path and self.unix_path.exists():
            self.unix_path.unlink()
        with open(self.counter_path, "wb") as out:
            self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=subprocess.STDOUT)
        _wait(lambda: accepts(self.port, self.unix_path) or self.process.poll() is not None, START_TIMEOUT_S,
              f"smtp-sink to listen ({' '.join(self.argv)})")
        if self.process.poll() is not None:
            raise RuntimeError(f"smtp-sink exited: {self.counter_path.read_text(errors='replace')}")
        if self.unix_path:
            os.chmod(self.unix_path, 0o666)
        return self

    def counters(self):
        """The last {"sess": n, "quit": n, "mesg": n} smtp-sink printed (zeros before any)."""
        text = self.counter_path.read_bytes().decode("ascii", "replace")
        records = [r for r in re.split(r"[\r\n]", text) if r.startswith("sess=")]
        if not records:
            return {"sess": 0, "quit": 0, "mesg": 0}
        return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", records[-1])}

    def count(self):
        return self.counters().get("mesg", 0)

    def wait_for_count(self, count, timeout=10):
        return _wait(lambda: self.count() >= count, timeout, f"smtp-sink to receive {count} messages "
                     f"(has {self.count()})")

    def messages(self):
        if not self.dump_dir:
            raise RuntimeError("SmtpSink(dump=True) keeps messages")
        return [self._parse_dump(path.read_bytes()) for path in sorted(self.dump_dir.iterdir())]

    @staticmethod
    def _parse_dump(raw):
        """smtp-sink's X-* headers, its 3-line Received:, then the message."""
        lines = raw.split(b"\n")
        fields, index = {}, 0
        while index < len(lines) and not lines[index].startswith(b"Received: "):
            name, _, value = lines[index].decode("utf-8", "replace").partition(": ")
            fields.setdefault(name, []).append(value)
            index += 1
        index += 3
        content = b"\n".join(lines[index:])
        if content.endswith(b"\n\n"):
            content = content[:-1]  # the empty line smtp-sink appends
        rcpt_args = fields.get("X-Rcpt-Args", [])
        mail_args = fields.get("X-Mail-Args", [""])[0]
        return Message(sender=_address(mail_args), recipients=[_address(a) for a in rcpt_args],
                       content=content, helo=fields.get("X-Helo-Args", [""])[0],
                       mail_args=mail_args, rcpt_args=rcpt_args)


# ---- a Python sink with answers per recipient -------------------------------------

class SessionClosed(Exception):
    pass


class _Handler(socketserver.StreamRequestHandler):
    timeout = SESSION_TIMEOUT_S

    def setup(self):
        super().setup()
        self.sink = self.server.sink

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def read_line(self, limit=MAX_LINE):
        line = self.rfile.readline(limit + 1)
        if not line:
            raise SessionClosed()
        if len(line) > limit:
            self.reply("500 5.5.0 Error: line too long")
            raise SessionClosed()
        return line

    def handle(self):
        self.sink._count_session()
        try:
            self.reply(f"220 {self.sink.hostname} {'LMTP' if self.sink.lmtp else 'ESMTP'} test sink")
            self.session()
        except (SessionClosed, OSError):
            pass

    def session(self):
        helo, sender, mail_args, rcpts, rcpt_args = "", None, "", [], []
        while True:
            line = self.read_line().decode("utf-8", "surrogateescape").rstrip("\r\n")
            self.sink._log_command(line)
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "LHLO") or (verb == "HELO" and not self.sink.lmtp):
                helo, sender, rcpts, rcpt_args = arg, None, [], []
                if verb == "HELO":
                    self.reply(f"250 {self.sink.hostname}")
                    continue
                exts = [self.sink.hostname, "PIPELINING", f"SIZE {MAX_DATA}", "8BITMIME",
                        "ENHANCEDSTATUSCODES", "DSN", "SMTPUTF8"]
                if not self.sink.dsn:
                    exts.remove("DSN")
                for ext in exts[:-1]:
                    self.reply(f"250-{ext}")
                self.reply(f"250 {exts[-1]}")
            elif verb == "MAIL" and arg.upper().startswith("FROM:"):
                sender, mail_args, rcpts, rcpt_args = _address(arg[5:]), arg[5:].strip(), [], []
                self.reply("250 2.1.0 Ok")
            elif verb == "RCPT" and arg.upper().startswith("TO:"):
                if sender is None:
                    self.reply("503 5.5.1 Error: need MAIL command")
                    continue
                address = _address(arg[3:])
                answer = self.sink.rcpt_reply(address)
                if answer.startswith("2"):
                    rcpts.append(address)
                    rcpt_args.append(arg[3:].strip())
                self.reply(answer)
            elif verb == "DATA":
                if not rcpts:
                    self.reply("554 5.5.1 Error: no valid recipients")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                content = self.read_data()
                self.sink._add(Message(sender, rcpts, content, helo, mail_args, rcpt_args))
                if self.sink.lmtp:
                    for address in rcpts:
                        self.reply(self.sink.data_reply_for(address))
                else:
                    self.reply(self.sink.data_reply)
                sender, rcpts, rcpt_args = None, [], []
            elif verb == "RSET":
                sender, rcpts, rcpt_args = None, [], []
                self.reply("250 2.0.0 Ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Error: command not recognized")

    def read_data(self):
        content, size = [], 0
        while True:
            line = self.read_line(MAX_DATA)
            if line in (b".\r\n", b".\n"):
                return b"".join(content)
            if line.startswith(b"."):
                line = line[1:]
            size += len(line)
            if size > MAX_DATA:
                self.reply("552 5.3.4 Error: message too big")
                raise SessionClosed()
            content.append(line)


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class PySink:
    def __init__(self, port=0, unix_path=None, lmtp=False, rcpt_replies=None, data_replies=None,
                 data_reply="250 2.0.0 Ok: queued by test sink", hostname="sink.test", dsn=True):
        self.lmtp = lmtp
        self.dsn = dsn  # offer DSN in the EHLO reply
        self.hostname = hostname
        self.rcpt_replies = {k.lower(): v for k, v in (rcpt_replies or {}).items()}
        self.data_replies = {k.lower(): v for k, v in (data_replies or {}).items()}
        self.data_reply = data_reply
        self.messages = []
        self.commands = []
        self.session_count = 0
        self._lock = threading.Lock()
        self.unix_path = Path(unix_path) if unix_path else None
        if self.unix_path:
            if self.unix_path.exists():
                self.unix_path.unlink()
            self.server = _UnixServer(str(self.unix_path), _Handler)
            os.chmod(self.unix_path, 0o666)
            self.port = None
        else:
            self.server = _TcpServer(("127.0.0.1", port), _Handler)
            self.port = self.server.server_address[1]
        self.server.sink = self
        self._thread = None

    @staticmethod
    def local_part(address):
        local = address.rpartition("@")[0] if "@" in address else address
        return local.split("+", 1)[0].lower()

    def rcpt_reply(self, address):
        local = self.local_part(address)
        if local in self.rcpt_replies:
            return self.rcpt_replies[local]
        if local.startswith("defer"):
            return f"450 4.2.0 <{address}>: Recipient address deferred by test sink"
        if local.startswith("reject"):
            return f"550 5.1.1 <{address}>: Recipient address rejected by test sink"
        return "250 2.1.5 Ok"

    def data_reply_for(self, address):
        return self.data_replies.get(self.local_part(address), f"250 2.0.0 <{address}> delivered by test sink")

    def _add(self, message):
        with self._lock:
            self.messages.append(message)

    def _log_command(self, line):
        with self._lock:
            self.commands.append(line)

    def _count_session(self):
        with self._lock:
            self.session_count += 1

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="py-sink", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server.server_close()
        if self.unix_path and self.unix_path.exists():
            self.unix_path.unlink()

    def __enter__(self):
        return self.start() if self._thread is None else self

    def __exit__(self, *exc):
        self.stop()

    def wait_for_messages(self, count, timeout=10):
        _wait(lambda: len(self.messages) >= count, timeout,
              f"the test sink to receive {count} messages (has {len(self.messages)})")
        return list(self.messages)
