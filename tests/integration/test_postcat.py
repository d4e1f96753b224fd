r"""tests/integration/test_postcat.py - postcat(1) on a known queue file

A queue file is written byte by byte here (the format of
lib/mail/queue_file.h), so the expected output is fixed: postcat must
print it in Postfix's layout, from a file, from standard input and by
queue ID (-q) from any queue folder; errors exit 1 as Postfix's postcat.
"""

import os
import struct
import subprocess

import pytest

QUEUE_ID = "1xVjby0000123"


def record(kind, payload):
    return kind.encode() + struct.pack(">I", len(payload)) + payload


def known_file():
    body = b"".join([
        record("V", b"tern-queue-file 1"), record("T", b"1700000000.000000"), record("F", b"s@example.com"),
        record("A", b"submit_uid=0"), record("S", b"T"), record("N", b"2"), record("R", b"a@x.example"),
        record("S", b"D"), record("R", b"done@x.example"), record("Q", b"000000000000 000000"),
        record("C", b"Subject: hi\r\nX: y\r\n\r\nbody\r\n.dot\r\n"), record("S", b"T"),
        record("R", b"late@x.example")])
    return body + record("X", b"%020d" % (len(body) + 25))


ENVELOPE = """\
*** ENVELOPE RECORDS {name} ***
message_size:              33             161               3
message_arrival_time: Tue Nov 14 22:13:20 2023
sender: s@example.com
named_attribute: submit_uid=0
dsn_notify_flags: 2
recipient: a@x.example
done_recipient: done@x.example
next_attempt_time: now
delivery_attempts: 0
"""
CONTENTS = "*** MESSAGE CONTENTS {name} ***\n"
HEADER = "Subject: hi\nX: y\n"
BODY = "\nbody\n.dot\n"
TRAILER = """\
*** HEADER EXTRACTED {name} ***
recipient: late@x.example
*** MESSAGE FILE END {name} ***
"""


def full_output(name):
    return (ENVELOPE + CONTENTS + HEADER + BODY + TRAILER).format(name=name)


@pytest.fixture
def postcat(build):
    program = build / "tools" / "postcat" / "postcat"

    def run(*args, data=None, config=None):
        env = dict(os.environ, TZ="UTC")
        if config:
            env["MAIL_CONFIG"] = str(config)
        return subprocess.run([str(program), *map(str, args)], input=data, capture_output=True, env=env,
                              timeout=30)
    return run


def test_file_and_standard_input(postcat, tmp_path):
    path = tmp_path / "qf"
    path.write_bytes(known_file())
    r = postcat(path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == full_output(str(path))
    r = postcat(data=known_file())
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == full_output("standard input")


def test_envelope_header_body_options(postcat, tmp_path):
    path = tmp_path / "qf"
    path.write_bytes(known_file())
    assert postcat("-h", path).stdout.decode() == HEADER
    assert postcat("-b", path).stdout.decode() == BODY
    assert postcat("-hb", path).stdout.decode() == HEADER + BODY
    r = postcat("-e", path)
    assert r.returncode == 0
    assert r.stdout.decode().startswith(ENVELOPE.format(name=str(path)))
    assert "Subject: hi" not in r.stdout.decode()


def test_queue_id_is_found_in_any_queue(postcat, instance):
    instance.tern("check")
    for queue in ("deferred", "maildrop", "corrupt"):
        target = instance.queue_dir / queue / QUEUE_ID
        target.write_bytes(known_file())
        r = postcat("-q", QUEUE_ID, config=instance.config_dir)
        assert r.returncode == 0, r.stderr
        assert r.stdout.decode() == full_output(f"{queue}/{QUEUE_ID}")
        r = postcat("-c", instance.config_dir, "-q", QUEUE_ID)
        assert r.stdout.decode() == full_output(f"{queue}/{QUEUE_ID}")
        target.unlink()


def test_errors_exit_1(postcat, instance, tmp_path):
    instance.tern("check")
    r = postcat("-q", QUEUE_ID, config=instance.config_dir)
    assert r.returncode == 1
    assert r.stderr.decode() == f"postcat: fatal: open queue file {QUEUE_ID}: No such file or directory\n"
    r = postcat("-q", "../../etc/passwd", config=instance.config_dir)
    assert r.returncode == 1 and b"bad queue ID" in r.stderr
    r = postcat("-q", config=instance.config_dir)
    assert r.returncode == 1 and b"usage: postcat" in r.stderr
    r = postcat("-k", tmp_path)
    assert r.returncode == 1 and b"usage: postcat" in r.stderr
    r = postcat(tmp_path / "missing")
    assert r.returncode == 1 and b"No such file or directory" in r.stderr
    bad = tmp_path / "bad"
    bad.write_bytes(known_file()[:-3])
    r = postcat(bad)
    assert r.returncode == 1 and b"postcat: fatal:" in r.stderr and str(bad).encode() in r.stderr
    r = postcat(data=b"")
    assert r.returncode == 1
