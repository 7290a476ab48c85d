"""Document metadata: the taxonomy and validation that names the field."""

from __future__ import annotations

from datetime import date

import pytest

from ctnode.errors import InvalidInput
from ctnode.library.model import Topic, parse_meta
from ctnode.model.tlp import TLP
from tests.library.conftest import meta


def test_taxonomy_has_the_eight_topics() -> None:
    assert [t.label for t in Topic] == [
        "Financing of terrorism",
        "Forensics",
        "Online content",
        "Critical infrastructure",
        "Border and travel",
        "Biometrics",
        "Prevention and rehabilitation programmes",
        "Legal frameworks",
    ]


def test_parse_meta_normalises() -> None:
    m = meta(
        "d1",
        topics=["Financing of terrorism", "forensics"],
        languages="fr",
        tlp="amber+strict",
        valid_until="2027-01-01",
        keywords=["hawala", " "],
    )
    assert m.topics == {Topic.FINANCING_OF_TERRORISM, Topic.FORENSICS}
    assert m.languages == ("fr",) and m.tlp is TLP.AMBER_STRICT and m.keywords == ("hawala",)
    assert m.is_served(date(2026, 12, 31)) and not m.is_served(date(2027, 1, 2))
    assert m.as_dict()["tlp"] == "TLP:AMBER+STRICT"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "field 'title' is required"),
        ({"topics": ["cooking"]}, "field 'topics': 'cooking' is not in the taxonomy"),
        ({"languages": ["french"]}, "field 'languages': 'french' is not a language tag"),
        ({"date": "01/06/2025"}, "field 'date': '01/06/2025' is not a date"),
        ({"valid_until": "2020-01-01"}, "field 'valid_until' is before 'date'"),
        ({"tlp": "purple"}, "field 'tlp': unknown TLP level"),
        ({"format": "docx"}, "field 'format': 'docx' is not one of"),
    ],
)
def test_bad_metadata_names_the_field(change: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "id": "d",
        "title": "t",
        "languages": ["en"],
        "topics": ["forensics"],
        "source": "s",
        "date": "2025-06-01",
    }
    with pytest.raises(InvalidInput) as info:
        parse_meta({**base, **change})
    assert message in info.value.message
