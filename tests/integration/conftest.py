"""tests/integration/conftest.py - pytest fixtures shared by every integration test

FIXTURES
    build       Path of $TERN_BUILD (the configured, built build directory).
                A missing TERN_BUILD or an unbuilt tree is an error, never a skip.
    instance    An Instance (tern_instance.py) made in tmp_path, not started.
                Teardown stops it if it runs and SIGKILLs any of its processes
                left behind (a test that cares checks processes() itself),
                then removes its files unless the test failed (the path is
                printed then) or TERN_KEEP_INSTANCE=1 is set.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tern_instance import Instance, build_dir  # noqa: E402


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remembers each phase's report on the test item, for teardown to see."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


@pytest.fixture(scope="session")
def build():
    try:
        return build_dir()
    except RuntimeError as problem:
        pytest.fail(str(problem), pytrace=False)


@pytest.fixture
def instance(request, build, tmp_path):
    inst = Instance(tmp_path)
    yield inst
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    inst.close(keep=failed)
    if failed:
        print(f"\ntern instance kept for inspection: {inst.root}")
