r"""tests/integration/attr_client.py - speak tern's attribute-list IPC (lib/mail/attr.h) from tests

SYNOPSIS
    from attr_client import AttrConnection, encode, CleanupClient
    conn = AttrConnection.connect_unix(queue_dir / "public" / "cleanup")
    conn.send([("request", "envelope"), ("sender", "a@example.com")])
    reply = conn.receive()            # dict name -> str (bytes values decoded as UTF-8, surrogateescape)

    c = CleanupClient(queue_dir)      # one message through cleanup
    qid = c.queue_id                  # from the greeting
    reply = c.submit("a@example.com", ["b@example.net"], b"Subject: x\r\n\r\nbody\r\n")

DESCRIPTION
    Wire format, version 1: "TRNA", version byte 1, 4-byte big-endian
    count, then per attribute a 1-byte name length, the name, a 4-byte
    big-endian value length, the value, and a final b"\n".
    AttrConnection.receive() reads exactly one message and raises
    EOFError when the peer closes first. CleanupClient follows
    lib/mail/cleanup_protocol.h: greeting, envelope, recipients, content
    in chunks of at most 64 KiB, end; submit() returns the reply dict.
"""

import socket
import struct

MAGIC = b"TRNA"
VERSION = 1
MAX_CHUNK = 64 * 1024


def _bytes(value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogateescape")


def encode(attrs):
    """attrs: list of (name, value) pairs; values str, int or bytes."""
    out = bytearray(MAGIC + bytes([VERSION]) + struct.pack(">I", len(attrs)))
    for name, value in attrs:
        n, v = _bytes(name), _bytes(value)
        out += bytes([len(n)]) + n + struct.pack(">I", len(v)) + v
    out += b"\n"
    return bytes(out)


class AttrConnection:
    def __init__(self, sock, timeout=10):
        self.sock = sock
        self.sock.settimeout(timeout)

    @classmethod
    def connect_unix(cls, path, timeout=10):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(str(path))
        return cls(sock, timeout)

    def send(self, attrs):
        self.sock.sendall(encode(attrs))

    def send_raw(self, data):
        self.sock.sendall(data)

    def _exact(self, n):
        data = bytearray()
        while len(data) < n:
            piece = self.sock.recv(n - len(data))
            if not piece:
                raise EOFError("peer closed")
            data += piece
        return bytes(data)

    def receive(self):
        header = self._exact(9)
        if header[:4] != MAGIC or header[4] != VERSION:
            raise ValueError(f"bad attribute message header {header!r}")
        count = struct.unpack(">I", header[5:9])[0]
        result = {}
        for _ in range(count):
            name = self._exact(self._exact(1)[0]).decode("ascii")
            length = struct.unpack(">I", self._exact(4))[0]
            result[name] = self._exact(length).decode("utf-8", "surrogateescape")
        if self._exact(1) != b"\n":
            raise ValueError("missing end marker")
        return result

    def closed_by_peer(self):
        """True when the peer closed (or reset) without sending anything more;
        False when it sent a byte or stayed silent until the timeout."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


class CleanupClient:
    """One message through cleanup's public/cleanup socket."""

    def __init__(self, queue_dir, timeout=10):
        self.conn = AttrConnection.connect_unix(f"{queue_dir}/public/cleanup", timeout)
        self.greeting = self.conn.receive()
        self.queue_id = self.greeting.get("queue_id", "")

    def envelope(self, sender, flags=None, **attrs):
        pairs = [("request", "envelope"), ("sender", sender)]
        if flags is not None:
            pairs.append(("flags", flags))
        pairs += list(attrs.items())
        self.conn.send(pairs)

    def recipient(self, address, orcpt=None, notify=None):
        pairs = [("request", "recipient"), ("address", address)]
        if orcpt:
            pairs.append(("orcpt", orcpt))
        if notify:
            pairs.append(("notify", notify))
        self.conn.send(pairs)

    def content(self, data, chunk=MAX_CHUNK):
        for start in range(0, len(data), chunk):
            self.conn.send([("request", "content"), ("data", data[start:start + chunk])])

    def end(self, abort=False):
        self.conn.send([("request", "end")] + ([("abort", 1)] if abort else []))
        if abort:
            return None
        return self.conn.receive()

    def submit(self, sender, recipients, content, flags=None, chunk=MAX_CHUNK, **attrs):
        self.envelope(sender, flags, **attrs)
        for r in recipients:
            self.recipient(r)
        self.content(content, chunk)
        return self.end()

    def close(self):
        self.conn.close()
