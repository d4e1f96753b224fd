r"""tests/integration/test_commit_recovery.py - a commit cut short by a crash is finished at start

cleanup does not fsync incoming/ after renaming a durable queue file to its
queue ID (lib/mail/queue_recovery.h), so a crash can leave an acknowledged
message under its temporary name "incoming/tmp.cleanup.PID.N". The test
stops a delivering instance, puts such files in incoming/ as a crash would
leave them (one complete, one cut short), starts it again and checks what
the user sees: master logs the recovery under a new queue ID, the complete
message reaches its Maildir, the partial one is removed and logged.
"""

import os
import pwd

from delivery_client import write_queue_file
from test_virtual_instance import full_instance, new_files  # noqa: F401 (fixture)

DEAD_PID = 1073741000  # above any pid_max


def test_complete_temporary_file_is_recovered_and_delivered(full_instance):  # noqa: F811
    inst = full_instance
    inst.stop()
    incoming = inst.queue_dir / "incoming"
    owner = pwd.getpwnam("tern")
    complete = incoming / f"tmp.cleanup.{DEAD_PID}.1"
    partial = incoming / f"tmp.cleanup.{DEAD_PID}.2"
    content = b"From: a@example.org\r\nSubject: recovered\r\n\r\nafter a crash\r\n"
    write_queue_file(complete, "a@example.org", ["joe@example.com"], content)
    write_queue_file(partial, "a@example.org", ["joe@example.com"], content)
    os.truncate(partial, partial.stat().st_size - 3)
    for path in (complete, partial):
        os.chown(path, owner.pw_uid, owner.pw_gid)
        os.chmod(path, 0o600)
    inst.start()
    inst.wait_for_log(rf"master\[\d+\]: \w+: recovered from incoming/tmp\.cleanup\.{DEAD_PID}\.1 "
                      r"after an interrupted commit")
    inst.wait_for_log(rf"removed stale temporary file incoming/tmp\.cleanup\.{DEAD_PID}\.2")
    joe = inst.base / "example.com" / "joe"
    [message] = inst.wait_for(lambda: new_files(joe), timeout=30, what="the recovered message in joe's Maildir")
    assert b"after a crash" in message.read_bytes()
    assert not complete.exists() and not partial.exists()
