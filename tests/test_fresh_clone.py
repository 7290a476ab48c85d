"""A suite that runs on a fresh clone (issue 10): a licence and a notice for the bundled
data, and without the shared data folder fewer than 10% of the tests skip.

The share is counted at collection, in a child pytest whose ``CTNODE_SHARED_DATA`` names
an empty folder: a test skips on a fresh clone when it asks for a shared-data fixture
(``shared_data``, ``formats``, ``bio_data`` and what builds on them) or carries a
``skipif`` that holds there. Tests that look for a shared file in their own body (the
older UN list, the shared faces of the browser flow) are counted from their source, by
name, below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REPO

# Fixtures that skip without the shared data folder.
DATA_FIXTURES = ("shared_data", "formats", "bio_data")
# Tests that skip in their own body when a shared file is missing (module path prefixes).
SKIP_IN_BODY = ("tests/services/monitoring/test_un_update.py",)

PLUGIN = textwrap.dedent('''
    import json

    import pytest

    DATA = set(json.loads(__import__("os").environ["FRESH_DATA_FIXTURES"]))

    def _skips(item):
        if DATA & set(getattr(item, "fixturenames", ())):
            return True
        for mark in item.iter_markers("skipif"):
            if mark.args and mark.args[0] is True:
                return True
        return any(True for _ in item.iter_markers("skip"))

    def pytest_collection_finish(session):
        items = session.items
        print("FRESH " + json.dumps({
            "total": len(items),
            "skipping": sorted(i.nodeid for i in items if _skips(i)),
            "ids": [i.nodeid for i in items]}))
''')


def test_a_licence_and_a_notice_for_the_bundled_data() -> None:
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in licence
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    for bundled in ("src/ctnode/demo/demo-un-sc.xml", "tests/fixtures/samples/",
                    "tests/biometrics/fixtures/"):
        assert bundled in notice, bundled
        assert (REPO / bundled).exists(), bundled
    assert "CTNODE_SHARED_DATA" in (REPO / "README.md").read_text(encoding="utf-8")


def test_without_the_shared_data_fewer_than_a_tenth_of_the_tests_skip(tmp_path: Path) -> None:
    (tmp_path / "fresh_clone_plugin.py").write_text(PLUGIN, encoding="utf-8")
    empty = tmp_path / "no-shared-data"
    empty.mkdir()
    env = {**os.environ, "CTNODE_SHARED_DATA": str(empty),
           "FRESH_DATA_FIXTURES": json.dumps(DATA_FIXTURES),
           "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "fresh_clone_plugin", "tests"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("FRESH ")), None)
    assert line is not None, done.stdout[-2000:] + done.stderr[-2000:]
    found = json.loads(line[len("FRESH "):])
    skipping = set(found["skipping"]) | {
        i for i in found["ids"] if i.startswith(SKIP_IN_BODY)}
    assert found["total"] > 700  # the whole suite was collected
    share = len(skipping) / found["total"]
    assert share < 0.10, (f"{len(skipping)} of {found['total']} tests ({share:.1%}) need the "
                          "shared data", sorted(skipping)[:40])
    # the count sees what needs the shared data: the real UN list's delta test is among them
    assert any(i.startswith("tests/store/test_imports.py::test_un_delta_between_real_versions")
               for i in skipping), sorted(skipping)[:20]


def test_a_test_needing_the_shared_data_says_in_one_line_where_to_get_it(
        tmp_path: Path) -> None:
    empty = tmp_path / "no-shared-data"
    empty.mkdir()
    env = {**os.environ, "CTNODE_SHARED_DATA": str(empty)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/store/test_imports.py::test_un_delta_between_real_versions"],
        cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-2000:]
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("SKIPPED")]
    assert f"the real UN list not found at {empty}" in line
    assert "https://scsanctions.un.org/resources/xml/en/consolidated.xml" in line
    assert "un-sc-consolidated.xml" in line and "set CTNODE_SHARED_DATA" in line
    assert "README.md" in line
