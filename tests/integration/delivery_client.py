r"""tests/integration/delivery_client.py - drive a delivery agent without qmgr, from tests

SYNOPSIS
    from delivery_client import write_queue_file, deliver
    offsets = write_queue_file(queue_dir / "active" / qid, "a@example.com",
                               ["b@example.com", ("c@example.com", "rfc822;c@example.com", 2)],
                               b"Subject: x\r\n\r\nbody\r\n")
    reply = deliver(queue_dir / "private" / "virtual", qid, "virtual", "example.com",
                    "a@example.com", [("b@example.com", offsets[0])])
    reply["status"] == "0"; reply["rcpt_0_status"] == "sent"

DESCRIPTION
    write_queue_file writes a complete queue file in the format of
    lib/mail/queue_file.h (magic, arrival, sender, recipients as status,
    orcpt, notify, address, content in one chunk, schedule, end) and
    returns each recipient's status record offset, as qmgr passes them
    in rcpt_<i>_offset. A recipient is an address or a tuple
    (address, orcpt, notify). The file is owned by the caller; chown it
    to the agent's user when the agent does not run as root.
    deliver() sends one request of lib/mail/delivery_protocol.h on a new
    connection to the agent's socket and returns its reply as a dict.
"""

import struct
import time

from attr_client import AttrConnection

MAGIC = b"tern-queue-file 1"


def _record(kind, payload):
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    return kind.encode() + struct.pack(">I", len(payload)) + payload


CONTENT_CHUNK = 64 * 1024  # well under QueueFileLimits.max_content_chunk_bytes


def build_queue_file(sender, recipients, content, arrival=None, envid="", ret=""):
    """(bytes, [status offset per recipient])"""
    arrival = time.time() if arrival is None else arrival
    out = bytearray(_record("V", MAGIC))
    out += _record("T", f"{int(arrival)}.{int((arrival % 1) * 1e6):06d}")
    out += _record("F", sender)
    if envid:
        out += _record("E", envid)
    if ret:
        out += _record("B", ret)
    offsets = []
    for r in recipients:
        address, orcpt, notify = (r, "", 0) if isinstance(r, str) else r
        offsets.append(len(out))
        out += _record("S", "T")
        if orcpt:
            out += _record("O", orcpt)
        if notify:
            out += _record("N", str(notify))
        out += _record("R", address)
    for start in range(0, len(content), CONTENT_CHUNK) or [0]:  # chunks, as cleanup writes them
        out += _record("C", content[start:start + CONTENT_CHUNK])
    out += _record("Q", f"{0:012d} {0:06d}")
    size = len(out) + 5 + 20
    out += _record("X", f"{size:020d}")
    return bytes(out), offsets


def write_queue_file(path, sender, recipients, content, **kw):
    data, offsets = build_queue_file(sender, recipients, content, **kw)
    with open(path, "wb") as f:
        f.write(data)
    return offsets


def deliver(socket_path, queue_id, transport, nexthop, sender, recipients, queue_name="active",
            arrival=None, timeout=30, extra=()):
    """recipients: [(address, offset)] or [(address, offset, orcpt, notify)]"""
    now = time.time()
    arrival = now if arrival is None else arrival
    stamp = lambda t: f"{int(t)}.{int((t % 1) * 1e6):06d}"
    attrs = [("request", "deliver"), ("queue_name", queue_name), ("queue_id", queue_id),
             ("transport", transport), ("nexthop", nexthop), ("sender", sender),
             ("arrival", stamp(arrival)), ("active_since", stamp(now)), ("flags", "0"),
             ("recipient_count", str(len(recipients)))]
    for i, r in enumerate(recipients):
        attrs += [(f"rcpt_{i}_address", r[0]), (f"rcpt_{i}_offset", str(r[1]))]
        if len(r) > 2 and r[2]:
            attrs.append((f"rcpt_{i}_orcpt", r[2]))
        if len(r) > 3 and r[3]:
            attrs.append((f"rcpt_{i}_notify", str(r[3])))
    attrs += list(extra)
    conn = AttrConnection.connect_unix(socket_path, timeout=timeout)
    try:
        conn.send(attrs)
        return conn.receive()
    finally:
        conn.close()
