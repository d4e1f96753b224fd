r"""tests/integration/server_process.py - a test peer run as a child process in its own throw-away folder

SYNOPSIS
    from server_process import ServerProcess, accepts, free_port
    class Peer(ServerProcess):
        def __init__(self):
            super().__init__("tern-peer-", stop_timeout_s=10)   # self.root, self.process = None
        def start(self):
            self.process = subprocess.Popen([...])
            return self
    with Peer() as peer: ...       # start(); stop(), keeping root if the block raised
    port = free_port()             # a port of 127.0.0.1 free just now
    accepts(port=port); accepts(unix_path=path)

DESCRIPTION
    The life cycle the external test peers (smtp_sink.SmtpSink,
    dovecot_lmtp.DovecotLmtp) share. The constructor makes self.root, a
    fresh folder under /tmp (mode 0755, so a peer that drops to another
    user can still reach it). stop(keep=False) sends SIGTERM to the
    process start() left in self.process, waits at most stop_timeout_s,
    then kills it; unless keep (or TERN_KEEP_INSTANCE is set) it removes
    root and calls remove_files(), which a subclass overrides for what
    it made outside root. accepts() tells whether a UNIX socket or a
    TCP port of 127.0.0.1 takes a connection now.

LIMITS
    A connection probe waits at most 1 s.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PROBE_TIMEOUT_S = 1


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts(port=None, unix_path=None):
    try:
        if unix_path:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(PROBE_TIMEOUT_S)
                probe.connect(str(unix_path))
        else:
            socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT_S).close()
        return True
    except OSError:
        return False


class ServerProcess:
    def __init__(self, prefix, stop_timeout_s):
        self.root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
        os.chmod(self.root, 0o755)
        self.stop_timeout_s = stop_timeout_s
        self.process = None

    def start(self):
        raise NotImplementedError

    def remove_files(self):
        """What the peer made outside root, removed by stop() unless kept."""

    def stop(self, keep=False):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if not keep and not os.environ.get("TERN_KEEP_INSTANCE"):
            shutil.rmtree(self.root, ignore_errors=True)
            self.remove_files()

    def __enter__(self):
        return self.start() if self.process is None else self

    def __exit__(self, exc_type, *exc):
        self.stop(keep=exc_type is not None)
