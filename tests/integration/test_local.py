r"""tests/integration/test_local.py - local(8) driven without qmgr, checked in mailboxes and files

Starts an instance whose master.cf runs local (and cleanup, for forwarded
mail), creates throw-away Unix users (useradd, removed afterwards; names
unique per run), writes queue files into active/ (delivery_client.py) and
sends the requests qmgr would send over private/local. Checks what a user
sees: Maildir and spool mbox files with their owner and header lines, files
and commands named in aliases, :include:, .forward (used, and ignored when
world-writable), extension addresses, alias and Delivered-To loops, command
exit codes and the time limit, and the unknown-user bounce.
"""

import os
import pwd
import random
import re
import subprocess
import time

import pytest

from active_delivery import deliver_from_active

CONTENT = b"Subject: hello\r\nFrom: a@example.org\r\n\r\nFrom the start\r\nbody \xe9\r\n"


class Users:
    """Throw-away accounts ternlocal<run><n> with homes under the instance root."""

    def __init__(self, root):
        self.root = root
        self.run = "".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(4))
        self.names = []

    def add(self):
        name = f"ternl{self.run}{len(self.names)}"
        home = self.root / "home" / name
        home.mkdir(parents=True)
        subprocess.run(["useradd", "-M", "-d", str(home), "-s", "/bin/sh", name], check=True,
                       capture_output=True)
        self.names.append(name)
        pw = pwd.getpwnam(name)
        os.chown(home, pw.pw_uid, pw.pw_gid)
        return pw

    def remove_all(self):
        for name in self.names:
            subprocess.run(["userdel", name], capture_output=True)


@pytest.fixture
def users(instance):
    u = Users(instance.root)
    yield u
    u.remove_all()


def setup_local(inst, aliases="", **settings):
    spool = inst.root / "spool"
    spool.mkdir(exist_ok=True)
    os.chmod(spool, 0o1777)
    alias_file = inst.root / "aliases"
    # texthash: is postmap(1) format: "name value", no colon.
    alias_file.write_text("".join(line.replace(":", " ", 1) + "\n" for line in aliases.splitlines()))
    inst.write_master_cf("local unix - n n - - local\ncleanup unix n - n - 0 cleanup\n")
    base = dict(myhostname="mx.example.org", mydomain="example.org", myorigin="example.org",
                mydestination="example.org, localhost", alias_maps=f"texthash:{alias_file}",
                mail_spool_directory=str(spool), recipient_delimiter="+",
                allow_mail_to_commands="alias, forward, include",
                allow_mail_to_files="alias, forward, include")
    base.update(settings)
    inst.set_main_cf(**base)
    inst.start()
    inst.wait_for(lambda: (inst.queue_dir / "private" / "local").exists(), what="private/local")
    inst.spool = spool
    return inst


def send(inst, recipients, sender="a@example.org", content=CONTENT):
    return deliver_from_active(inst, "local", "example.org", recipients, sender, content, timeout=60)


def maildir_messages(folder):
    new = folder / "new"
    return [p.read_bytes() for p in sorted(new.iterdir())] if new.is_dir() else []


def test_maildir_delivery_with_extension(instance, users):
    joe = users.add()
    inst = setup_local(instance, home_mailbox="Maildir/")
    qid, reply = send(inst, [f"{joe.pw_name}+news@example.org"])
    assert reply["status"] == "0"
    assert reply["rcpt_0_status"] == "sent", reply
    msgs = maildir_messages(__import__("pathlib").Path(joe.pw_dir) / "Maildir")
    assert len(msgs) == 1
    assert msgs[0].startswith(b"Return-Path: <a@example.org>\nX-Original-To: ")
    assert f"Delivered-To: {joe.pw_name}+news@example.org\n".encode() in msgs[0]
    assert b"\r\n" not in msgs[0]
    st = os.stat(__import__("pathlib").Path(joe.pw_dir) / "Maildir" / "new")
    assert st.st_uid == joe.pw_uid
    inst.wait_for_log(rf"{qid}: to=<{joe.pw_name}\+news@example.org>, relay=local, .*status=sent "
                      r"\(delivered to maildir\)")


def test_spool_mbox_owned_by_user(instance, users):
    joe = users.add()
    inst = setup_local(instance)
    _, reply = send(inst, [f"{joe.pw_name}@example.org"], sender="")
    assert reply["rcpt_0_status"] == "sent", reply
    mbox = inst.spool / joe.pw_name
    text = mbox.read_bytes()
    assert text.startswith(b"From MAILER-DAEMON  ")
    assert b"\n>From the start\n" in text
    assert text.endswith(b"\n\n")
    assert os.stat(mbox).st_uid == joe.pw_uid


def test_unknown_user_bounces(instance, users):
    inst = setup_local(instance)
    qid, reply = send(inst, ["nobody-here-xyz@example.org"])
    assert reply["rcpt_0_status"] == "bounced"
    assert reply["rcpt_0_dsn"] == "5.1.1"
    assert reply["rcpt_0_reason"] == 'unknown user: "nobody-here-xyz"'


def test_alias_forms_file_command_include_and_self(instance, users):
    joe = users.add()
    out = instance.root / "out"
    out.mkdir(mode=0o777)
    os.chmod(out, 0o777)
    include = instance.root / "staff.list"
    include.write_text(f"# staff\n{out}/from-include\n")
    aliases = (f"tofile: {out}/file.mbox\n"
               f"tocmd: \"|cat > {out}/cmd.out; env > {out}/cmd.env\"\n"
               f"staff: :include:{include}\n"
               f"{joe.pw_name}: {joe.pw_name}, {out}/copy\n")
    inst = setup_local(instance, aliases=aliases)
    for rcpt in ("tofile", "tocmd", "staff", joe.pw_name):
        _, reply = send(inst, [f"{rcpt}@example.org"])
        assert reply["rcpt_0_status"] == "sent", (rcpt, reply)
    assert b"Delivered-To: tofile@example.org\n" in (out / "file.mbox").read_bytes()
    env = (out / "cmd.env").read_text()
    assert "RECIPIENT=tocmd@example.org" in env and "SENDER=a@example.org" in env
    assert (out / "cmd.out").read_bytes().startswith(b"From a@example.org  ")
    nobody = pwd.getpwnam("nobody")
    assert os.stat(out / "cmd.out").st_uid == nobody.pw_uid   # default_privs
    assert (out / "from-include").exists()
    assert (inst.spool / joe.pw_name).exists()                 # "joe: joe" delivers to joe
    assert (out / "copy").exists()


def test_forward_used_and_ignored_when_world_writable(instance, users):
    joe = users.add()
    out = instance.root / "out"
    out.mkdir()
    os.chmod(out, 0o777)
    fwd = __import__("pathlib").Path(joe.pw_dir) / ".forward"
    fwd.write_text(f"\\{joe.pw_name}, {out}/fwd.mbox\n")
    os.chown(fwd, joe.pw_uid, joe.pw_gid)
    os.chmod(fwd, 0o644)
    inst = setup_local(instance)
    _, reply = send(inst, [f"{joe.pw_name}@example.org"])
    assert reply["rcpt_0_status"] == "sent", reply
    assert os.stat(out / "fwd.mbox").st_uid == joe.pw_uid
    assert (inst.spool / joe.pw_name).exists()
    os.unlink(out / "fwd.mbox")
    os.chmod(fwd, 0o666)
    _, reply = send(inst, [f"{joe.pw_name}@example.org"])
    assert reply["rcpt_0_status"] == "sent", reply
    assert not (out / "fwd.mbox").exists()
    inst.wait_for_log(r"warning: file .*\.forward is world writable: ignoring it")


def test_delivered_to_loop_bounces(instance, users):
    joe = users.add()
    inst = setup_local(instance)
    content = f"Delivered-To: {joe.pw_name}@example.org\r\nSubject: x\r\n\r\nbody\r\n".encode()
    _, reply = send(inst, [f"{joe.pw_name}@example.org"], content=content)
    assert reply["rcpt_0_status"] == "bounced"
    assert reply["rcpt_0_dsn"] == "5.4.6"
    assert reply["rcpt_0_reason"] == f"mail forwarding loop for {joe.pw_name}@example.org"


def test_alias_loop_ends(instance, users):
    inst = setup_local(instance, aliases="loopa: loopb\nloopb: loopa\n")
    _, reply = send(inst, ["loopa@example.org"])
    assert reply["rcpt_0_status"] == "bounced", reply
    assert reply["rcpt_0_dsn"] == "5.4.6" or "unknown user" in reply["rcpt_0_reason"]


@pytest.mark.parametrize("code,status,dsn", [(0, "sent", "2.0.0"), (75, "deferred", "4.3.0"),
                                             (67, "bounced", "5.1.1"), (3, "bounced", "5.3.0")])
def test_command_exit_codes(instance, users, code, status, dsn):
    inst = setup_local(instance, aliases=f"prog: \"|echo oops; exit {code}\"\n")
    _, reply = send(inst, ["prog@example.org"])
    assert reply["rcpt_0_status"] == status
    assert reply["rcpt_0_dsn"] == dsn
    if code:
        assert reply["rcpt_0_reason"].endswith("Command output: oops")


def test_command_time_limit(instance, users):
    inst = setup_local(instance, aliases="slow: \"|sleep 60\"\n", command_time_limit="2s")
    start = time.time()
    _, reply = send(inst, ["slow@example.org"])
    assert time.time() - start < 30
    assert reply["rcpt_0_status"] == "bounced"
    assert reply["rcpt_0_dsn"] == "5.3.0"
    assert reply["rcpt_0_reason"].startswith("Command time limit exceeded")


def test_command_restricted(instance, users):
    inst = setup_local(instance, aliases="prog: \"|true\"\n", allow_mail_to_commands="forward")
    _, reply = send(inst, ["prog@example.org"])
    assert reply["rcpt_0_status"] == "bounced"
    assert reply["rcpt_0_reason"] == "mail to command is restricted"


def test_postalias_hash_table(instance, users, build):
    joe = users.add()
    alias_file = instance.root / "aliases.src"
    alias_file.write_text(f"boss: {joe.pw_name}\n")
    subprocess.run([str(build / "tools" / "postalias" / "postalias"), "-c", str(instance.config_dir),
                    f"hash:{alias_file}"], check=True, capture_output=True)
    inst = setup_local(instance, alias_maps=f"hash:{alias_file}", home_mailbox="Mailbox")
    _, reply = send(inst, ["Boss@example.org"])
    assert reply["rcpt_0_status"] == "sent", reply
    text = (__import__("pathlib").Path(joe.pw_dir) / "Mailbox").read_bytes()
    assert b"X-Original-To: Boss@example.org\n" in text
    assert b"Delivered-To: Boss@example.org\n" in text


def test_remote_alias_is_forwarded_through_cleanup(instance, users):
    inst = setup_local(instance, aliases="ext: friend@remote.example\nowner-ext: postmaster\n")
    qid, reply = send(inst, ["ext@example.org"])
    assert reply["rcpt_0_status"] == "sent", reply
    match = re.match(r"forwarded as (\w+)$", reply["rcpt_0_reason"])
    assert match, reply
    new_id = match.group(1)
    incoming = inst.queue_dir / "incoming" / new_id
    inst.wait_for(incoming.exists, what="the forwarded message in incoming/")
    data = incoming.read_bytes()
    assert b"friend@remote.example" in data
    assert b"owner-ext@example.org" in data          # the owner- alias is the new sender
    assert b"Delivered-To: ext@example.org\r\n" in data
