"""postconf: print, edit and list the configuration of a throw-away instance.

Runs $TERN_BUILD/tools/postconf/postconf with -c on temporary directories;
no daemons are needed. Where Postfix's own /usr/sbin/postconf is installed,
the same commands on the same files must print the same lines.
"""
import os
import shutil
import subprocess

import pytest

BUILD = os.environ.get("TERN_BUILD", os.path.join(os.path.dirname(__file__), "..", ".."))
SRC = os.environ.get("TERN_SRC", os.path.join(os.path.dirname(__file__), "..", ".."))
POSTCONF = os.path.join(BUILD, "tools", "postconf", "postconf")
POSTFIX_POSTCONF = "/usr/sbin/postconf"

MAIN_CF = """\
# a comment
myhostname = mx.example.com
mydestination = $myhostname,
    localhost
relayhost =
my_nets = 10.0.0.0/8
mynetworks = 127.0.0.0/8 $my_nets
unused_thing = 1
smtp_destination_concurrency_limit = 3
"""


def run(conf_dir, *args, env=None):
    return subprocess.run([POSTCONF, "-c", str(conf_dir), *args], capture_output=True, text=True,
                          timeout=30, env=env)


@pytest.fixture
def conf(tmp_path):
    (tmp_path / "main.cf").write_text(MAIN_CF)
    shutil.copy(os.path.join(SRC, "tests", "data", "postfix-3.7-master.cf"), tmp_path / "master.cf")
    return tmp_path


def test_non_default_parameters_sorted(conf):
    r = run(conf, "-n")
    assert r.returncode == 0
    assert r.stdout.splitlines() == [
        f"config_directory = {conf}",
        "my_nets = 10.0.0.0/8",
        "mydestination = $myhostname, localhost",
        "myhostname = mx.example.com",
        "mynetworks = 127.0.0.0/8 $my_nets",
        "relayhost =",
        "smtp_destination_concurrency_limit = 3",
    ]
    assert f"postconf: warning: {conf}/main.cf: unused parameter: unused_thing=1" in r.stderr


def test_named_values_expanded_and_bare(conf):
    r = run(conf, "-x", "mydestination", "myorigin", "mynetworks", "smtpd_banner")
    assert r.stdout.splitlines() == [
        "mydestination = mx.example.com, localhost",
        "myorigin = mx.example.com",
        "mynetworks = 127.0.0.0/8 10.0.0.0/8",
        "smtpd_banner = mx.example.com ESMTP tern",
    ]
    assert run(conf, "-h", "myorigin", "relayhost").stdout == "$myhostname\n\n"


def test_defaults(conf):
    r = run(conf, "-d", "myorigin", "syslog_name", "queue_directory", "message_size_limit", "smtpd_forbid_bare_newline")
    assert r.stdout.splitlines() == [
        "myorigin = $myhostname",
        "syslog_name = tern",
        "queue_directory = /var/spool/tern",
        "message_size_limit = 10240000",
        "smtpd_forbid_bare_newline = yes",
    ]


def test_unknown_parameter_warns(conf):
    r = run(conf, "no_such_parameter")
    assert r.returncode == 0
    assert r.stdout == ""
    assert "postconf: warning: no_such_parameter: unknown parameter" in r.stderr


def test_all_parameters_sorted(conf):
    r = run(conf)
    names = [line.split(" =")[0] for line in r.stdout.splitlines()]
    assert names == sorted(names)
    assert len(names) > 300
    assert "myhostname = mx.example.com" in r.stdout.splitlines()


def test_edit_replaces_appends_and_keeps_comments(conf):
    os.chmod(conf / "main.cf", 0o640)
    r = run(conf, "-e", "mydestination=$myhostname", "relayhost = [smtp.example.net]:587", "new_one=")
    assert r.returncode == 0, r.stderr
    text = (conf / "main.cf").read_text()
    assert text == MAIN_CF.replace("mydestination = $myhostname,\n    localhost\n", "mydestination = $myhostname\n") \
        .replace("relayhost =\n", "relayhost = [smtp.example.net]:587\n") + "new_one = \n"
    assert os.stat(conf / "main.cf").st_mode & 0o777 == 0o640
    assert [p.name for p in conf.iterdir() if p.name.startswith("main.cf.")] == []
    r = run(conf, "relayhost=plain")  # name=value without -e edits too
    assert "relayhost = plain\n" in (conf / "main.cf").read_text()


def test_exclude_removes_every_entry(conf):
    r = run(conf, "-X", "mydestination", "unused_thing", "not_there")
    assert r.returncode == 0, r.stderr
    text = (conf / "main.cf").read_text()
    assert "mydestination" not in text and "localhost" not in text and "unused_thing" not in text
    assert text.startswith("# a comment\n")


def test_master_cf_columns(conf):
    r = run(conf, "-M", "smtp/inet", "relay", "scalemail-backend", "nosuch")
    assert r.stdout.splitlines() == [
        "smtp       inet  n       -       y       -       -       smtpd",
        "relay      unix  -       -       y       -       -       smtp -o syslog_name=postfix/$service_name",
        "scalemail-backend unix - n       n       -       2       pipe flags=R user=scalemail "
        "argv=/usr/lib/scalemail/bin/scalemail-store ${nexthop} ${user} ${extension}",
    ]
    assert 'postconf: warning: unmatched request: "nosuch"' in r.stderr


def test_errors_and_usage(conf, tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    r = run(empty, "-n")
    assert r.returncode == 1
    assert f"postconf: fatal: open {empty}/main.cf: No such file or directory" in r.stderr
    r = run(conf, "-z")
    assert r.returncode == 1 and "usage: postconf" in r.stderr
    assert run(conf, "-d", "-n").returncode == 1
    r = run(conf, "-e", "novalue")
    assert r.returncode == 1 and "missing '=' after attribute name: \"novalue\"" in r.stderr
    (conf / "main.cf").write_text("a = $b\nb = $a\nmyorigin = $a\n")
    r = run(conf, "-x", "myorigin")
    assert r.returncode == 1 and "macro loop" in r.stderr
    (conf / "main.cf").write_text("myhostname mx\n")
    r = run(conf, "-n")
    assert r.returncode == 1
    assert f"{conf}/main.cf, line 1: missing '=' after attribute name" in r.stderr


def test_mail_config_environment(conf):
    env = dict(os.environ, MAIL_CONFIG=str(conf))
    r = subprocess.run([POSTCONF, "-h", "myhostname"], capture_output=True, text=True, env=env, timeout=30)
    assert r.stdout == "mx.example.com\n"


@pytest.mark.skipif(not os.path.exists(POSTFIX_POSTCONF), reason="Postfix's postconf is not installed")
@pytest.mark.parametrize("args", [["-n"], ["-h", "relayhost", "mydestination"], ["-x", "mynetworks", "mydestination"],
                                  ["-M"], ["-M", "smtp", "relay/unix"], ["-n", "relayhost", "myorigin"]])
def test_same_output_as_postfix(conf, args):
    ours = run(conf, *args)
    theirs = subprocess.run([POSTFIX_POSTCONF, "-c", str(conf), *args], capture_output=True, text=True, timeout=30)
    assert ours.stdout == theirs.stdout
