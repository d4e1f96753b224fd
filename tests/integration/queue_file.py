r"""tests/integration/queue_file.py - read a tern queue file (lib/mail/queue_file.h) in tests

SYNOPSIS
    q = read_queue_file(path)
    q.sender, q.arrival, q.envid, q.ret, q.attributes["submit_uid"],
    q.recipients  # [Recipient(address, status, orcpt, notify)], q.content (bytes)

DESCRIPTION
    Records are a type byte, a 4-byte big-endian payload length and the
    payload: V magic first, X end (total size, 20 digits) last. Raises
    ValueError for a file that breaks the format (a test failure).
"""

import struct
from dataclasses import dataclass, field

MAGIC = b"tern-queue-file 1"


@dataclass
class Recipient:
    address: str
    status: str = "T"
    orcpt: str = ""
    notify: int = 0


@dataclass
class QueueFile:
    arrival: str = ""
    sender: str = None
    envid: str = ""
    ret: str = ""
    attributes: dict = field(default_factory=dict)
    recipients: list = field(default_factory=list)
    content: bytes = b""


def parse_queue_file(data):
    records, pos = [], 0
    while pos < len(data):
        if pos + 5 > len(data):
            raise ValueError(f"truncated record header at {pos}")
        kind, length = chr(data[pos]), struct.unpack(">I", data[pos + 1:pos + 5])[0]
        payload = data[pos + 5:pos + 5 + length]
        if len(payload) != length:
            raise ValueError(f"truncated record at {pos}")
        records.append((kind, payload))
        pos += 5 + length
    if not records or records[0] != ("V", MAGIC):
        raise ValueError("no magic record first")
    if records[-1][0] != "X" or int(records[-1][1]) != len(data):
        raise ValueError("no end record last, or wrong size")
    q, pending, content = QueueFile(), Recipient(""), []
    for kind, payload in records[1:-1]:
        text = payload.decode("utf-8", "surrogateescape")
        if kind == "T": q.arrival = text
        elif kind == "F": q.sender = text
        elif kind == "E": q.envid = text
        elif kind == "B": q.ret = text
        elif kind == "A":
            name, _, value = text.partition("=")
            q.attributes[name] = value
        elif kind == "S": pending = Recipient("", status=text)
        elif kind == "O": pending.orcpt = text
        elif kind == "N": pending.notify = int(text)
        elif kind == "R":
            pending.address = text
            q.recipients.append(pending)
            pending = Recipient("")
        elif kind == "C": content.append(payload)
        elif kind not in ("Q", "W"):
            raise ValueError(f"unknown record type {kind!r}")
    q.content = b"".join(content)
    return q


def read_queue_file(path):
    with open(path, "rb") as f:
        return parse_queue_file(f.read())
