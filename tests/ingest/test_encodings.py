"""A UN list saved as UTF-16 imports from a file like the UTF-8 one, and screens the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctnode.model.access import Purpose
from ctnode.node import Node
from ctnode.services.screening.query import build_query
from tests.conftest import ADMIN, DEMO_LIST


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_un_list_file_imports_and_screens(empty_node: Node, tmp_path: Path,
                                                codec: str) -> None:
    text = DEMO_LIST.read_text("utf-8")
    path = tmp_path / "un-utf16.xml"
    path.write_bytes(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode(codec))
    report = empty_node.lists.import_source("un-sc", str(path), ADMIN)
    assert len(report.added) == 16 and report.warnings == []
    result = empty_node.screening.screen(build_query(["Faris Nadir al-Qamari"]), ADMIN,
                                         Purpose(purpose="test", legal_basis="test"))
    assert result.hits and result.hits[0].reference == "DMi.001"
