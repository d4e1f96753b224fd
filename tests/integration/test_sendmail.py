r"""tests/integration/test_sendmail.py - sendmail(1) and postdrop(1) into maildrop/

Each test makes an instance (master is never started: sendmail must work
while the daemons are down), copies sendmail and postdrop into
INSTANCE/bin (postdrop chgrp terndrop, mode 2755, as `make install` must
install it), points command_directory there, runs `tern check` to make
the queue folders, and reads what lands in maildrop/ with queue_file.py.
"""

import os
import pwd
import grp
import shutil
import stat
import subprocess

import pytest

from queue_file import parse_queue_file, read_queue_file

EX_USAGE, EX_DATAERR, EX_NOUSER, EX_UNAVAILABLE, EX_CONFIG, EX_NOPERM = 64, 65, 67, 69, 78, 77


class Drop:
    def __init__(self, instance):
        self.instance = instance
        self.bin = instance.root / "bin"
        self.bin.mkdir(mode=0o755)
        build = instance.build / "tools"
        self.sendmail = self.bin / "sendmail"
        self.postdrop = self.bin / "postdrop"
        shutil.copy(build / "sendmail" / "sendmail", self.sendmail)
        shutil.copy(build / "postdrop" / "postdrop", self.postdrop)
        os.chown(self.postdrop, 0, grp.getgrnam("terndrop").gr_gid)
        os.chmod(self.postdrop, 0o2755)
        (self.bin / "mailq").symlink_to("sendmail")
        (self.bin / "newaliases").symlink_to("sendmail")
        instance.set_main_cf(command_directory=str(self.bin))
        instance.tern("check")
        self.maildrop = instance.queue_dir / "maildrop"

    def run(self, *args, data=b"", user=None, program=None):
        argv = [str(program or self.sendmail), *args]
        if user:
            argv = ["runuser", "-u", user, "--", *argv]
        env = dict(os.environ, MAIL_CONFIG=str(self.instance.config_dir))
        return subprocess.run(argv, input=data, capture_output=True, env=env, cwd=self.instance.root,
                              timeout=30)

    def files(self):
        return sorted(os.listdir(self.maildrop))

    def only_file(self):
        names = self.files()
        assert len(names) == 1, names
        assert names[0].isalnum(), names
        return self.maildrop / names[0]


@pytest.fixture
def drop(instance):
    return Drop(instance)


def sanitized_build(drop):
    """LeakSanitizer dies in a setgid (non-dumpable) process: skip those runs there."""
    return b"__asan_init" in drop.postdrop.read_bytes()


def test_submit_envelope_and_content(drop):
    body = b"Subject: hi\n\nline1\r\n..two dots\n\xff 8-bit \x00 nul\n.\nnot read\n"
    r = drop.run("-f", "<s@example.com>", "-F", "Full Name", "-oi", "-i", "-N", "success,delay", "-R", "hdrs",
                 "-V", "env-1", "-B", "8BITMIME", "a@x.example", "b@y.example, C <c@z.example>",
                 data=body.replace(b".\nnot read\n", b""))
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"" and r.stderr == b""
    q = read_queue_file(drop.only_file())
    assert q.sender == "s@example.com"
    assert [x.address for x in q.recipients] == ["a@x.example", "b@y.example", "c@z.example"]
    assert all(x.status == "T" and x.notify == 2 | 8 for x in q.recipients)
    assert q.envid == "env-1" and q.ret == "HDRS"
    assert q.attributes == {"rewrite_context": "local", "submit_user": "root", "full_name": "Full Name",
                            "body_type": "8BITMIME", "submit_uid": "0"}
    assert q.content == b"Subject: hi\r\n\r\nline1\r\n..two dots\r\n\xff 8-bit \x00 nul\r\n"


def test_dot_line_ends_input_unless_i(drop):
    r = drop.run("r@x.example", data=b"a\n.\nafter\n")
    assert r.returncode == 0, r.stderr
    q = read_queue_file(drop.only_file())
    assert q.content == b"a\r\n"
    assert q.sender == "root"
    os.unlink(drop.only_file())
    r = drop.run("-i", "r@x.example", data=b"a\n.\nafter")
    assert r.returncode == 0, r.stderr
    assert read_queue_file(drop.only_file()).content == b"a\r\n.\r\nafter\r\n"


def test_t_takes_header_recipients_and_removes_bcc(drop):
    msg = (b"From: me@x.example\nTo: A <a@x.example>,\n\tb@x.example\nCc: team: c@x.example;\n"
           b"Bcc: hidden@x.example,\n  (comment) other@x.example\nSubject: t\n\nTo: body@x.example\n")
    r = drop.run("-t", "extra@x.example", data=msg)
    assert r.returncode == 0, r.stderr
    q = read_queue_file(drop.only_file())
    assert [x.address for x in q.recipients] == [
        "extra@x.example", "a@x.example", "b@x.example", "c@x.example", "hidden@x.example", "other@x.example"]
    assert q.content == (b"From: me@x.example\r\nTo: A <a@x.example>,\r\n\tb@x.example\r\n"
                         b"Cc: team: c@x.example;\r\nSubject: t\r\n\r\nTo: body@x.example\r\n")


def test_usage_errors_and_unavailable_modes(drop):
    r = drop.run("-k", "a@x.example")
    assert r.returncode == EX_USAGE and b"usage: sendmail" in r.stderr
    r = drop.run(data=b"x\n")
    assert r.returncode == EX_USAGE
    assert r.stderr == b"sendmail: fatal: no recipients specified\n"
    r = drop.run("-t", data=b"Subject: none\n\nbody\n")
    assert r.returncode == EX_DATAERR and b"no recipients" in r.stderr
    r = drop.run("-bd")  # -bs works now: see the -bs tests below
    assert r.returncode == EX_UNAVAILABLE
    assert r.stderr == b'sendmail: fatal: -bd: not supported; use "tern start"\n'
    for args, program in ((["-bp"], None), (["-q"], None), (["-bi"], None), ([], drop.bin / "mailq"),
                          ([], drop.bin / "newaliases")):
        r = drop.run(*args, program=program)
        assert r.returncode == EX_UNAVAILABLE, (args, program, r.stderr)
        assert b"not available" in r.stderr
    assert drop.files() == []


def test_message_size_limit(drop):
    drop.instance.set_main_cf(message_size_limit="1000")
    r = drop.run("r@x.example", data=b"x" * 2000 + b"\n")
    assert r.returncode == EX_DATAERR and b"message_size_limit" in r.stderr
    r = drop.run("r@x.example", data=b"x" * 900 + b"\n")
    assert r.returncode == 0, r.stderr
    assert len(drop.files()) == 1


def test_postdrop_refuses_bad_streams(drop):
    r = drop.run(data=b"garbage that is no queue file", program=drop.postdrop)
    assert r.returncode == EX_DATAERR and b"postdrop: fatal: bad message stream" in r.stderr
    assert drop.run("r@x.example", data=b"hello\n").returncode == 0
    good = drop.only_file().read_bytes()
    os.unlink(drop.only_file())
    for cut in (0, 5, len(good) // 2, len(good) - 1):
        r = drop.run(data=good[:cut], program=drop.postdrop)
        assert r.returncode == EX_DATAERR, (cut, r.stderr)
    r = drop.run("extra-argument", data=good, program=drop.postdrop)
    assert r.returncode == EX_USAGE
    assert drop.files() == []
    r = drop.run(data=good, program=drop.postdrop)
    assert r.returncode == 0 and r.stdout == b"" and r.stderr == b""
    assert parse_queue_file(drop.only_file().read_bytes()).content == b"hello\r\n"


def test_unprivileged_user_submits_through_setgid_postdrop(drop):
    if sanitized_build(drop):
        pytest.skip("setgid runs do not work in a sanitizer build")
    nobody = pwd.getpwnam("nobody")
    r = drop.run("-f", "forged@x.example", "r@x.example", data=b"Subject: u\n\nhi\n", user="nobody")
    assert r.returncode == 0, r.stderr
    path = drop.only_file()
    st = os.lstat(path)
    assert stat.S_ISREG(st.st_mode)
    assert st.st_uid == nobody.pw_uid
    assert st.st_mode & 0o7777 == 0o644
    q = read_queue_file(path)
    assert q.attributes["submit_uid"] == str(nobody.pw_uid)
    assert q.attributes["submit_user"] == "nobody"
    assert q.sender == "forged@x.example"
    assert q.content == b"Subject: u\r\n\r\nhi\r\n"


def test_postdrop_without_setgid_refuses_unprivileged_user(drop):
    plain = drop.bin / "postdrop-plain"
    shutil.copy(drop.postdrop, plain)
    os.chmod(plain, 0o755)
    r = drop.run(data=b"", user="nobody", program=plain)
    assert r.returncode == EX_NOPERM, r.stderr
    assert b"not running with effective group terndrop" in r.stderr


def test_postdrop_refuses_untrusted_config_from_user(drop, tmp_path):
    if sanitized_build(drop):
        pytest.skip("setgid runs do not work in a sanitizer build")
    own = drop.instance.root / "userconf"
    shutil.copytree(drop.instance.config_dir, own)
    os.chown(own, pwd.getpwnam("nobody").pw_uid, 0)
    r = drop.run("-c", str(own), data=b"", user="nobody", program=drop.postdrop)
    assert r.returncode == EX_NOPERM, r.stderr
    assert drop.files() == []


def test_maildrop_symlink_is_refused(drop):
    real = drop.instance.queue_dir / "maildrop.real"
    drop.maildrop.rename(real)
    drop.maildrop.symlink_to(real)
    r = drop.run("r@x.example", data=b"x\n")
    assert r.returncode == EX_CONFIG, r.stderr
    assert b"maildrop: not a directory owned by tern:terndrop" in r.stderr
    assert os.listdir(real) == []


# ---- sendmail -bs ---------------------------------------------------------------

def test_bs_conversation_queues_the_message_byte_exact(drop):
    conversation = (b"EHLO client.example\r\n"
                    b"MAIL FROM:<s@example.com> RET=HDRS ENVID=env+2B1\r\n"
                    b"RCPT TO:<a@x.example> NOTIFY=SUCCESS ORCPT=rfc822;A@x.example\r\n"
                    b"RCPT TO:<b@y.example>\r\n"
                    b"DATA\r\n"
                    b"Subject: bs\r\n\r\n..leading dot\r\n.\xff 8-bit\r\n\r\n.\r\n"
                    b"MAIL FROM:<>\r\nRCPT TO:<c@z.example>\r\nDATA\r\nsecond\r\n.\r\n"
                    b"QUIT\r\n")
    r = drop.run("-bs", "-F", "Full Name", data=conversation)
    assert r.returncode == 0, r.stderr
    replies = r.stdout.decode().split("\r\n")
    assert replies[0].startswith("220 ") and replies[0].endswith(" ESMTP tern")
    assert "250-PIPELINING" in replies and "250 SMTPUTF8" in replies
    tail = replies[replies.index("250 SMTPUTF8") + 1:]
    assert tail == ["250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>",
                    "250 2.0.0 Ok: queued", "250 2.1.0 Ok", "250 2.1.5 Ok",
                    "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued", "221 2.0.0 Bye", ""]
    files = [read_queue_file(drop.maildrop / name) for name in drop.files()]
    assert len(files) == 2
    first = next(q for q in files if q.sender == "s@example.com")
    second = next(q for q in files if q.sender == "")
    assert first.content == b"Subject: bs\r\n\r\n.leading dot\r\n\xff 8-bit\r\n\r\n"  # one dot removed
    assert first.envid == "env+1" and first.ret == "HDRS"
    assert [(x.address, x.orcpt, x.notify) for x in first.recipients] == [
        ("a@x.example", "rfc822;A@x.example", 2), ("b@y.example", "", 0)]
    assert first.attributes == {"rewrite_context": "local", "submit_user": "root", "full_name": "Full Name",
                                "submit_uid": "0"}
    assert second.content == b"second\r\n"
    assert [x.address for x in second.recipients] == ["c@z.example"]


def test_bs_takes_lf_input_and_refuses_out_of_order_commands(drop):
    r = drop.run("-bs", "-N", "failure", data=b"HELO me\nRCPT TO:<a@x>\nMAIL FROM:<s@x>\nDATA\n"
                                            b"RCPT TO:<a@x.example>\nDATA\nhi\n.\n")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().split("\r\n")
    assert lines[0].startswith("220 ") and lines[1].startswith("250 ")
    assert lines[2:] == ["503 5.5.1 Error: need MAIL command", "250 2.1.0 Ok",
                         "554 5.5.1 Error: no valid recipients", "250 2.1.5 Ok",
                         "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued", ""]
    q = read_queue_file(drop.only_file())
    assert q.content == b"hi\r\n"
    assert [(x.address, x.notify) for x in q.recipients] == [("a@x.example", 4)]


def test_bs_failed_postdrop_gives_451_and_nothing_is_queued(drop):
    drop.postdrop.unlink()
    r = drop.run("-bs", data=b"MAIL FROM:<s@x>\r\nRCPT TO:<a@x.example>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n")
    assert r.returncode == 0
    assert b"451 4.3.0 Error: queue file write error\r\n221 2.0.0 Bye\r\n" in r.stdout
    assert b"postdrop" in r.stderr and b"not available" in r.stderr
    assert drop.files() == []


def test_bp_q_bi_run_postqueue_and_postalias(drop):
    """-bp and mailq list the queue, -q asks qmgr to flush, -bi and newaliases build aliases."""
    for tool in ("postqueue", "postalias"):
        shutil.copy(drop.instance.build / "tools" / tool / tool, drop.bin / tool)
    aliases = drop.instance.root / "aliases"
    aliases.write_text("postmaster: root\nabuse: root\n")
    drop.instance.set_main_cf(alias_database=f"hash:{aliases}", alias_maps=f"hash:{aliases}")
    drop.instance.write_master_cf("showq unix n - n - - showq\n")
    drop.instance.start()
    for args, program in ((["-bp"], None), ([], drop.bin / "mailq")):
        r = drop.run(*args, program=program)
        assert (r.returncode, r.stdout) == (0, b"Mail queue is empty\n"), r.stderr
    r = drop.run("-q")  # no qmgr yet: Postfix's words and EX_UNAVAILABLE
    assert r.returncode == 69, r.stderr
    assert b"Cannot flush mail queue - mail system is down" in r.stderr
    for args, program in ((["-bi"], None), ([], drop.bin / "newaliases")):
        (drop.instance.root / "aliases.db").unlink(missing_ok=True)
        r = drop.run(*args, program=program)
        assert r.returncode == 0, r.stderr
        assert (drop.instance.root / "aliases.db").is_file()
    q = subprocess.run([str(drop.bin / "postalias"), "-c", str(drop.instance.config_dir), "-q", "abuse",
                        f"hash:{aliases}"], capture_output=True, text=True, timeout=30)
    assert q.stdout == "root\n", q.stderr
