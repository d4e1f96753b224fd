r"""tests/integration/active_delivery.py - put a message in active/ and have one delivery agent deliver it

SYNOPSIS
    from active_delivery import base62, queue_id, deliver_from_active
    qid = queue_id(time.time(), inode)        # "AbCdEf" "0042" "Zz" as Postfix's long IDs
    qid, reply = deliver_from_active(inst, "virtual", "example.com",
                                     ["joe@example.com", ("ann@example.com", "rfc822;ann@example.com", 0)],
                                     sender="a@example.org", content=b"Subject: x\r\n\r\nbody\r\n")
    reply["status"] == "0"; reply["rcpt_0_status"] == "sent"

DESCRIPTION
    For the tests that drive an agent without qmgr. deliver_from_active
    makes active/ID in the instance's queue: ID is made from the arrival
    time and the new file's inode, as the real queue does, and the file
    is written with delivery_client.write_queue_file (a recipient is an
    address or a tuple (address, orcpt, notify)). With `owner` the file
    is chowned to that user, for an agent that does not run as root.
    Then it sends the request qmgr would send to private/TRANSPORT
    (delivery_client.deliver; extra keyword arguments such as timeout
    go there) and returns (ID, the agent's reply as a dict).
    base62 and queue_id spell a queue ID: base62 seconds (6), base62
    microseconds (4), base62 inode.

LIMITS
    One request on a new connection; deliver's own timeout applies.
"""

import os
import pwd
import time

from delivery_client import deliver, write_queue_file

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(n, width=0):
    out = ""
    while n:
        n, d = divmod(n, 62)
        out = BASE62[d] + out
    return out.rjust(width, "0") or "0"


def queue_id(arrival, inode):
    return base62(int(arrival), 6) + base62(int((arrival % 1) * 1e6), 4) + base62(inode)


def deliver_from_active(inst, transport, nexthop, recipients, sender, content, owner=None, **deliver_args):
    active = inst.queue_dir / "active"
    active.mkdir(exist_ok=True)
    now = time.time()
    probe = active / "new-file"
    probe.write_bytes(b"")
    qid = queue_id(now, os.stat(probe).st_ino)
    path = active / qid
    os.rename(probe, path)
    offsets = write_queue_file(path, sender, recipients, content, arrival=now)
    if owner is not None:
        user = pwd.getpwnam(owner)
        os.chown(path, user.pw_uid, user.pw_gid)
    # (address, offset[, orcpt, notify]): the request carries what the queue file has
    requested = [(r, offset) if isinstance(r, str) else (r[0], offset, *r[1:]) for r, offset in zip(recipients, offsets)]
    reply = deliver(inst.queue_dir / "private" / transport, qid, transport, nexthop, sender,
                    requested, arrival=now, **deliver_args)
    return qid, reply
