r"""tests/integration/test_postsuper.py - postsuper(1): delete, hold, release, requeue

Queue files are written straight into the queue folders (as test_qmgr.py
does) or submitted over SMTP to a full instance whose transport_maps send
example.com to the test agent (tests/support/test_agent.cpp: sent@ is
delivered, defer@ deferred). Checked here: -d of one ID and of ALL in one
queue removes the files and their defer/ and bounce/ logs and logs
"ID: removed"; IDs from standard input; a bad ID warns while the others are
still done; non-root callers and bad flags are refused with Postfix's exit
status 1; -h puts mail on hold (mailq shows "!", qmgr does not deliver it,
not even on a flush) and -H releases it, which is delivered at once; -r
sends a message through pickup and cleanup again under a new ID, without
delivering its done recipients a second time.
"""

import fcntl
import os
import pwd
import re
import smtplib
import shutil
import subprocess
import time

from active_delivery import queue_id
from delivery_client import write_queue_file
from delivery_services import delivery_master_cf
from tern_instance import run_captured

TEST_AGENT = "testagent unix  -       -       n       -       -       test-agent\n"
CONTENT = b"Subject: postsuper test\r\nFrom: a@example.org\r\n\r\nbody\r\n"
FUTURE = time.time() + 365 * 24 * 3600


def tern_ids():
    entry = pwd.getpwnam("tern")
    return entry.pw_uid, entry.pw_gid


def postsuper(inst, *args, stdin=None, user=None):
    """Runs postsuper -c CONFIG ARGS; returns the CompletedProcess (text)."""
    binary = inst.build / "tools" / "postsuper" / "postsuper"
    preexec = None
    if user is not None:
        entry = pwd.getpwnam(user)
        # The user may not reach the build tree (a checkout under a 0700
        # folder): run a copy from the instance, which every user can reach.
        copy = inst.root / "postsuper-as-user"
        if not copy.exists():
            shutil.copy(binary, copy)
            os.chmod(copy, 0o755)
        binary = copy

        def preexec():
            os.setgid(entry.pw_gid)
            os.setgroups([])
            os.setuid(entry.pw_uid)
    argv = [str(binary), "-c", str(inst.config_dir), *map(str, args)]
    return subprocess.run(argv, input=stdin or "", capture_output=True, text=True, timeout=60,
                          preexec_fn=preexec, cwd="/")


def mailq(inst):
    postqueue = inst.build / "tools" / "postqueue" / "postqueue"
    return run_captured([postqueue, "-c", inst.config_dir, "-p"], check=True).stdout


def flush(inst):
    postqueue = inst.build / "tools" / "postqueue" / "postqueue"
    run_captured([postqueue, "-c", inst.config_dir, "-f"], check=True)


def queue_files(inst, queue):
    folder = inst.queue_dir / queue
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def new_queue_file(inst, queue, recipients, mtime=None):
    """Writes a queue file named by a fresh queue ID into queue/; returns the ID."""
    folder = inst.queue_dir / queue
    now = time.time()
    probe = folder / ".new"
    probe.write_bytes(b"")
    qid = queue_id(now, os.stat(probe).st_ino)
    write_queue_file(probe, "a@example.org", recipients, CONTENT, arrival=now)
    os.chown(probe, *tern_ids())
    os.chmod(probe, 0o600)
    if mtime is not None:
        os.utime(probe, (mtime, mtime))
    os.rename(probe, folder / qid)
    return qid


def with_logs(inst, qid):
    for log in ("defer", "bounce"):
        path = inst.queue_dir / log / qid
        path.write_bytes(b"log")
        os.chown(path, *tern_ids())


def agent_holds(path):
    """True while a delivery agent holds its shared flock on the queue file."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def prepared(inst):
    """The instance's queue folders, made by tern check; no daemon runs."""
    inst.tern("check")
    return inst


def start(inst, build, **settings):
    services = {"smtpd", "cleanup", "qmgr", "pickup", "showq"}
    if (build / "bounce" / "bounce").is_file():
        services.add("bounce")
    inst.write_master_cf(delivery_master_cf(inst.smtp_port, only=services, extra=TEST_AGENT))
    base = {"myhostname": "mx.example.org", "mydomain": "example.org",
            "transport_maps": "inline:{example.com=testagent:x}",
            "queue_run_delay": "1h", "minimal_backoff_time": "1h", "maximal_backoff_time": "2h"}
    base.update(settings)
    inst.set_main_cf(**base)
    inst.start()
    inst.wait_for(lambda: (inst.queue_dir / "public" / "qmgr").exists(), what="public/qmgr")
    return inst


def submit(inst, recipients):
    with smtplib.SMTP("127.0.0.1", inst.smtp_port, timeout=20) as client:
        client.ehlo("client.example.org")
        client.mail("a@example.org")
        for rcpt in recipients:
            code, text = client.rcpt(rcpt)
            assert code == 250, (rcpt, code, text)
        code, text = client.data(CONTENT)
    assert code == 250, text
    return re.search(rb"queued as (\w+)", text).group(1).decode()


def test_delete_one_message_with_its_logs(instance):
    inst = prepared(instance)
    qid = new_queue_file(inst, "deferred", ["sent@example.com"])
    other = new_queue_file(inst, "deferred", ["sent@example.com"])
    with_logs(inst, qid)
    result = postsuper(inst, "-d", qid)
    assert result.returncode == 0, result.stderr
    assert f"postsuper: {qid}: removed\n" in result.stderr
    assert result.stderr.endswith("postsuper: Deleted: 1 message\n")
    for queue in ("deferred", "defer", "bounce"):
        assert qid not in queue_files(inst, queue)
    assert other in queue_files(inst, "deferred")
    assert re.search(rf"tern/postsuper\[\d+\]: {qid}: removed", inst.log_text())
    assert re.search(r"tern/postsuper\[\d+\]: Deleted: 1 message$", inst.log_text(), re.M)


def test_delete_all_of_one_queue(instance):
    inst = prepared(instance)
    deferred = [new_queue_file(inst, "deferred", ["sent@example.com"]) for _ in range(3)]
    held = new_queue_file(inst, "hold", ["sent@example.com"])
    for qid in deferred:
        with_logs(inst, qid)
    result = postsuper(inst, "-d", "ALL", "deferred")
    assert result.returncode == 0, result.stderr
    assert "Deleted: 3 messages" in result.stderr
    assert queue_files(inst, "deferred") == [] and queue_files(inst, "defer") == []
    assert queue_files(inst, "bounce") == []
    assert queue_files(inst, "hold") == [held]
    for qid in deferred:
        assert re.search(rf"tern/postsuper\[\d+\]: {qid}: removed", inst.log_text())
    # "all" is not ALL: it is a (bad) queue ID.
    result = postsuper(inst, "-d", "all")
    assert "warning: invalid mail queue id: all" in result.stderr
    assert queue_files(inst, "hold") == [held]


def test_bad_and_unknown_ids_do_not_stop_the_others(instance):
    inst = prepared(instance)
    qid = new_queue_file(inst, "incoming", ["sent@example.com"])
    missing = qid[:-1] + ("1" if qid[-1] != "1" else "2")
    result = postsuper(inst, "-d", "bad/id", "-d", missing, "-d", qid)
    assert result.returncode == 0, result.stderr
    assert "postsuper: warning: invalid mail queue id: bad/id" in result.stderr
    assert f"postsuper: {qid}: removed" in result.stderr
    assert "Deleted: 1 message" in result.stderr
    assert queue_files(inst, "incoming") == []


def test_ids_from_standard_input(instance):
    inst = prepared(instance)
    ids = [new_queue_file(inst, "deferred", ["sent@example.com"]) for _ in range(3)]
    kept = new_queue_file(inst, "deferred", ["sent@example.com"])
    text = f"{ids[0]}\n  {ids[1]}\r\n\n{ids[2]}"
    result = postsuper(inst, "-d", "-", stdin=text)
    assert result.returncode == 0, result.stderr
    assert "Deleted: 3 messages" in result.stderr
    assert "warning: invalid mail queue id: \n" in result.stderr  # the empty line, as Postfix
    assert queue_files(inst, "deferred") == [kept]


def test_only_root_may_run_it(instance):
    inst = prepared(instance)
    qid = new_queue_file(inst, "deferred", ["sent@example.com"])
    result = postsuper(inst, "-d", "ALL", user="nobody")
    assert result.returncode == 1
    assert "postsuper: fatal: use of this command is reserved for the superuser" in result.stderr
    assert queue_files(inst, "deferred") == [qid]


def test_usage_errors(instance):
    inst = prepared(instance)
    result = postsuper(inst, "-x")
    assert result.returncode == 1  # Postfix 3.7's postsuper exits 1 here too
    assert "invalid option -- 'x'" in result.stderr
    assert "postsuper: fatal: usage: postsuper" in result.stderr
    result = postsuper(inst, "-d")
    assert result.returncode == 1 and "option requires an argument -- 'd'" in result.stderr
    result = postsuper(inst, "-d", "ALL", "nosuch")
    assert result.returncode == 1 and "postsuper: fatal: invalid directory name: nosuch" in result.stderr
    result = postsuper(inst, "-e", "ALL")
    assert result.returncode == 1 and "not available in tern" in result.stderr


def test_hold_is_not_delivered_until_released(instance, build):
    inst = start(instance, build)
    # Due only next year: nothing but postsuper -H can make it due now.
    qid = new_queue_file(inst, "deferred", ["sent@example.com"], mtime=FUTURE)
    result = postsuper(inst, "-h", qid)
    assert result.returncode == 0, result.stderr
    assert f"postsuper: {qid}: placed on hold" in result.stderr
    assert "Placed on hold: 1 message" in result.stderr
    assert queue_files(inst, "hold") == [qid]
    assert re.search(rf"(?m)^{qid}!\s", mailq(inst)), mailq(inst)
    flush(inst)  # a flush never takes held mail
    marker = submit(inst, ["sent@example.com"])
    inst.wait_for_log(rf"{marker}: removed")
    assert queue_files(inst, "hold") == [qid]
    assert not re.search(rf"{qid}: to=", inst.log_text())

    result = postsuper(inst, "-H", qid)
    assert result.returncode == 0, result.stderr
    assert "Released from hold: 1 message" in result.stderr
    inst.wait_for_log(rf"tern/postsuper\[\d+\]: {qid}: released from hold")
    inst.wait_for_log(rf"{qid}: to=<sent@example\.com>.*status=sent")
    inst.wait_for_log(rf"tern/qmgr\[\d+\]: {qid}: removed")
    assert queue_files(inst, "hold") == [] and queue_files(inst, "deferred") == []


def test_hold_of_active_mail_is_left_in_hold(instance, build):
    """qmgr owns active/ while it runs; postsuper takes the file anyway, as Postfix."""
    inst = start(instance, build)
    qid = submit(inst, ["slow@example.com", "defer@example.com"])  # slow@: the request takes 2 s
    inst.wait_for(lambda: agent_holds(inst.queue_dir / "active" / qid), what="the agent to open active/ID")
    result = postsuper(inst, "-h", qid)
    assert result.returncode == 0, result.stderr
    assert "Placed on hold: 1 message" in result.stderr
    inst.wait_for_log(rf"{qid}: to=<slow@example\.com>.*status=sent", timeout=20)
    inst.wait_for_log(rf"tern/qmgr\[\d+\]: .*active/{qid}: No such file")  # qmgr finds it gone
    assert queue_files(inst, "hold") == [qid]
    assert qid not in queue_files(inst, "deferred")
    result = postsuper(inst, "-H", qid)
    assert result.returncode == 0, result.stderr
    deferrals = rf"{qid}: to=<defer@example\.com>.*status=deferred"
    inst.wait_for(lambda: len(re.findall(deferrals, inst.log_text())) == 2, what="the second try after -H")
    assert len(re.findall(rf"{qid}: to=<slow@example\.com>", inst.log_text())) == 1


def test_requeue_goes_through_cleanup_again(instance, build):
    inst = start(instance, build)
    qid = submit(inst, ["sent@example.com", "defer@example.com"])
    inst.wait_for(lambda: qid in queue_files(inst, "deferred"), what="the message in deferred/")
    assert qid in queue_files(inst, "defer")
    result = postsuper(inst, "-r", qid)
    assert result.returncode == 0, result.stderr
    assert f"postsuper: {qid}: requeued" in result.stderr
    assert "Requeued: 1 message" in result.stderr
    found = inst.wait_for(lambda: re.search(r"tern/pickup\[\d+\]: (\w+): uid=\d+ from=<a@example\.org>",
                                            inst.log_text()), what="pickup to take the requeued file")
    new_id = found.group(1)
    assert new_id != qid
    inst.wait_for_log(rf"{new_id}: to=<defer@example\.com>.*status=deferred")
    inst.wait_for(lambda: new_id in queue_files(inst, "deferred"), what="the new message in deferred/")
    # The recipient delivered before is not delivered again.
    assert len(re.findall(r"to=<sent@example\.com>", inst.log_text())) == 1
    assert qid not in queue_files(inst, "deferred") + queue_files(inst, "maildrop") + queue_files(inst, "defer")
