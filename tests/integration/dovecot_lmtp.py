r"""tests/integration/dovecot_lmtp.py - a throw-away Dovecot LMTP server for tests

SYNOPSIS
    from dovecot_lmtp import DovecotLmtp
    with DovecotLmtp(socket_path=inst.queue_dir / "private" / "dovecot-lmtp") as dovecot:
        inst.set_main_cf(mailbox_transport="lmtp:unix:private/dovecot-lmtp")
        ...
        dovecot.wait_for_messages("bob@example.test", 1)
        [message] = dovecot.messages("bob@example.test")     # email.message.Message
        dovecot.raw_messages("bob@example.test")             # [bytes]
    DovecotLmtp(tcp_port=0)       # also (or only) an inet listener on 127.0.0.1: dovecot.tcp_port

DESCRIPTION
    Starts Debian's Dovecot 2.3 master (`dovecot -F`, package dovecot-core,
    with dovecot-lmtpd) as root with its own configuration in a fresh
    folder under /tmp (self.root, mode 0755): base_dir and state_dir there,
    protocols = lmtp and nothing else, no IP listeners except the optional
    LMTP one on 127.0.0.1, no SSL. LMTP listens on a UNIX socket at
    socket_path (mode 0666, so an lmtp client running as any user may
    connect; default self.root/lmtp). Dovecot's auth process answers the
    user lookups from a static userdb: every address is a user, its mail
    goes to root/mail/ADDRESS/Maildir (mail_location =
    maildir:~/Maildir, home = root/mail/%u, %u the lower-cased full
    address) and is written as user (default "tern"; Dovecot refuses
    uid 0). With users=[addresses] a passwd-file userdb knows only those
    (lower-cased): RCPT of any other address gets Dovecot's
    "550 5.1.1 ... User doesn't exist". Dovecot logs to
    self.log_path (log_text() reads it); mail_fsync = always.

    start() waits until the socket accepts connections (and the TCP port
    when asked); stop() sends SIGTERM to the master it started and waits
    for it, then removes root unless keep (or TERN_KEEP_INSTANCE is set).
    messages(user) parses every file of new/ and cur/ in name order with
    the email package; wait_for_messages(user, n) polls with a deadline.

    lmtp_session(...) is a minimal LMTP client for self-tests: LHLO, MAIL,
    RCPT each, DATA, then one reply per accepted recipient.
"""

import email
import email.policy
import os
import pwd
import socket
import subprocess
import time
from pathlib import Path

from server_process import ServerProcess, accepts, free_port

DOVECOT = "/usr/sbin/dovecot"
START_TIMEOUT_S = 15
STOP_TIMEOUT_S = 15
POLL_S = 0.05

CONFIG = """\
# dovecot.conf written by tests/integration/dovecot_lmtp.py
base_dir = {root}/run
state_dir = {root}/state
instance_name = tern-test-{name}
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
debug_log_path = {root}/dovecot.log
protocols = lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:~/Maildir
mail_fsync = always
first_valid_uid = 1
lmtp_save_to_detail_mailbox = no
default_login_user = dovenull
default_internal_user = dovecot
passdb {{
  driver = static
  args = nopassword=y
}}
{userdb}service lmtp {{
  unix_listener {socket} {{
    mode = 0666
  }}
{inet}}}
service anvil {{
  chroot =
}}
"""

USERDB_STATIC = """\
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
"""

USERDB_FILE = """\
userdb {{
  driver = passwd-file
  args = {root}/users
}}
"""

INET = """\
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {port}
  }}
"""


class DovecotLmtp(ServerProcess):
    def __init__(self, socket_path=None, user="tern", tcp_port=None, users=None):
        if not os.path.exists(DOVECOT) or not os.path.exists("/usr/lib/dovecot/lmtp"):
            raise RuntimeError("Dovecot LMTP missing: apt-get install dovecot-core dovecot-lmtpd")
        super().__init__("tern-dovecot-", stop_timeout_s=STOP_TIMEOUT_S)
        self.socket_path = Path(socket_path) if socket_path else self.root / "lmtp"
        self.tcp_port = free_port() if tcp_port == 0 else tcp_port
        self.user = pwd.getpwnam(user)
        self.config_path = self.root / "dovecot.conf"
        self.log_path = self.root / "dovecot.log"
        self.mail_dir = self.root / "mail"
        self.users = None if users is None else [u.lower() for u in users]
        self._write_config()

    def _write_config(self):
        for sub in ("run", "state"):
            (self.root / sub).mkdir(mode=0o755)
        self.mail_dir.mkdir(mode=0o755)
        os.chown(self.mail_dir, self.user.pw_uid, self.user.pw_gid)
        uid, gid = self.user.pw_uid, self.user.pw_gid
        inet = INET.format(port=self.tcp_port) if self.tcp_port else ""
        if self.users is None:
            userdb = USERDB_STATIC.format(uid=uid, gid=gid, root=self.root)
        else:
            userdb = USERDB_FILE.format(root=self.root)
            (self.root / "users").write_text("".join(
                f"{name}::{uid}:{gid}::{self.mail_dir / name}::\n" for name in self.users))
        self.config_path.write_text(CONFIG.format(
            root=self.root, name=self.root.name, socket=self.socket_path, inet=inet, userdb=userdb))

    # ---- life cycle ------------------------------------------------------------

    def start(self):
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config_path)],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=open(self.root / "dovecot.stderr", "wb"))
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (accepts(unix_path=self.socket_path) and (not self.tcp_port or accepts(port=self.tcp_port))):
            if self.process.poll() is not None or time.monotonic() > deadline:
                problem = (self.root / "dovecot.stderr").read_text(errors="replace") + self.log_text()
                self.stop()
                raise RuntimeError(f"dovecot did not start:\n{problem}")
            time.sleep(POLL_S)
        return self

    def remove_files(self):
        if self.socket_path.is_socket():
            self.socket_path.unlink()

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # ---- mailboxes -------------------------------------------------------------

    def maildir(self, user):
        return self.mail_dir / user.lower() / "Maildir"

    def message_paths(self, user):
        maildir = self.maildir(user)
        paths = []
        for sub in ("new", "cur"):
            folder = maildir / sub
            if folder.is_dir():
                paths += sorted(folder.iterdir())
        return paths

    def raw_messages(self, user):
        return [path.read_bytes() for path in self.message_paths(user)]

    def messages(self, user):
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.raw_messages(user)]

    def wait_for_messages(self, user, count, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            found = len(self.message_paths(user))
            if found >= count:
                return self.messages(user)
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {count} messages of {user} "
                                     f"in {self.maildir(user)} (found {found})\ndovecot log:\n{self.log_text()[-3000:]}")
            time.sleep(POLL_S)


# ---- a minimal LMTP client for self-tests -------------------------------------------

def _read_reply(stream):
    """(code, [text lines]) of one possibly multi-line reply."""
    lines = []
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("LMTP server closed the connection")
        line = line.decode("utf-8", "replace").rstrip("\r\n")
        lines.append(line[4:])
        if len(line) < 4 or line[3] != "-":
            return int(line[:3]), lines


def lmtp_session(sender, recipients, content, unix_path=None, tcp_port=None, timeout=10):
    """Delivers one message; returns {"lhlo": reply, "mail": reply,
    "rcpt": [reply per recipient], "data": [reply per accepted recipient]}."""
    if unix_path is not None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(str(unix_path))
    else:
        sock = socket.create_connection(("127.0.0.1", tcp_port), timeout=timeout)
    with sock, sock.makefile("rb") as stream:
        result = {"greeting": _read_reply(stream)}
        sock.sendall(b"LHLO client.test\r\n")
        result["lhlo"] = _read_reply(stream)
        sock.sendall(f"MAIL FROM:<{sender}>\r\n".encode())
        result["mail"] = _read_reply(stream)
        result["rcpt"] = []
        for rcpt in recipients:
            sock.sendall(f"RCPT TO:<{rcpt}>\r\n".encode())
            result["rcpt"].append(_read_reply(stream))
        accepted = sum(1 for code, _ in result["rcpt"] if code // 100 == 2)
        result["data"] = []
        if accepted:
            sock.sendall(b"DATA\r\n")
            result["data_start"] = _read_reply(stream)
            body = content.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            body = b"\r\n".join(b"." + line if line.startswith(b".") else line for line in body.split(b"\r\n"))
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            sock.sendall(body + b".\r\n")
            result["data"] = [_read_reply(stream) for _ in range(accepted)]
        sock.sendall(b"QUIT\r\n")
        result["quit"] = _read_reply(stream)
    return result
