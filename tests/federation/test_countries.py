"""A node's country (issue 13): ISO 3166-1 alpha-2, or a documented regional or international
body; anything else is refused at ``init`` and in a peer's descriptor."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from ctnode.errors import InvalidInput
from ctnode.federation.identity import Descriptor, Identity, check_country
from ctnode.model.countries import BODIES
from tests.federation.cluster import CTNODE

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("given", "code"), [
    ("kz", "KZ"), (" FR ", "FR"), ("UN", "UN"), ("eu", "EU"), ("INTERPOL", "INTERPOL"),
    ("XA", "XA"), ("ZZ", "ZZ"), ("AA", "AA"),
])
def test_iso_codes_and_bodies_are_taken(given: str, code: str) -> None:
    assert check_country(given) == code


@pytest.mark.parametrize("given", [
    "Atlantis", "", "K", "KZZ", "DD", "QQQ", "\u041a\u0417", "UN\x00", "<script>", "interpol-x",
])
def test_anything_else_is_refused(given: str) -> None:
    with pytest.raises(InvalidInput, match="ISO 3166"):
        check_country(given)


def test_init_and_descriptors_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="ISO 3166"):
        Identity.create(tmp_path / "a", node_id="aa-node", organisation="A", country="Atlantis",
                        contact="c", endpoint="http://127.0.0.1:9", development=True)
    ident = Identity.create(tmp_path / "b", node_id="bb-node", organisation="B", country="un",
                            contact="c", endpoint="http://127.0.0.1:9", development=True)
    desc = ident.descriptor()
    assert Descriptor.parse(desc.to_dict(), development=True).country == "UN"
    # a descriptor signed with a made-up country is refused even though its signature holds
    forged = Identity(ident.folder, ident.key, {**ident.profile, "country": "NARNIA"})
    with pytest.raises(InvalidInput, match="ISO 3166"):
        Descriptor.parse(forged.descriptor().to_dict(), development=True)


def test_every_body_is_documented_and_fits_the_column() -> None:
    text = (REPO / "docs" / "federation.md").read_text(encoding="utf-8")
    for code in BODIES:
        assert f"`{code}`" in text and len(code) <= 8


def test_the_init_command_refuses_a_made_up_country(tmp_path: Path) -> None:
    """Issue 13 item 7 as an operator meets it: ``ctnode init --country`` in a process of its
    own exits non-zero, names the rule, and makes no key; a body's code is taken."""
    env = {**os.environ, "CTNODE_DATA_DIR": str(tmp_path / "data"), "CTNODE_MODE": "development",
           "CTNODE_DATABASE_URL": ""}

    def init(country: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CTNODE, "init", "--node-id", "xx-node", "--organisation", "X", "--country", country,
             "--contact", "duty@x.invalid", "--endpoint", "http://127.0.0.1:9"],
            env=env, capture_output=True, text=True, timeout=120, check=False)

    bad = init("Atlantis")
    assert bad.returncode != 0 and "ISO 3166" in bad.stdout + bad.stderr, bad
    assert not list((tmp_path / "data").rglob("node.key"))
    good = init("interpol")
    assert good.returncode == 0, good.stderr
    assert "INTERPOL" in good.stdout, good.stdout
