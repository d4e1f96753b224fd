r"""tests/integration/test_delivery_recovery.py - kill -9 of qmgr and local mid-run loses no mail

A whole instance (smtpd, cleanup, qmgr, local, bounce) takes 500 messages
over SMTP for a throw-away Unix user whose home_mailbox is a Maildir. While
they are being delivered the test kills qmgr, then every local process,
with SIGKILL, twice each. master starts them again; what was in flight is
deferred and retried (short back-off times). Afterwards every message is in
the Maildir, counted by its Subject: none lost. Duplicates (a message
delivered, then its recipient not yet marked done when local died) are
allowed by the design and printed.
"""

import os
import re
import signal
import smtplib
import threading

from delivery_services import delivery_master_cf
from tern_instance import Instance
from test_local import Users

COUNT = 500


def delivered_subjects(maildir):
    subjects = []
    new = maildir / "new"
    if not new.is_dir():
        return subjects
    for path in new.iterdir():
        try:
            match = re.search(rb"^Subject: (recovery \d+)$", path.read_bytes(), re.MULTILINE)
        except FileNotFoundError:
            continue
        if match:
            subjects.append(match.group(1).decode())
    return subjects


def send_all(port, recipient, errors):
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            client.ehlo("recovery.test")
            for i in range(COUNT):
                client.sendmail("sender@example.org", [recipient],
                                f"Subject: recovery {i}\r\nFrom: sender@example.org\r\n\r\nbody {i}\r\n".encode())
    except Exception as error:  # reported by the test thread
        errors.append(error)


def kill_all(inst, name):
    pids = [pid for pid, program in inst.processes() if program == name]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return len(pids)


def test_kill_9_of_qmgr_and_local_mid_run_loses_no_message(tmp_path):
    port = Instance.free_port()
    inst = Instance(tmp_path, master_cf=delivery_master_cf(port, only={"smtpd", "cleanup", "qmgr", "local", "bounce"}))
    users = Users(inst.root)
    try:
        user = users.add()
        inst.set_main_cf(myhostname="mx.example.org", mydomain="example.org", myorigin="example.org",
                         mydestination="example.org", alias_maps="", home_mailbox="Maildir/",
                         minimal_backoff_time="1s", maximal_backoff_time="2s", queue_run_delay="1s")
        inst.start()
        maildir = inst.root / "home" / user.pw_name / "Maildir"
        errors = []
        sender = threading.Thread(target=send_all, args=(port, f"{user.pw_name}@example.org", errors))
        sender.start()
        kills = {"qmgr": 0, "local": 0}
        for threshold, name in ((60, "qmgr"), (150, "local"), (250, "qmgr"), (350, "local")):
            inst.wait_for(lambda: len(delivered_subjects(maildir)) >= threshold, timeout=120,
                          what=f"{threshold} messages delivered")
            kills[name] += kill_all(inst, name)
        sender.join(timeout=300)
        assert not sender.is_alive() and not errors, errors
        inst.wait_for(lambda: len(set(delivered_subjects(maildir))) == COUNT, timeout=180,
                      what=f"all {COUNT} messages in the Maildir")
        subjects = delivered_subjects(maildir)
        assert set(subjects) == {f"recovery {i}" for i in range(COUNT)}
        assert kills["qmgr"] >= 1 and kills["local"] >= 1, kills
        print(f"\n{COUNT} messages, none lost, {len(subjects) - COUNT} delivered twice "
              f"({kills['qmgr']} qmgr and {kills['local']} local processes killed)")
    finally:
        inst.close()
        users.remove_all()
