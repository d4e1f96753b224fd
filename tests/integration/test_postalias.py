r"""tests/integration/test_postalias.py - postalias(1) and newaliases: aliases(5) to hash: and btree:

Tables built by tern's postalias are read back by tern's postalias -q and
by Postfix's own /usr/sbin/postalias -q (with a throw-away Postfix
configuration directory), and the other way round, so the two are
interchangeable.
"""

import os
import subprocess

from tern_instance import run_captured

ALIASES = (
    "# system aliases\n"
    "Postmaster: root\n"
    "foo: bar, \n"
    "  baz\n"
    "\"Quoted Name\": x\n"
    "nocolon here\n"
    "root: admin@example.com\n"
    "root: second@example.com\n"
    "pipe: \"|/usr/bin/prog arg\" ,  /var/mail/file\n"
)


def postalias(instance, *args):
    binary = instance.build / "tools" / "postalias" / "postalias"
    return run_captured([binary, "-c", instance.config_dir, *args], check=False)


def postfix_postalias(tmp_path, *args):
    config = tmp_path / "postfix-config"
    config.mkdir(exist_ok=True)
    (config / "main.cf").write_text("compatibility_level = 3.6\nmyhostname = mx.example\n")
    return subprocess.run(["/usr/sbin/postalias", "-c", str(config), *args],
                          capture_output=True, text=True, timeout=30)


def test_build_and_query_with_tern_and_postfix(instance, tmp_path):
    instance.set_main_cf(myhostname="mx.example")
    source = tmp_path / "aliases"
    source.write_text(ALIASES)
    built = postalias(instance, f"hash:{source}")
    assert built.returncode == 0, built.stderr
    assert f"postalias: warning: {source}, line 6: need name:value pair" in built.stderr
    assert f"postalias: warning: {source}.db: duplicate entry: \"root\"" in built.stderr
    expected = {"postmaster": "root", "foo": "bar, baz", "quoted name": "x", "root": "admin@example.com",
                "pipe": "\"|/usr/bin/prog arg\", /var/mail/file", "@": "@"}
    for key, value in expected.items():
        ours = postalias(instance, "-q", key.upper() if key != "quoted name" else key, f"hash:{source}")
        assert (ours.returncode, ours.stdout) == (0, value + "\n"), key
        theirs = postfix_postalias(tmp_path, "-q", key, f"hash:{source}")
        assert (theirs.returncode, theirs.stdout) == (0, value + "\n"), (key, theirs.stderr)
    missing = postalias(instance, "-q", "nobody", f"hash:{source}")
    assert (missing.returncode, missing.stdout) == (1, "")
    listed = postalias(instance, "-s", f"hash:{source}")
    expected["YP_MASTER_NAME"] = "mx.example"
    lines = [line for line in listed.stdout.splitlines() if not line.startswith("YP_LAST_MODIFIED:\t")]
    assert sorted(lines) == sorted(f"{k}:\t{v}" for k, v in expected.items())
    assert len(lines) == len(listed.stdout.splitlines()) - 1


def test_same_table_as_postfix_postalias(instance, tmp_path):
    """Both programs build the same aliases file; Postfix's postalias -s
    must list the same entries from either (the build time aside)."""
    instance.set_main_cf(myhostname="mx.example")
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for path in (ours, theirs):
        path.write_text(ALIASES)
    assert postalias(instance, f"hash:{ours}").returncode == 0
    assert postfix_postalias(tmp_path, f"hash:{theirs}").returncode == 0

    def dump(path):
        listed = postfix_postalias(tmp_path, "-s", f"hash:{path}")
        assert listed.returncode == 0, listed.stderr
        return sorted(line for line in listed.stdout.splitlines() if not line.startswith("YP_LAST_MODIFIED:"))

    assert dump(ours) == dump(theirs)


def test_without_nul_and_btree_still_read_by_postfix(instance, tmp_path):
    source = tmp_path / "aliases"
    source.write_text("a: b\n")
    for args in (["-n", f"hash:{source}"], ["-N", f"btree:{source}"]):
        built = postalias(instance, *args)
        assert built.returncode == 0, built.stderr
        kind = args[1].split(":")[0]
        theirs = postfix_postalias(tmp_path, "-q", "a", f"{kind}:{source}")
        assert theirs.stdout == "b\n", theirs.stderr


def test_reads_what_postfix_built(instance, tmp_path):
    source = tmp_path / "aliases"
    source.write_text("Info: someone@example.com,other\n")
    theirs = postfix_postalias(tmp_path, f"hash:{source}")
    assert theirs.returncode == 0, theirs.stderr
    ours = postalias(instance, "-q", "info", f"hash:{source}")
    assert ours.stdout == "someone@example.com, other\n"


def test_no_argument_builds_alias_database_and_replaces_atomically(instance, tmp_path):
    first, second = tmp_path / "aliases1", tmp_path / "aliases2"
    first.write_text("one: a\n")
    second.write_text("two: b\n")
    instance.set_main_cf(alias_database=f"hash:{first}, hash:{second}")
    built = postalias(instance)
    assert built.returncode == 0, built.stderr
    assert postalias(instance, "-q", "one", f"hash:{first}").stdout == "a\n"
    assert postalias(instance, "-q", "two", f"hash:{second}").stdout == "b\n"
    inode = os.stat(f"{first}.db").st_ino
    first.write_text("one: changed\n")
    assert postalias(instance).returncode == 0
    assert os.stat(f"{first}.db").st_ino != inode  # a new file renamed over the old one
    assert postalias(instance, "-q", "one", f"hash:{first}").stdout == "changed\n"
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_errors(instance, tmp_path):
    missing = postalias(instance, f"hash:{tmp_path}/nothing")
    assert missing.returncode == 1
    assert "postalias: fatal: " in missing.stderr
    wrong_type = postalias(instance, f"texthash:{tmp_path}/x")
    assert wrong_type.returncode == 1
    assert "unsupported dictionary type for writing" in wrong_type.stderr
    both = postalias(instance, "-s", "-q", "x", f"hash:{tmp_path}/x")
    assert both.returncode == 1


def test_root_builds_as_the_source_owner_unless_o(instance):
    import pwd
    nobody = pwd.getpwnam("nobody")
    for option, expected_uid in ((None, nobody.pw_uid), ("-o", 0)):
        folder = instance.root / f"aliases-{option or 'owner'}"
        folder.mkdir()
        os.chmod(folder, 0o777)
        source = folder / "aliases"
        source.write_text("a: b\n")
        os.chown(source, nobody.pw_uid, nobody.pw_gid)
        built = postalias(instance, *([option] if option else []), f"hash:{source}")
        assert built.returncode == 0, built.stderr
        assert os.stat(f"{source}.db").st_uid == expected_uid
