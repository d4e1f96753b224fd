"""tests/integration/test_postmap.py - postmap(1): build, query, atomic rebuild, Postfix compatibility

Runs $TERN_BUILD/tools/postmap/postmap against tables in a temporary
directory with its own (empty) main.cf. The atomic-rebuild test keeps a
reader looking a key up in a separate process per lookup while postmap
rebuilds the table 50 times: every lookup must hit. The compatibility
tests need Debian's Postfix (/usr/sbin/postmap) and are skipped, saying
so, without it.
"""

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

POSTFIX_POSTMAP = Path("/usr/sbin/postmap")


@pytest.fixture
def postmap():
    # Only postmap is needed here, not a whole instance (the build fixture
    # wants tools/tern/tern too).
    build = os.environ.get("TERN_BUILD")
    if not build:
        pytest.fail("TERN_BUILD is not set", pytrace=False)
    program = Path(build) / "tools" / "postmap" / "postmap"
    if not program.exists():
        pytest.fail(f"{program} is missing: run make first", pytrace=False)
    return program


@pytest.fixture
def confdir(tmp_path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "main.cf").write_text("# test instance for postmap\n")
    return conf


def run(postmap, confdir, *args, stdin=None):
    return subprocess.run([str(postmap), "-c", str(confdir), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def postfix(confdir, *args, stdin=None):
    # Postfix's postmap wants its own main.cf too; an empty one will do.
    return subprocess.run([str(POSTFIX_POSTMAP), "-c", str(confdir), *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_build_query_dump_delete(postmap, confdir, tmp_path):
    source = tmp_path / "virtual"
    source.write_text("# comment\nUser@Example.com  alice\nbob@example.com bob,\n  carol\n"
                      "lonely\nuser@example.com duplicate\n")
    built = run(postmap, confdir, str(source))
    assert built.returncode == 0, built.stderr
    assert f"{source}, line 5: expected format: key whitespace value" in built.stderr
    assert f"{source}, line 6: duplicate entry: \"user@example.com\"" in built.stderr
    assert (tmp_path / "virtual.db").exists()

    hit = run(postmap, confdir, "-q", "USER@example.com", f"hash:{source}")
    assert (hit.returncode, hit.stdout) == (0, "alice\n")
    assert run(postmap, confdir, "-q", "bob@example.com", str(source)).stdout == "bob,  carol\n"
    miss = run(postmap, confdir, "-q", "nobody@example.com", str(source))
    assert (miss.returncode, miss.stdout) == (1, "")

    many = run(postmap, confdir, "-q", "-", str(source), stdin="User@Example.com\nnope\nbob@example.com\n")
    assert many.returncode == 0
    assert many.stdout == "User@Example.com\talice\nbob@example.com\tbob,  carol\n"

    dump = run(postmap, confdir, "-s", str(source))
    assert sorted(dump.stdout.splitlines()) == ["bob@example.com\tbob,  carol", "user@example.com\talice"]

    assert run(postmap, confdir, "-d", "bob@example.com", str(source)).returncode == 0
    assert run(postmap, confdir, "-d", "bob@example.com", str(source)).returncode == 1
    assert run(postmap, confdir, "-q", "bob@example.com", str(source)).returncode == 1
    added = run(postmap, confdir, "-i", str(source), stdin="new@example.com newbie\n")
    assert added.returncode == 0, added.stderr
    assert run(postmap, confdir, "-q", "new@example.com", str(source)).stdout == "newbie\n"
    assert run(postmap, confdir, "-q", "user@example.com", str(source)).stdout == "alice\n"
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


def test_query_text_tables(postmap, confdir, tmp_path):
    cidr = tmp_path / "clients.cidr"
    cidr.write_text("10.0.0.0/8 REJECT\n2001:db8::/32 OK\n192.168.1.1/24 bad\n")
    result = run(postmap, confdir, "-q", "10.1.2.3", f"cidr:{cidr}")
    assert (result.returncode, result.stdout) == (0, "REJECT\n")
    assert f"cidr map {cidr}, line 3: non-null host address bits" in result.stderr
    assert run(postmap, confdir, "-q", "2001:db8::1", f"cidr:{cidr}").stdout == "OK\n"
    assert run(postmap, confdir, "-q", "11.1.2.3", f"cidr:{cidr}").returncode == 1

    regexp = tmp_path / "checks.regexp"
    regexp.write_text("/^(.*)@example\\.com$/ user=$1\n")
    assert run(postmap, confdir, "-q", "Joe@EXAMPLE.com", f"regexp:{regexp}").stdout == "user=Joe\n"
    assert run(postmap, confdir, "-q", "k", "inline:{ K=v, { x = y z } }").stdout == "v\n"
    assert run(postmap, confdir, "-q", "anything", "static:{ a b }").stdout == "a b\n"
    nolist = run(postmap, confdir, "-s", f"regexp:{regexp}")
    assert nolist.returncode == 1
    assert "sequence operation is not supported" in nolist.stderr


def test_usage_errors(postmap, confdir):
    assert "usage: postmap" in run(postmap, confdir).stderr
    both = run(postmap, confdir, "-s", "-q", "x", "/nonexistent")
    assert both.returncode == 1
    assert "specify only one of -s or -q or -d" in both.stderr
    missing = run(postmap, confdir, "-q", "x", "hash:/nonexistent/table")
    assert missing.returncode == 1
    assert "open database /nonexistent/table.db" in missing.stderr


def test_rebuild_is_atomic(postmap, confdir, tmp_path):
    """A reader never sees a missing or half-written table while postmap rebuilds it."""
    source = tmp_path / "big"
    fillers = ["".join(f"filler{i}-{gen} value-{i}-{gen}\n" for i in range(20000)) for gen in (0, 1)]
    source.write_text("probe found\n" + fillers[0])
    assert run(postmap, confdir, str(source)).returncode == 0

    stop = threading.Event()
    outcomes = []

    def reader():
        while not stop.is_set():
            result = run(postmap, confdir, "-q", "probe", f"hash:{source}")
            outcomes.append((result.returncode, result.stdout, result.stderr))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for rebuild in range(50):
            source.write_text("probe found\n" + fillers[rebuild % 2])
            result = run(postmap, confdir, str(source))
            assert result.returncode == 0, result.stderr
        # Let the reader finish at least a few lookups against the last table.
        deadline = time.monotonic() + 30
        seen = len(outcomes)
        while len(outcomes) < seen + 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(timeout=60)
    assert len(outcomes) >= 10, "the reader made too few lookups to show anything"
    bad = [o for o in outcomes if o[:2] != (0, "found\n")]
    assert not bad, f"{len(bad)} of {len(outcomes)} lookups failed, first: {bad[0]}"
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name]


needs_postfix = pytest.mark.skipif(not POSTFIX_POSTMAP.exists(),
                                   reason="Debian's postfix is not installed (/usr/sbin/postmap missing): "
                                          "cannot compare tables with Postfix")


@needs_postfix
@pytest.mark.parametrize("db_type", ["hash", "btree"])
def test_postfix_built_table_reads_in_tern(postmap, confdir, tmp_path, db_type):
    source = tmp_path / "transport"
    source.write_text("Example.COM smtp:[mx.example.com]\nother.example  relay:[10.0.0.1]:25\n")
    built = postfix(confdir, f"{db_type}:{source}")
    assert built.returncode == 0, built.stderr
    assert run(postmap, confdir, "-q", "example.com", f"{db_type}:{source}").stdout == "smtp:[mx.example.com]\n"
    assert run(postmap, confdir, "-q", "OTHER.example", f"{db_type}:{source}").stdout == "relay:[10.0.0.1]:25\n"
    assert run(postmap, confdir, "-q", "missing.example", f"{db_type}:{source}").returncode == 1
    ours = sorted(run(postmap, confdir, "-s", f"{db_type}:{source}").stdout.splitlines())
    theirs = sorted(postfix(confdir, "-s", f"{db_type}:{source}").stdout.splitlines())
    assert ours == theirs and len(ours) == 2


@needs_postfix
@pytest.mark.parametrize("db_type", ["hash", "btree"])
def test_tern_built_table_reads_in_postfix(postmap, confdir, tmp_path, db_type):
    source = tmp_path / "access"
    source.write_text("Spammer@Example.com REJECT go away\n10.1.2.3 OK\n")
    built = run(postmap, confdir, f"{db_type}:{source}")
    assert built.returncode == 0, built.stderr
    result = postfix(confdir, "-q", "spammer@example.com", f"{db_type}:{source}")
    assert (result.returncode, result.stdout) == (0, "REJECT go away\n"), result.stderr
    assert postfix(confdir, "-q", "10.1.2.3", f"{db_type}:{source}").stdout == "OK\n"
    assert postfix(confdir, "-q", "10.1.2.4", f"{db_type}:{source}").returncode == 1


@needs_postfix
def test_same_answers_as_postfix_for_text_tables(postmap, confdir, tmp_path):
    cidr = tmp_path / "t.cidr"
    cidr.write_text("10.0.0.0/8 ten\n10.1.2.3 exact\nif 172.16.0.0/12\n!172.16.1.0/24 outer\nendif\n"
                    "2001:db8::/32 v6\n[2001:db9::1] bracket\n0.0.0.0/0 all4\n")
    regexp = tmp_path / "t.regexp"
    regexp.write_text("/^(.*)@Example\\.com$/ user=$1\nif /^foo/\n/bar/ inside\n!/xyz/ noxyz\nendif\n"
                      "/^abc/i casesensitive\n/^x(y)?z$/ got $1 and ${1} $$\n/^multi/ first\n  continued\n")
    cases = [(f"cidr:{cidr}", k) for k in ("10.1.2.3", "10.9.9.9", "172.16.2.1", "172.16.1.1", "2001:db8::5",
                                             "2001:db9::1", "8.8.8.8", "fe80::1", "junk")]
    cases += [(f"regexp:{regexp}", k) for k in ("JOE@EXAMPLE.com", "foobar", "fooxyz", "fooq", "abc", "ABC",
                                                 "xz", "xyz", "multiline", "zzz")]
    for spec, key in cases:
        ours = run(postmap, confdir, "-q", key, spec)
        theirs = postfix(confdir, "-q", key, spec)
        assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout), (spec, key)
