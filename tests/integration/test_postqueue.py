r"""tests/integration/test_postqueue.py - showq(8) and postqueue(1): mailq, -j, -f

Queue files are written straight into incoming/, hold/, active/, deferred/ and
maildrop/ (the writer below follows lib/mail/queue_file.h) and owned by
mail_owner, as cleanup and postdrop leave them, with defer/ID logs written
as lib/mail/delivery_log.h does; master runs only showq.
The expected mailq text is Postfix 3.7's layout, which
tests/unit/showq_format_test.cpp pins byte for byte against output of
Postfix's own postqueue.
"""

import json
import os
import pwd
import shutil
import struct
import time

from active_delivery import base62
from attr_client import encode
from tern_instance import run_captured

SHOWQ_CF = "showq unix n - n - - showq\n"
ARRIVAL = 1795503126
EX_UNAVAILABLE = 69


def queue_id(seconds, micros, inode):
    return base62(seconds, 6) + base62(micros, 4) + base62(inode)


def record(kind, payload):
    payload = payload.encode() if isinstance(payload, str) else payload
    return kind.encode() + struct.pack(">I", len(payload)) + payload


def queue_file_bytes(sender, recipients, content, arrival=ARRIVAL):
    """recipients: list of (address, done)."""
    body = record("V", "tern-queue-file 1") + record("T", f"{arrival}.000000") + record("F", sender)
    for address, done in recipients:
        body += record("S", "D" if done else "T") + record("R", address)
    body += record("C", content) + record("Q", "000000000000 000000")
    size = len(body) + 5 + 20
    return body + record("X", f"{size:020d}")


def put(instance, queue, qid, sender, recipients, content=b"Subject: x\r\n\r\nbody\r\n"):
    path = instance.queue_dir / queue / qid
    path.write_bytes(queue_file_bytes(sender, recipients, content))
    owner = pwd.getpwnam("tern")
    os.chown(path, owner.pw_uid, owner.pw_gid)
    os.chmod(path, 0o600)
    return qid


def postqueue(instance, *args, name="postqueue"):
    binary = instance.build / "tools" / "postqueue" / "postqueue"
    argv = [binary, "-c", instance.config_dir, *args]
    if name != "postqueue":  # run under another name (mailq) through a symlink
        link = instance.root / name
        if not link.exists():
            link.symlink_to(binary)
        argv[0] = link
    return run_captured(argv, check=False)


def start_showq(instance, chroot="n"):
    instance.write_master_cf(SHOWQ_CF.replace(" n - n ", f" n - {chroot} "))
    instance.start()
    instance.wait_for(lambda: (instance.queue_dir / "public" / "showq").exists(), what="public/showq")


HEADER = "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------\n"


def head_line(qid, mark, size, sender):
    """Postfix's layout for long queue IDs (enable_long_queue_ids = yes)."""
    arrival = time.strftime("%a %b %e %H:%M:%S", time.localtime(ARRIVAL))
    return f"{qid + mark:<17} {size:>8} {arrival} {sender}\n"


def rcpt_lines(*addresses):
    return "".join(" " * 47 + a + "\n" for a in addresses) + "\n"


def test_mailq_lists_incoming_hold_and_active_as_postfix(instance):
    start_showq(instance)
    a = put(instance, "incoming", queue_id(ARRIVAL, 1, 1001), "a@example.com",
            [("b@example.net", False), ("done@example.net", True), ("c@example.net", False)])
    h = put(instance, "hold", queue_id(ARRIVAL, 2, 1002), "", [("d@example.net", False)])
    r = put(instance, "active", queue_id(ARRIVAL, 3, 1003), "e@example.com", [("f@example.net", False)],
            content=b"x" * 3000)
    (instance.queue_dir / "incoming" / "tmp.1.2").write_bytes(b"half a file")
    result = postqueue(instance, "-p")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (
        HEADER + head_line(a, "", 20, "a@example.com") + rcpt_lines("b@example.net", "c@example.net")
        + head_line(r, "*", 3000, "e@example.com") + rcpt_lines("f@example.net")
        + head_line(h, "!", 20, "MAILER-DAEMON") + rcpt_lines("d@example.net")
        + "-- 2 Kbytes in 3 Requests.\n")
    assert postqueue(instance, name="mailq").stdout == result.stdout


def test_chrooted_showq(instance):
    start_showq(instance, chroot="y")
    qid = put(instance, "deferred", queue_id(ARRIVAL, 7, 1007), "a@example.com", [("b@example.net", False)])
    result = postqueue(instance, "-p")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        HEADER + head_line(qid, "", 20, "a@example.com")
        + " " * 58 + "(reason unavailable)\n" + rcpt_lines("b@example.net")
        + "-- 0 Kbytes in 1 Request.\n")


def put_defer_log(instance, qid, records):
    """defer/ID as lib/mail/delivery_log.h writes it: records (recipient, reason), appended in order."""
    folder = instance.queue_dir / "defer"
    folder.mkdir(exist_ok=True)
    data = b"".join(encode([("recipient", rcpt), ("offset", "0"), ("action", "delayed"), ("status", "4.4.1"),
                            ("reason", reason), ("time", ARRIVAL + 60)]) for rcpt, reason in records)
    with open(folder / qid, "ab") as f:
        f.write(data)


def reason_line(reason):
    return " " * max(0, 78 - len(reason) - 2) + f"({reason})\n"


def test_mailq_shows_delay_reasons_from_the_defer_log(instance):
    start_showq(instance, chroot="y")
    refused = "connect to mx.example.net[192.0.2.1]:25: Connection refused"
    qid = put(instance, "deferred", queue_id(ARRIVAL, 8, 1008), "a@example.com",
              [("b@example.net", False), ("c@example.net", False), ("d@example.org", False),
               ("e@example.org", False)])
    put_defer_log(instance, qid, [("b@example.net", "old reason"), ("d@example.org", "host mx.example.org said: 451 4.7.1 "
                                  "greylisted (in reply to RCPT TO command)"),
                                  ("b@example.net", refused), ("c@example.net", refused)])
    # Mail that is not deferred shows no reason even with a defer log (Postfix's showq).
    active = put(instance, "active", queue_id(ARRIVAL, 9, 1009), "a@example.com", [("f@example.net", False)])
    put_defer_log(instance, active, [("f@example.net", "not shown")])
    result = postqueue(instance, "-p")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        HEADER + head_line(active, "*", 20, "a@example.com") + rcpt_lines("f@example.net")
        + head_line(qid, "", 20, "a@example.com")
        + reason_line(refused) + " " * 47 + "b@example.net\n" + " " * 47 + "c@example.net\n"
        + reason_line("host mx.example.org said: 451 4.7.1 greylisted (in reply to RCPT TO command)")
        + " " * 47 + "d@example.org\n"
        + reason_line("reason unavailable") + rcpt_lines("e@example.org")
        + "-- 0 Kbytes in 2 Requests.\n")
    objects = [json.loads(line) for line in postqueue(instance, "-j").stdout.splitlines()]
    assert objects[1]["recipients"] == [
        {"address": "b@example.net", "delay_reason": refused}, {"address": "c@example.net", "delay_reason": refused},
        {"address": "d@example.org",
         "delay_reason": "host mx.example.org said: 451 4.7.1 greylisted (in reply to RCPT TO command)"},
        {"address": "e@example.org"}]
    assert objects[0]["recipients"] == [{"address": "f@example.net"}]


def test_mailq_on_an_empty_queue(instance):
    start_showq(instance)
    result = postqueue(instance, "-p")
    assert (result.returncode, result.stdout, result.stderr) == (0, "Mail queue is empty\n", "")
    json_result = postqueue(instance, "-j")
    assert (json_result.returncode, json_result.stdout) == (0, "")


def test_postqueue_j_is_one_json_object_per_line(instance):
    start_showq(instance)
    qid = put(instance, "incoming", queue_id(ARRIVAL, 4, 1004), "s\u00e9@example.com",
              [("x@example.net", False), ("y@example.net", False)])
    put(instance, "maildrop", queue_id(ARRIVAL, 5, 1005), "", [("z@example.net", False)])
    result = postqueue(instance, "-j")
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["queue_name"] for o in objects] == ["maildrop", "incoming"]
    assert objects[1] == {
        "queue_name": "incoming", "queue_id": qid, "arrival_time": ARRIVAL, "message_size": 20,
        "forced_expire": False, "sender": "s\u00e9@example.com",
        "recipients": [{"address": "x@example.net"}, {"address": "y@example.net"}],
    }
    assert objects[0]["sender"] == ""


def test_many_messages_and_a_stalled_client_do_not_block_others(instance):
    start_showq(instance)
    for n in range(300):
        put(instance, "deferred", queue_id(ARRIVAL, n, 2000 + n), "a@example.com",
            [(f"r{i}@example.net", False) for i in range(20)])
    import socket
    stalled = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stalled.connect(str(instance.queue_dir / "public" / "showq"))  # never reads
    try:
        result = postqueue(instance, "-p")
        assert result.returncode == 0, result.stderr
        assert result.stdout.endswith(" Kbytes in 300 Requests.\n")
        assert result.stdout.count("@example.net\n") == 300 * 20
    finally:
        stalled.close()


def test_mail_system_down_root_reads_the_queue_directly(instance):
    instance.tern("check")
    put(instance, "incoming", queue_id(ARRIVAL, 6, 1006), "a@example.com", [("b@example.net", False)])
    result = postqueue(instance, "-p")
    assert result.returncode == 0
    assert result.stderr.startswith(
        "postqueue: warning: Mail system is down -- accessing queue directly "
        "(Connect to the tern showq service: ")
    assert result.stdout.endswith("-- 0 Kbytes in 1 Request.\n")


def test_flush_without_qmgr_fails_as_postfix(instance):
    start_showq(instance)
    result = postqueue(instance, "-f")
    assert result.returncode == EX_UNAVAILABLE
    assert result.stderr.endswith("postqueue: fatal: Cannot flush mail queue - mail system is down\n")


def test_flush_pokes_qmgr_and_pickup(instance):
    import socket
    instance.tern("check")
    received = {}
    listeners = {}
    for name in ("qmgr", "pickup"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(instance.queue_dir / "public" / name))
        sock.listen(1)
        sock.settimeout(10)
        listeners[name] = sock
    try:
        result = postqueue(instance, "-f")
        assert result.returncode == 0, result.stderr
        for name, sock in listeners.items():
            conn, _ = sock.accept()
            with conn:
                conn.settimeout(10)
                data = b""
                while chunk := conn.recv(16):
                    data += chunk
                received[name] = data
    finally:
        for sock in listeners.values():
            sock.close()
    assert received == {"qmgr": b"FADI", "pickup": b"W"}  # Postfix mail_flush_deferred()


def test_usage_and_unsupported_flush_options(instance):
    instance.tern("check")
    for args in ([], ["-p", "-j"], ["-x"], ["-p", "extra"]):
        result = postqueue(instance, *args)
        assert result.returncode == EX_UNAVAILABLE, args
        assert "postqueue: fatal: usage: postqueue -f | postqueue -i queueid" in result.stderr
    result = postqueue(instance, "-s", "example.com")
    assert result.returncode == EX_UNAVAILABLE
    assert "-s is not available: tern has no fast flush service yet" in result.stderr
    result = postqueue(instance, "-i", "4Xb2kQ1Zz3z9v")  # the instance is not running
    assert result.returncode == EX_UNAVAILABLE
    assert "Cannot flush mail queue - mail system is down" in result.stderr


def run_as_nobody(instance, *args, config_dir=None):
    import subprocess
    nobody = pwd.getpwnam("nobody")

    def drop():
        os.setgid(nobody.pw_gid)
        os.setgroups([])
        os.setuid(nobody.pw_uid)

    # nobody may not reach the build tree (a checkout under a 0700 folder):
    # run a copy from the instance, which every daemon user can reach.
    binary = instance.root / "postqueue-as-nobody"
    if not binary.exists():
        shutil.copy(instance.build / "tools" / "postqueue" / "postqueue", binary)
        os.chmod(binary, 0o755)
    return subprocess.run([str(binary), "-c", str(config_dir or instance.config_dir), *args],
                          capture_output=True, text=True, timeout=30, preexec_fn=drop, cwd="/")


def test_unprivileged_user_gets_postfix_answers_and_no_own_config(instance):
    start_showq(instance)
    refused = run_as_nobody(instance, "-p")  # public/ is mode 0710 mail_owner:setgid_group
    assert refused.returncode == 70
    assert refused.stderr == "postqueue: fatal: Connect to the tern showq service: Permission denied\n"
    own = instance.root / "own-config"
    own.mkdir()
    os.chmod(own, 0o777)
    (own / "main.cf").write_text((instance.config_dir / "main.cf").read_text())
    untrusted = run_as_nobody(instance, "-p", config_dir=own)
    assert untrusted.returncode == 77
    assert "refusing this configuration" in untrusted.stderr
